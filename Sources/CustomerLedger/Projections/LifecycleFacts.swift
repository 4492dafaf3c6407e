import Foundation

/// An instant, or the instant just before or just after it. Rules with a "more than N
/// days" boundary (declining after 90 days, the mean-gap rule, the end of win-back) still
/// hold their old value at the boundary instant and change just after it; rules with an
/// "N days or more" boundary (churned, the spend windows) change at the instant itself.
/// Evaluating just before or just after an instant finds those changes exactly, without
/// an arbitrary small step.
struct LifecycleMoment: Hashable, Sendable {
    enum Side: Hashable, Sendable { case justBefore, at, justAfter }

    var time: Date
    var side: Side

    init(_ time: Date, justAfter: Bool = false) {
        self.time = time
        self.side = justAfter ? .justAfter : .at
    }

    init(justBefore time: Date) {
        self.time = time
        self.side = .justBefore
    }

    /// Whether the moment is later than `threshold` (t > threshold).
    func isPast(_ threshold: Date) -> Bool { side == .justAfter ? time >= threshold : time > threshold }

    /// Whether the moment is at or after `threshold` (t ≥ threshold).
    func hasReached(_ threshold: Date) -> Bool { side == .justBefore ? time > threshold : time >= threshold }
}

/// The few numbers the lifecycle rules need about one customer at one moment. Built from
/// a full purchase list for one customer, or accumulated in a population pass without
/// keeping the purchases.
struct LifecycleFacts: Sendable, Hashable {
    var purchaseCount = 0
    var firstPurchase: Date?
    var lastPurchase: Date?
    /// Net spend, in minor units per currency, in (t − window, t].
    var recentSpend: [Currency: Int64] = [:]
    /// Net spend in (t − 2·window, t − window].
    var earlierSpend: [Currency: Int64] = [:]
    /// The latest purchase that came `churnDays` or more after the purchase before it.
    var latestWinBack: Date?

    init() {}

    /// Facts from purchases and refunds that all happened by `moment` (purchases sorted
    /// by time).
    init(purchases: [PurchaseActivity.Purchase], refunds: [PurchaseActivity.Refund], at moment: LifecycleMoment, policy: LifecyclePolicy) {
        purchaseCount = purchases.count
        firstPurchase = purchases.first?.occurredAt
        lastPurchase = purchases.last?.occurredAt
        let churn = TimeMath.secondsPerDay * Double(policy.churnDays)
        var previous: Date?
        for purchase in purchases {
            addSpend(purchase.amount, at: purchase.occurredAt, moment: moment, policy: policy)
            if let previous, purchase.occurredAt.timeIntervalSince(previous) >= churn { latestWinBack = purchase.occurredAt }
            previous = purchase.occurredAt
        }
        for refund in refunds {
            addSpend(Money(minorUnits: -refund.amount.minorUnits, currency: refund.amount.currency), at: refund.occurredAt, moment: moment, policy: policy)
        }
    }

    /// Adds an amount (negative for a refund) that happened at `time` to the spend window
    /// it falls in, if any.
    mutating func addSpend(_ amount: Money, at time: Date, moment: LifecycleMoment, policy: LifecyclePolicy) {
        let window = TimeMath.secondsPerDay * Double(policy.spendWindowDays)
        // time > t − window  ⇔  t < time + window
        if !moment.hasReached(time.addingTimeInterval(window)) {
            recentSpend[amount.currency, default: 0] += amount.minorUnits
        } else if !moment.hasReached(time.addingTimeInterval(2 * window)) {
            earlierSpend[amount.currency, default: 0] += amount.minorUnits
        }
    }

    /// Whether net spend rose from the earlier window to the recent one: in every
    /// currency with spend in either window, the recent spend is higher.
    var spendRising: Bool {
        let currencies = Set(recentSpend.keys).union(earlierSpend.keys).filter {
            recentSpend[$0, default: 0] != 0 || earlierSpend[$0, default: 0] != 0
        }
        return !currencies.isEmpty && currencies.allSatisfy { recentSpend[$0, default: 0] > earlierSpend[$0, default: 0] }
    }
}
