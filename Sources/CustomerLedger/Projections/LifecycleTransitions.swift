public import Foundation
public import LedgerCore

/// What moved a customer from one lifecycle stage to another.
public enum LifecycleCause: Sendable, Hashable {
    /// An event: a purchase or refund, or the customer's first event.
    case event(position: LogPosition, id: EventID, type: String)
    /// The passage of time: a threshold was crossed at the transition's instant.
    case timePassed(LifecycleThreshold)
}

/// A time threshold of the lifecycle rules, as crossed by a time-driven transition.
public enum LifecycleThreshold: Sendable, Hashable {
    /// The last purchase became more than `days` old (`recentDays`): declining.
    case recentWindowEnded(days: Int)
    /// The time since the last purchase became more than the multiple of the customer's
    /// own mean gap: `days` is that product, in (fractional) days.
    case usualGapExceeded(days: Double)
    /// No purchase for `days` (`churnDays`): churned.
    case churnWindowReached(days: Int)
    /// A purchase or refund moved from one spend window of `days` to the next (or out of
    /// them), so spend is now rising or no longer rising: growth ↔ mature.
    case spendWindowMoved(days: Int)
    /// The win-back period of `days` after the purchase that brought the customer back
    /// ended.
    case winBackEnded(days: Int)
}

/// One change of stage (or of the win-back flag) in a customer's lifecycle.
public struct LifecycleTransition: Sendable, Hashable {
    /// The stage before; `nil` for the customer's first event (it was not known before).
    public var from: LifecycleStage?
    /// Whether the customer was in win-back before.
    public var fromWinBack: Bool
    /// The stage from ``at`` on.
    public var to: LifecycleStage
    /// Whether the customer is in win-back from ``at`` on.
    public var winBack: Bool
    /// The rule that gives ``to``.
    public var rule: LifecycleRule
    /// When it changed: the event's `occurredAt`, or the exact instant a threshold was
    /// crossed (for "more than N days" rules the new stage holds from just after it).
    public var at: Date
    /// What changed it.
    public var cause: LifecycleCause

    /// A transition with its parts.
    public init(from: LifecycleStage?, fromWinBack: Bool, to: LifecycleStage, winBack: Bool, rule: LifecycleRule, at: Date, cause: LifecycleCause) {
        self.from = from
        self.fromWinBack = fromWinBack
        self.to = to
        self.winBack = winBack
        self.rule = rule
        self.at = at
        self.cause = cause
    }
}

/// The moment a customer reached a highest stage.
public struct HighestStageMilestone: Sendable, Hashable {
    /// The stage reached.
    public var stage: HighestStage
    /// When: the date of the event that reached it.
    public var at: Date
    /// The event that reached it (the first event for `prospect`, a purchase otherwise).
    public var cause: LifecycleCause

    /// A milestone with its parts.
    public init(stage: HighestStage, at: Date, cause: LifecycleCause) {
        self.stage = stage
        self.at = at
        self.cause = cause
    }
}

/// Replays the lifecycle rules over one customer's purchases, finding every change of
/// stage at its exact instant: at each event, and at each instant a threshold can be
/// crossed (a purchase's +recentDays, +churnDays, +winBackDays, the mean-gap limit, and
/// each purchase's and refund's moves between spend windows). Between those instants
/// nothing the rules read changes.
///
/// The instants are visited in order, so the facts are kept incrementally rather than
/// rebuilt at each one: the purchases and refunds that happened by then are a prefix of
/// their merged time order, and each spend window is a run of that order whose ends only
/// move forward; the spend in a window is a difference of running sums, per currency.
/// The replay is O(n log n) for n purchases and refunds (sorting the instants), with
/// no dictionary or allocation per instant.
struct LifecycleReplay {
    let activity: PurchaseActivity
    let policy: LifecyclePolicy

    /// A purchase (positive amount) or refund (negative), in the merged time order.
    private struct Entry {
        var time: Date
        var position: LogPosition
        /// The index of the purchase in `activity.purchases`, or -1 for a refund.
        var purchase: Int
        var eventID: EventID
        /// The index of the currency in the replay's currency list.
        var currency: Int
    }

    /// The transitions from the first event at `knownSince` (caused by `firstEvent`) to
    /// `end`.
    func transitions(knownSince: Date, firstEvent: CustomerEventRecord, end: Date) -> [LifecycleTransition] {
        run(knownSince: knownSince, firstEvent: firstEvent, end: end).transitions
    }

    /// The transitions from the first event at `knownSince` to `end`, and the rules
    /// evaluated at `end` (the same as ``LifecycleRules/evaluate(purchases:at:policy:)``).
    func run(knownSince: Date, firstEvent: CustomerEventRecord, end: Date) -> (current: LifecycleEvaluation, transitions: [LifecycleTransition]) {
        let allPurchases = activity.purchases
        let allRefunds = activity.refunds
        var purchaseEnd = 0
        while purchaseEnd < allPurchases.count, allPurchases[purchaseEnd].occurredAt <= end { purchaseEnd += 1 }
        var refundEnd = 0
        while refundEnd < allRefunds.count, allRefunds[refundEnd].occurredAt <= end { refundEnd += 1 }

        // Purchases and refunds in one order, by (occurredAt, position), with running
        // sums of net spend per currency: sums[i * k + c] is the spend in currency c of
        // entries 0..<i.
        var currencies: [Currency] = []
        func currencyIndex(_ currency: Currency) -> Int {
            if let index = currencies.firstIndex(of: currency) { return index }
            currencies.append(currency)
            return currencies.count - 1
        }
        var entries: [Entry] = []
        var amounts: [Int64] = []
        entries.reserveCapacity(purchaseEnd + refundEnd)
        amounts.reserveCapacity(purchaseEnd + refundEnd)
        var nextPurchase = 0
        var nextRefund = 0
        while nextPurchase < purchaseEnd || nextRefund < refundEnd {
            let takePurchase: Bool
            if nextPurchase == purchaseEnd {
                takePurchase = false
            } else if nextRefund == refundEnd {
                takePurchase = true
            } else {
                let purchase = allPurchases[nextPurchase]
                let refund = allRefunds[nextRefund]
                takePurchase = (purchase.occurredAt, purchase.position) < (refund.occurredAt, refund.position)
            }
            if takePurchase {
                let purchase = allPurchases[nextPurchase]
                entries.append(Entry(
                    time: purchase.occurredAt, position: purchase.position, purchase: nextPurchase,
                    eventID: purchase.eventID, currency: currencyIndex(purchase.amount.currency)
                ))
                amounts.append(purchase.amount.minorUnits)
                nextPurchase += 1
            } else {
                let refund = allRefunds[nextRefund]
                entries.append(Entry(
                    time: refund.occurredAt, position: refund.position, purchase: -1,
                    eventID: refund.eventID, currency: currencyIndex(refund.amount.currency)
                ))
                amounts.append(0 &- refund.amount.minorUnits)
                nextRefund += 1
            }
        }
        let currencyCount = max(currencies.count, 1)
        // Wrapping sums: a window's spend is a difference of two of them, exact whenever
        // the spend itself fits in 64 bits.
        var sums = [Int64](repeating: 0, count: (entries.count + 1) * currencyCount)
        for (index, entry) in entries.enumerated() {
            let row = index * currencyCount
            for currency in 0..<currencyCount { sums[row + currencyCount + currency] = sums[row + currency] }
            sums[row + currencyCount + entry.currency] &+= amounts[index]
        }

        // The latest win-back among the first i + 1 purchases.
        let churn = TimeMath.secondsPerDay * Double(policy.churnDays)
        var winBacks: [Date?] = []
        winBacks.reserveCapacity(purchaseEnd)
        for index in 0..<purchaseEnd {
            let time = allPurchases[index].occurredAt
            if index > 0, time.timeIntervalSince(allPurchases[index - 1].occurredAt) >= churn {
                winBacks.append(time)
            } else {
                winBacks.append(index > 0 ? winBacks[index - 1] : nil)
            }
        }

        // The instants at which something the rules read can change.
        let recent = LifecycleRules.days(policy.recentDays)
        let churnDays = LifecycleRules.days(policy.churnDays)
        let winBackDays = LifecycleRules.days(policy.winBackDays)
        let window = LifecycleRules.days(policy.spendWindowDays)
        let twoWindows = LifecycleRules.days(2 * policy.spendWindowDays)
        var candidates: [Date] = [knownSince]
        candidates.reserveCapacity(1 + 6 * purchaseEnd + 3 * refundEnd + purchaseEnd)
        for purchase in allPurchases[..<purchaseEnd] {
            let time = purchase.occurredAt
            candidates.append(time)
            candidates.append(time.addingTimeInterval(recent))
            candidates.append(time.addingTimeInterval(churnDays))
            candidates.append(time.addingTimeInterval(winBackDays))
            candidates.append(time.addingTimeInterval(window))
            candidates.append(time.addingTimeInterval(twoWindows))
        }
        for refund in allRefunds[..<refundEnd] {
            candidates.append(refund.occurredAt)
            candidates.append(refund.occurredAt.addingTimeInterval(window))
            candidates.append(refund.occurredAt.addingTimeInterval(twoWindows))
        }
        if purchaseEnd >= policy.meanGapMinimumPurchases {
            let first = allPurchases[0].occurredAt
            for index in (policy.meanGapMinimumPurchases - 1)..<purchaseEnd {
                let last = allPurchases[index].occurredAt
                let meanGap = last.timeIntervalSince(first) / Double(index)
                candidates.append(last.addingTimeInterval(policy.meanGapMultiple * meanGap))
            }
        }
        candidates.sort()

        // The facts: entries 0..<entryCount have happened (purchaseCount of them are
        // purchases); recentStart..<entryCount are in the recent spend window and
        // earlierStart..<recentStart in the one before it.
        var entryCount = 0
        var purchaseCount = 0
        var recentStart = 0
        var earlierStart = 0
        /// Takes in the entries up to and including `key`.
        func advance(through key: (Date, LogPosition)) {
            while entryCount < entries.count, (entries[entryCount].time, entries[entryCount].position) <= key {
                if entries[entryCount].purchase >= 0 { purchaseCount += 1 }
                entryCount += 1
            }
        }
        func spendRising(at moment: LifecycleMoment) -> Bool {
            // An entry at `time` is in the recent window until t reaches time + window,
            // and in the earlier one until t reaches time + 2 · window (LifecycleFacts).
            while recentStart < entryCount, moment.hasReached(entries[recentStart].time.addingTimeInterval(window)) { recentStart += 1 }
            while earlierStart < recentStart, moment.hasReached(entries[earlierStart].time.addingTimeInterval(2 * window)) { earlierStart += 1 }
            var any = false
            for currency in 0..<currencyCount {
                let now = sums[entryCount * currencyCount + currency]
                let middle = sums[recentStart * currencyCount + currency]
                let recentSpend = now &- middle
                let earlierSpend = middle &- sums[earlierStart * currencyCount + currency]
                if recentSpend == 0, earlierSpend == 0 { continue }
                guard recentSpend > earlierSpend else { return false }
                any = true
            }
            return any
        }
        func rule(at moment: LifecycleMoment) -> LifecycleRule {
            LifecycleRules.rule(
                purchaseCount: purchaseCount,
                firstPurchase: purchaseCount > 0 ? allPurchases[0].occurredAt : nil,
                lastPurchase: purchaseCount > 0 ? allPurchases[purchaseCount - 1].occurredAt : nil,
                latestWinBack: purchaseCount > 0 ? winBacks[purchaseCount - 1] : nil,
                at: moment, policy: policy, spendRising: { spendRising(at: moment) }
            )
        }

        var transitions: [LifecycleTransition] = []
        var current: LifecycleRule?
        func move(to rule: LifecycleRule, at time: Date, cause: LifecycleCause) {
            guard rule != current else { return }
            defer { current = rule }
            // A rule change that keeps the stage and the win-back flag is not a transition.
            if let current, current.stage == rule.stage, (current == .winBack) == (rule == .winBack) { return }
            transitions.append(LifecycleTransition(
                from: current?.stage, fromWinBack: current == .winBack, to: rule.stage, winBack: rule == .winBack,
                rule: rule, at: time, cause: cause
            ))
        }
        // Moves to the rule the facts give at `moment` by the passage of time.
        func pass(at moment: LifecycleMoment) {
            let new = rule(at: moment)
            guard new != current else { return }
            let threshold: LifecycleThreshold
            switch new {
            case .noPurchaseForChurnWindow:
                threshold = .churnWindowReached(days: policy.churnDays)
            case .lastPurchaseNotRecent:
                threshold = .recentWindowEnded(days: policy.recentDays)
            case .gapLongerThanUsual:
                let span = allPurchases[purchaseCount - 1].occurredAt.timeIntervalSince(allPurchases[0].occurredAt)
                threshold = .usualGapExceeded(days: policy.meanGapMultiple * span / Double(purchaseCount - 1) / TimeMath.secondsPerDay)
            default:
                threshold = current == .winBack ? .winBackEnded(days: policy.winBackDays) : .spendWindowMoved(days: policy.spendWindowDays)
            }
            move(to: new, at: moment.time, cause: .timePassed(threshold))
        }

        let firstCause = LifecycleCause.event(position: firstEvent.position, id: firstEvent.id, type: firstEvent.recordedType)
        var itemStart = 0
        var previous: Date?
        for instant in candidates where instant != previous {
            previous = instant
            guard instant >= knownSince else { continue }
            guard instant <= end else { break }
            let moment = LifecycleMoment(instant)
            if instant == knownSince {
                advance(through: (knownSince, firstEvent.position))
                move(to: rule(at: moment), at: instant, cause: firstCause)
            } else {
                // Time alone, with what happened before this instant.
                advance(through: (instant, LogPosition.start))
                pass(at: moment)
            }
            // The events at this instant, one by one.
            while itemStart < entries.count, entries[itemStart].time < instant { itemStart += 1 }
            var item = itemStart
            while item < entries.count, entries[item].time == instant {
                let entry = entries[item]
                item += 1
                guard instant != knownSince || entry.position > firstEvent.position else { continue }
                advance(through: (instant, entry.position))
                let type = entry.purchase >= 0 ? PurchaseCompleted.eventType : RefundIssued.eventType
                move(to: rule(at: moment), at: instant, cause: .event(position: entry.position, id: entry.eventID, type: type))
            }
            // Just after the instant: "more than N days" thresholds.
            if instant < end {
                advance(through: (instant, LogPosition.end))
                pass(at: LifecycleMoment(instant, justAfter: true))
            }
        }

        // The stage at `end`, with everything that happened by then.
        advance(through: (end, LogPosition.end))
        let atEnd = LifecycleMoment(end)
        let endRule = rule(at: atEnd)
        let evaluation = LifecycleEvaluation(
            stage: endRule.stage, winBack: endRule == .winBack,
            highestStage: policy.highestStage(purchases: purchaseCount), rule: endRule,
            purchaseCount: purchaseCount, lastPurchase: purchaseCount > 0 ? allPurchases[purchaseCount - 1].occurredAt : nil,
            time: end, policy: policy
        )
        return (evaluation, transitions)
    }

    /// When each highest stage was reached.
    func milestones(knownSince: Date, firstEvent: CustomerEventRecord, end: Date) -> [HighestStageMilestone] {
        var milestones = [HighestStageMilestone(
            stage: .prospect, at: knownSince,
            cause: .event(position: firstEvent.position, id: firstEvent.id, type: firstEvent.recordedType)
        )]
        for (index, purchase) in activity.purchases.enumerated() where purchase.occurredAt <= end {
            let stage = policy.highestStage(purchases: index + 1)
            if stage != milestones.last?.stage {
                milestones.append(HighestStageMilestone(
                    stage: stage, at: purchase.occurredAt,
                    cause: .event(position: purchase.position, id: purchase.eventID, type: PurchaseCompleted.eventType)
                ))
            }
        }
        return milestones
    }
}

extension CustomerEventRecord {
    /// The event's wire type name.
    var recordedType: String {
        switch event {
        case .other(let recorded): recorded.type
        default: event.payload.map { Swift.type(of: $0).eventType } ?? "unknown"
        }
    }
}
