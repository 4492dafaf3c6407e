public import Foundation

/// A customer's tier at one moment: the result of ``TierRules``.
public struct TierAssessment: Sendable, Hashable {
    /// The tier at ``time``.
    public var tier: Tier
    /// When the tier was evaluated.
    public var time: Date
    /// The trailing window: events after ``windowStart`` and at or before ``time`` count
    /// (for a quarter's close, see ``TierReview``).
    public var windowStart: Date
    /// Net spend in the window, in the policy's currency (can be negative).
    public var trailingNetSpend: Money
    /// Counted purchases in the window, in the policy's currency.
    public var trailingPurchases: Int
    /// Whether the customer had made any counted purchase (any currency) by ``time``.
    public var hasPurchased: Bool
    /// Purchases and refunds in the window in other currencies, left out of the spend.
    public var otherCurrencyEvents: Int
    /// The thresholds used.
    public var policy: TierPolicy

    /// Builds the value from its parts (projections build it for you).
    public init(
        tier: Tier, time: Date, windowStart: Date, trailingNetSpend: Money, trailingPurchases: Int,
        hasPurchased: Bool, otherCurrencyEvents: Int, policy: TierPolicy
    ) {
        self.tier = tier
        self.time = time
        self.windowStart = windowStart
        self.trailingNetSpend = trailingNetSpend
        self.trailingPurchases = trailingPurchases
        self.hasPurchased = hasPurchased
        self.otherCurrencyEvents = otherCurrencyEvents
        self.policy = policy
    }
}

/// The tier rules of domain.md §4 as pure functions: the same answer for the same
/// purchases, time and policy, with no ledger involved. ``Ledger/record(_:for:occurredAt:id:metadata:expecting:)``
/// can use them to snapshot a survey response's tier.
///
/// ```swift
/// let history = try ledger.history(of: "C1", asOf: AsOf(time: surveyTime))
/// let tier = TierRules.evaluate(purchases: PurchaseActivity(history.records), at: surveyTime).tier
/// ```
///
/// What counts is ``PurchaseActivity``'s rule: a cancelled order counts for nothing (its
/// refunds neither), a refund lowers spend at its own time.
public enum TierRules {
    /// The tier at `time`: the trailing window is the `trailingMonths` calendar months up
    /// to and including `time` (later events in `purchases` are ignored).
    public static func evaluate(purchases: PurchaseActivity, at time: Date, policy: TierPolicy = .standard) -> TierAssessment {
        evaluate(purchases: purchases, in: TierWindow(endingAt: time, months: policy.trailingMonths), policy: policy)
    }

    /// The tier at the history's as-of time.
    public static func evaluate(history: CustomerHistory, policy: TierPolicy = .standard) -> TierAssessment {
        evaluate(purchases: PurchaseActivity(history.records), at: history.asOf.time, policy: policy)
    }

    /// The tier at `time` from a customer's records (a ``CustomerHistory``'s, in any order).
    public static func tier(at time: Date, records: some Sequence<CustomerEventRecord>, policy: TierPolicy = .standard) -> Tier {
        evaluate(purchases: PurchaseActivity(records), at: time, policy: policy).tier
    }

    /// The tier with an explicit window (an instant, or a quarter's close).
    static func evaluate(purchases: PurchaseActivity, in window: TierWindow, policy: TierPolicy) -> TierAssessment {
        var tally = TierTally()
        for purchase in purchases.purchases {
            tally.addPurchase(purchase.amount, at: purchase.occurredAt, in: window, policy: policy)
        }
        for refund in purchases.refunds {
            tally.addRefund(refund.amount, at: refund.occurredAt, in: window, policy: policy)
        }
        return tally.assessment(in: window, policy: policy)
    }
}

/// The trailing window a tier is measured over. At an instant t it is (t − months, t];
/// at a quarter's close (the quarter's last instant) it is [end − months, end), where
/// `end` is the first instant of the next quarter. Months are UTC calendar months.
struct TierWindow: Sendable, Hashable {
    /// The moment reported as the tier's time.
    var time: Date
    var start: Date
    var end: Date
    /// True for an instant (end included, start excluded); false for a quarter's close.
    var includesEnd: Bool

    init(endingAt time: Date, months: Int) {
        self.time = time
        self.start = TimeMath.calendar.date(byAdding: .month, value: -months, to: time)!
        self.end = time
        self.includesEnd = true
    }

    init(closeOf quarter: Quarter, months: Int) {
        self.end = quarter.end
        self.time = quarter.end
        self.start = TimeMath.calendar.date(byAdding: .month, value: -months, to: quarter.end)!
        self.includesEnd = false
    }

    /// Whether something at `date` had happened by the window's end.
    func hasHappened(_ date: Date) -> Bool { includesEnd ? date <= end : date < end }

    /// Whether `date` is in the window.
    func contains(_ date: Date) -> Bool {
        includesEnd ? (date > start && date <= end) : (date >= start && date < end)
    }
}

/// The few numbers a tier needs at one window: built from a purchase list, or
/// accumulated in a population pass.
struct TierTally: Sendable, Hashable {
    var netSpend: Int64 = 0
    var purchases = 0
    var hasPurchased = false
    var otherCurrencyEvents = 0

    mutating func addPurchase(_ amount: Money, at date: Date, in window: TierWindow, policy: TierPolicy) {
        guard window.hasHappened(date) else { return }
        hasPurchased = true
        guard window.contains(date) else { return }
        guard amount.currency == policy.currency else {
            otherCurrencyEvents += 1
            return
        }
        netSpend += amount.minorUnits
        purchases += 1
    }

    mutating func addRefund(_ amount: Money, at date: Date, in window: TierWindow, policy: TierPolicy) {
        guard window.contains(date) else { return }
        guard amount.currency == policy.currency else {
            otherCurrencyEvents += 1
            return
        }
        netSpend -= amount.minorUnits
    }

    func assessment(in window: TierWindow, policy: TierPolicy) -> TierAssessment {
        let spend = Money(minorUnits: netSpend, currency: policy.currency)
        return TierAssessment(
            tier: policy.tier(trailingNetSpend: spend, trailingPurchases: purchases, hasPurchased: hasPurchased),
            time: window.time, windowStart: window.start, trailingNetSpend: spend, trailingPurchases: purchases,
            hasPurchased: hasPurchased, otherCurrencyEvents: otherCurrencyEvents, policy: policy
        )
    }
}

extension Ledger {
    /// A customer's tier as of a point of view, evaluated at `asOf.time`, merged
    /// customers folded in.
    public func tier(of customer: StreamID, asOf: AsOf = .now(), policy: TierPolicy = .standard) throws(LedgerError) -> TierAssessment {
        TierRules.evaluate(history: try history(of: customer, asOf: asOf), policy: policy)
    }
}
