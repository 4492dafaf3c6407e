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
struct LifecycleReplay {
    let activity: PurchaseActivity
    let policy: LifecyclePolicy

    /// The transitions from the first event at `knownSince` (caused by `firstEvent`) to
    /// `end`.
    func transitions(knownSince: Date, firstEvent: CustomerEventRecord, end: Date) -> [LifecycleTransition] {
        let purchases = activity.purchases.filter { $0.occurredAt <= end }
        let refunds = activity.refunds.filter { $0.occurredAt <= end }
        var items: [(at: Date, position: LogPosition, cause: LifecycleCause)] = []
        items += purchases.map { ($0.occurredAt, $0.position, .event(position: $0.position, id: $0.eventID, type: PurchaseCompleted.eventType)) }
        items += refunds.map { ($0.occurredAt, $0.position, .event(position: $0.position, id: $0.eventID, type: RefundIssued.eventType)) }
        items.sort { ($0.at, $0.position) < ($1.at, $1.position) }

        var candidates: Set<Date> = [knownSince]
        for purchase in purchases {
            let time = purchase.occurredAt
            candidates.insert(time)
            for days in [policy.recentDays, policy.churnDays, policy.winBackDays, policy.spendWindowDays, 2 * policy.spendWindowDays] {
                candidates.insert(time.addingTimeInterval(LifecycleRules.days(days)))
            }
        }
        for refund in refunds {
            candidates.insert(refund.occurredAt)
            candidates.insert(refund.occurredAt.addingTimeInterval(LifecycleRules.days(policy.spendWindowDays)))
            candidates.insert(refund.occurredAt.addingTimeInterval(LifecycleRules.days(2 * policy.spendWindowDays)))
        }
        if purchases.count >= policy.meanGapMinimumPurchases {
            let first = purchases[0].occurredAt
            for index in (policy.meanGapMinimumPurchases - 1)..<purchases.count {
                let last = purchases[index].occurredAt
                let meanGap = last.timeIntervalSince(first) / Double(index)
                candidates.insert(last.addingTimeInterval(policy.meanGapMultiple * meanGap))
            }
        }

        // The facts with purchases and refunds up to (at, position), at `moment`.
        func facts(through key: (Date, LogPosition), at moment: LifecycleMoment) -> LifecycleFacts {
            LifecycleFacts(
                purchases: purchases.filter { ($0.occurredAt, $0.position) <= key },
                refunds: refunds.filter { ($0.occurredAt, $0.position) <= key },
                at: moment, policy: policy
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
        func pass(to facts: LifecycleFacts, at moment: LifecycleMoment) {
            let new = LifecycleRules.rule(facts, at: moment, policy: policy)
            guard new != current else { return }
            let threshold: LifecycleThreshold
            switch new {
            case .noPurchaseForChurnWindow:
                threshold = .churnWindowReached(days: policy.churnDays)
            case .lastPurchaseNotRecent:
                threshold = .recentWindowEnded(days: policy.recentDays)
            case .gapLongerThanUsual:
                let span = facts.lastPurchase!.timeIntervalSince(facts.firstPurchase!)
                threshold = .usualGapExceeded(days: policy.meanGapMultiple * span / Double(facts.purchaseCount - 1) / TimeMath.secondsPerDay)
            default:
                threshold = current == .winBack ? .winBackEnded(days: policy.winBackDays) : .spendWindowMoved(days: policy.spendWindowDays)
            }
            move(to: new, at: moment.time, cause: .timePassed(threshold))
        }

        let firstKey = (knownSince, firstEvent.position)
        let firstCause = LifecycleCause.event(position: firstEvent.position, id: firstEvent.id, type: firstEvent.recordedType)
        for instant in candidates.sorted() where instant >= knownSince && instant <= end {
            let moment = LifecycleMoment(instant)
            if instant == knownSince {
                let initial = facts(through: firstKey, at: moment)
                move(to: LifecycleRules.rule(initial, at: moment, policy: policy), at: instant, cause: firstCause)
            } else {
                // Time alone, with what happened before this instant.
                pass(to: facts(through: (instant, LogPosition.start), at: moment), at: moment)
            }
            // The events at this instant, one by one.
            for item in items where item.at == instant && (instant != knownSince || item.position > firstEvent.position) {
                let rule = LifecycleRules.rule(facts(through: (item.at, item.position), at: moment), at: moment, policy: policy)
                move(to: rule, at: instant, cause: item.cause)
            }
            // Just after the instant: "more than N days" thresholds.
            if instant < end {
                let after = LifecycleMoment(instant, justAfter: true)
                pass(to: facts(through: (instant, LogPosition.end), at: after), at: after)
            }
        }
        return transitions
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
