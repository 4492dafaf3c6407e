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
/// rebuilt at each one (``ReplayFacts``). The replay is O(n log n) for n purchases and
/// refunds (sorting the instants), with no dictionary or allocation per instant.
struct LifecycleReplay {
    let activity: PurchaseActivity
    let policy: LifecyclePolicy

    /// The transitions from the first event at `knownSince` (caused by `firstEvent`) to
    /// `end`.
    func transitions(knownSince: Date, firstEvent: LifecycleState.FirstEvent, end: Date) -> [LifecycleTransition] {
        run(knownSince: knownSince, firstEvent: firstEvent, end: end).transitions
    }

    /// The transitions from the first event at `knownSince` to `end`, and the rules
    /// evaluated at `end` (the same as ``LifecycleRules/evaluate(purchases:at:policy:)``).
    func run(knownSince: Date, firstEvent: LifecycleState.FirstEvent, end: Date) -> (current: LifecycleEvaluation, transitions: [LifecycleTransition]) {
        var facts = ReplayFacts(activity: activity, end: end, policy: policy)
        var recorder = TransitionRecorder(policy: policy)
        let firstCause = LifecycleCause.event(position: firstEvent.position, id: firstEvent.id, type: firstEvent.type)
        var itemStart = 0
        for seconds in facts.candidates(knownSince: knownSince, end: end) {
            let instant = Date(timeIntervalSinceReferenceDate: seconds)
            guard instant <= end else { break }  // the first event itself may be later
            let moment = LifecycleMoment(instant)
            if instant == knownSince {
                facts.advance(through: (knownSince, firstEvent.position))
                recorder.move(to: facts.rule(at: moment), at: instant, cause: firstCause)
            } else {
                // Time alone, with what happened before this instant.
                facts.advance(through: (instant, LogPosition.start))
                recorder.pass(to: facts.rule(at: moment), at: instant, usualGapDays: facts.usualGapDays)
            }
            // The events at this instant, one by one.
            while itemStart < facts.entries.count, facts.entries[itemStart].time < instant { itemStart += 1 }
            var item = itemStart
            while item < facts.entries.count, facts.entries[item].time == instant {
                let entry = facts.entries[item]
                item += 1
                guard instant != knownSince || entry.position > firstEvent.position else { continue }
                facts.advance(through: (instant, entry.position))
                let type = entry.purchase >= 0 ? PurchaseCompleted.eventType : RefundIssued.eventType
                recorder.move(to: facts.rule(at: moment), at: instant, cause: .event(position: entry.position, id: entry.eventID, type: type))
            }
            // Just after the instant: "more than N days" thresholds. Every purchase and
            // refund at the instant is in, so the rule can differ from the last one only
            // when such a threshold is this very instant.
            facts.advance(through: (instant, LogPosition.end))
            if instant < end, facts.thresholdsEnd(at: instant) {
                recorder.pass(to: facts.rule(at: LifecycleMoment(instant, justAfter: true)), at: instant, usualGapDays: facts.usualGapDays)
            }
        }

        // The stage at `end`, with everything that happened by then.
        facts.advance(through: (end, LogPosition.end))
        let rule = facts.rule(at: LifecycleMoment(end))
        let evaluation = LifecycleEvaluation(
            stage: rule.stage, winBack: rule == .winBack,
            highestStage: policy.highestStage(purchases: facts.purchaseCount), rule: rule,
            purchaseCount: facts.purchaseCount, lastPurchase: facts.lastPurchase, time: end, policy: policy
        )
        return (evaluation, recorder.transitions)
    }

    /// When each highest stage was reached.
    func milestones(knownSince: Date, firstEvent: LifecycleState.FirstEvent, end: Date) -> [HighestStageMilestone] {
        var milestones: [HighestStageMilestone] = []
        milestones.reserveCapacity(HighestStage.allCases.count)
        milestones.append(HighestStageMilestone(
            stage: .prospect, at: knownSince,
            cause: .event(position: firstEvent.position, id: firstEvent.id, type: firstEvent.type)
        ))
        // Field by field: a whole purchase copied retains its texts.
        let purchases = activity.purchases
        for index in purchases.indices where purchases[index].occurredAt <= end {
            let stage = policy.highestStage(purchases: index + 1)
            if stage != milestones.last?.stage {
                milestones.append(HighestStageMilestone(
                    stage: stage, at: purchases[index].occurredAt,
                    cause: .event(position: purchases[index].position, id: purchases[index].eventID, type: PurchaseCompleted.eventType)
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

/// A purchase (positive amount) or refund (negative) in the replay's merged time order.
struct ReplayEntry {
    var time: Date
    var position: LogPosition
    /// The index of the purchase in `activity.purchases`, or -1 for a refund.
    var purchase: Int
    var eventID: EventID
    /// The index of the currency in the replay's currency list.
    var currency: Int
    /// Minor units: the purchase's amount, or minus the refund's.
    var amount: Int64
}

/// The facts the lifecycle rules read, kept as the replay moves forward in time.
///
/// Purchases and refunds are merged in (occurredAt, position) order; those that happened
/// by the current key are a prefix of it (`entryCount`). An entry is in the recent spend
/// window until t reaches its time + window and in the earlier one until t reaches its
/// time + 2 · window, so each window is a run `recentStart..<entryCount`,
/// `earlierStart..<recentStart` whose ends only move forward, and a window's spend is a
/// difference of running sums, per currency.
struct ReplayFacts {
    let purchases: [PurchaseActivity.Purchase]
    private(set) var entries: [ReplayEntry] = []
    /// `sums[i * currencyCount + c]`: net spend in currency c of entries 0..<i, wrapping
    /// (a window's spend is a difference of two, exact whenever it fits in 64 bits).
    private var sums: [Int64] = []
    private var currencyCount = 1
    private let window: TimeInterval
    private let twoWindows: TimeInterval
    private let churn: TimeInterval
    private let policy: LifecyclePolicy
    /// Purchases by the end of the replay.
    private let purchaseEnd: Int
    private let refunds: ArraySlice<PurchaseActivity.Refund>

    private(set) var entryCount = 0
    private(set) var purchaseCount = 0
    private(set) var latestWinBack: Date?
    /// The rule table's thresholds for the purchases so far.
    private var thresholds: LifecycleThresholds
    private var recentStart = 0
    private var earlierStart = 0

    init(activity: PurchaseActivity, end: Date, policy: LifecyclePolicy) {
        self.policy = policy
        thresholds = LifecycleThresholds(purchaseCount: 0, firstPurchase: nil, lastPurchase: nil, latestWinBack: nil, policy: policy)
        purchases = activity.purchases
        window = TimeMath.secondsPerDay * Double(policy.spendWindowDays)
        twoWindows = 2 * window
        churn = TimeMath.secondsPerDay * Double(policy.churnDays)
        var purchaseEnd = 0
        while purchaseEnd < purchases.count, purchases[purchaseEnd].occurredAt <= end { purchaseEnd += 1 }
        self.purchaseEnd = purchaseEnd
        var refundEnd = 0
        while refundEnd < activity.refunds.count, activity.refunds[refundEnd].occurredAt <= end { refundEnd += 1 }
        refunds = activity.refunds[..<refundEnd]

        var currencies = CurrencySlots()
        entries.reserveCapacity(purchaseEnd + refunds.count)
        var nextPurchase = 0
        var nextRefund = refunds.startIndex
        while nextPurchase < purchaseEnd || nextRefund < refunds.endIndex {
            let takePurchase: Bool
            if nextPurchase == purchaseEnd {
                takePurchase = false
            } else if nextRefund == refunds.endIndex {
                takePurchase = true
            } else {
                // Field by field: a whole purchase or refund copied retains its texts.
                takePurchase = (purchases[nextPurchase].occurredAt, purchases[nextPurchase].position)
                    < (refunds[nextRefund].occurredAt, refunds[nextRefund].position)
            }
            if takePurchase {
                entries.append(ReplayEntry(
                    time: purchases[nextPurchase].occurredAt, position: purchases[nextPurchase].position, purchase: nextPurchase,
                    eventID: purchases[nextPurchase].eventID, currency: currencies.slot(of: purchases[nextPurchase].amount.currency),
                    amount: purchases[nextPurchase].amount.minorUnits
                ))
                nextPurchase += 1
            } else {
                entries.append(ReplayEntry(
                    time: refunds[nextRefund].occurredAt, position: refunds[nextRefund].position, purchase: -1,
                    eventID: refunds[nextRefund].eventID, currency: currencies.slot(of: refunds[nextRefund].amount.currency),
                    amount: 0 &- refunds[nextRefund].amount.minorUnits
                ))
                nextRefund += 1
            }
        }
        currencyCount = max(currencies.count, 1)
        sums = [Int64](repeating: 0, count: (entries.count + 1) * currencyCount)
        for index in entries.indices {
            let row = index * currencyCount
            for currency in 0..<currencyCount { sums[row + currencyCount + currency] = sums[row + currency] }
            sums[row + currencyCount + entries[index].currency] &+= entries[index].amount
        }
    }

    /// The instants from `knownSince` to `end` at which something the rules read can
    /// change, in order, each once.
    ///
    /// The churn, recent and mean-gap thresholds are measured from the last purchase, so a
    /// purchase's are candidates only while it is the last one: up to the next purchase.
    /// The win-back period is measured from the latest win-back purchase, so only those
    /// get its end. The spend windows sum every purchase and refund, so each moves two
    /// window ends.
    /// (As seconds since the reference date, a `Date`'s own value.)
    func candidates(knownSince: Date, end: Date) -> [Double] {
        // Kept as seconds since the reference date: a `Date`'s own value, and adding an
        // interval to it is the same addition `Date.addingTimeInterval` makes, so every
        // instant is the threshold the rules compute, bit for bit. Sorting plain doubles is
        // cheaper than sorting dates.
        let recent = LifecycleRules.days(policy.recentDays)
        let churnWindow = LifecycleRules.days(policy.churnDays)
        let winBack = LifecycleRules.days(policy.winBackDays)
        let minimumForGap = policy.meanGapMinimumPurchases
        let gapMultiple = policy.meanGapMultiple
        let (window, twoWindows, churn) = (window, twoWindows, churn)
        let start = knownSince.timeIntervalSinceReferenceDate
        let last = end.timeIntervalSinceReferenceDate
        let capacity = 1 + 7 * purchaseEnd + 3 * refunds.count
        var instants = [Double](unsafeUninitializedCapacity: capacity) { buffer, count in
            func add(_ value: Double) {
                if value >= start, value <= last {
                    buffer[count] = value
                    count += 1
                }
            }
            add(start)
            purchases.withUnsafeBufferPointer { purchases in
                for index in 0..<purchaseEnd {
                    let time = purchases[index].occurredAt.timeIntervalSinceReferenceDate
                    add(time)
                    add(time + window)
                    add(time + twoWindows)
                    // While it is the last purchase (a threshold at the next purchase's
                    // instant still counts: time is evaluated before the events at an instant).
                    let next = index + 1 < purchaseEnd ? purchases[index + 1].occurredAt.timeIntervalSinceReferenceDate : .infinity
                    if time + recent <= next { add(time + recent) }
                    if time + churnWindow <= next { add(time + churnWindow) }
                    if index + 1 >= minimumForGap, index > 0 {
                        let meanGap = (time - purchases[0].occurredAt.timeIntervalSinceReferenceDate) / Double(index)
                        let gapEnds = time + gapMultiple * meanGap
                        if gapEnds <= next { add(gapEnds) }
                    }
                    if index > 0, time - purchases[index - 1].occurredAt.timeIntervalSinceReferenceDate >= churn {
                        add(time + winBack)
                    }
                }
            }
            refunds.withUnsafeBufferPointer { refunds in
                for index in refunds.indices {
                    let time = refunds[index].occurredAt.timeIntervalSinceReferenceDate
                    add(time)
                    add(time + window)
                    add(time + twoWindows)
                }
            }
        }
        guard !instants.isEmpty else { return [] }  // the first event is after the end
        instants.sort()
        // Each once, in place.
        var count = 1
        for index in 1..<instants.count where instants[index] != instants[count - 1] {
            instants[count] = instants[index]
            count += 1
        }
        instants.removeLast(instants.count - count)
        return instants
    }

    var firstPurchase: Date? { purchaseCount > 0 ? purchases[0].occurredAt : nil }
    var lastPurchase: Date? { purchaseCount > 0 ? purchases[purchaseCount - 1].occurredAt : nil }

    /// Takes in the purchases and refunds up to and including `key`.
    mutating func advance(through key: (Date, LogPosition)) {
        let purchasesBefore = purchaseCount
        while entryCount < entries.count, (entries[entryCount].time, entries[entryCount].position) <= key {
            if entries[entryCount].purchase >= 0 {
                let time = entries[entryCount].time
                if purchaseCount > 0, time.timeIntervalSince(purchases[purchaseCount - 1].occurredAt) >= churn { latestWinBack = time }
                purchaseCount += 1
            }
            entryCount += 1
        }
        if purchaseCount != purchasesBefore {
            thresholds = LifecycleThresholds(
                purchaseCount: purchaseCount, firstPurchase: firstPurchase, lastPurchase: lastPurchase,
                latestWinBack: latestWinBack, policy: policy
            )
        }
    }

    /// The mean-gap threshold in days: the multiple of the mean gap between the purchases
    /// so far (two or more).
    var usualGapDays: Double {
        let span = lastPurchase!.timeIntervalSince(firstPurchase!)
        return policy.meanGapMultiple * span / Double(purchaseCount - 1) / TimeMath.secondsPerDay
    }

    /// Whether a "more than N days" threshold of the purchases so far is `instant`.
    func thresholdsEnd(at instant: Date) -> Bool { thresholds.endsAt(instant) }

    /// The rule at `moment` (moments never go back in time).
    mutating func rule(at moment: LifecycleMoment) -> LifecycleRule {
        thresholds.ruleBeforeSpend(at: moment) ?? (spendRising(at: moment) ? .spendRising : .spendNotRising)
    }

    /// Whether net spend rose from the earlier window to the recent one in every currency
    /// with spend in either (as ``LifecycleFacts/spendRising``).
    private mutating func spendRising(at moment: LifecycleMoment) -> Bool {
        while recentStart < entryCount, moment.hasReached(entries[recentStart].time.addingTimeInterval(window)) { recentStart += 1 }
        while earlierStart < recentStart, moment.hasReached(entries[earlierStart].time.addingTimeInterval(twoWindows)) { earlierStart += 1 }
        var any = false
        for currency in 0..<currencyCount {
            let middle = sums[recentStart * currencyCount + currency]
            let recentSpend = sums[entryCount * currencyCount + currency] &- middle
            let earlierSpend = middle &- sums[earlierStart * currencyCount + currency]
            if recentSpend == 0, earlierSpend == 0 { continue }
            guard recentSpend > earlierSpend else { return false }
            any = true
        }
        return any
    }
}

/// Collects the changes of stage as the replay finds them.
struct TransitionRecorder {
    let policy: LifecyclePolicy
    private(set) var transitions: [LifecycleTransition] = []
    private var current: LifecycleRule?

    init(policy: LifecyclePolicy) {
        self.policy = policy
        transitions.reserveCapacity(16)  // a customer goes through a handful, or a dozen
    }

    /// Moves to `rule`, recording a transition when the stage or the win-back flag changes.
    mutating func move(to rule: LifecycleRule, at time: Date, cause: LifecycleCause) {
        guard rule != current else { return }
        defer { current = rule }
        // A rule change that keeps the stage and the win-back flag is not a transition.
        if let current, current.stage == rule.stage, (current == .winBack) == (rule == .winBack) { return }
        transitions.append(LifecycleTransition(
            from: current?.stage, fromWinBack: current == .winBack, to: rule.stage, winBack: rule == .winBack,
            rule: rule, at: time, cause: cause
        ))
    }

    /// Moves to `rule` by the passage of time, naming the threshold crossed.
    /// `usualGapDays`: the mean-gap threshold in days, asked for only when the rule moves to
    /// `gapLongerThanUsual` (passing the facts themselves copied them at every moment).
    mutating func pass(to new: LifecycleRule, at time: Date, usualGapDays: @autoclosure () -> Double) {
        guard new != current else { return }
        let threshold: LifecycleThreshold
        switch new {
        case .noPurchaseForChurnWindow:
            threshold = .churnWindowReached(days: policy.churnDays)
        case .lastPurchaseNotRecent:
            threshold = .recentWindowEnded(days: policy.recentDays)
        case .gapLongerThanUsual:
            threshold = .usualGapExceeded(days: usualGapDays())
        default:
            threshold = current == .winBack ? .winBackEnded(days: policy.winBackDays) : .spendWindowMoved(days: policy.spendWindowDays)
        }
        move(to: new, at: time, cause: .timePassed(threshold))
    }
}
