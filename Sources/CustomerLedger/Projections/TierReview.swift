public import Foundation

/// How a customer's tier moved from one quarter's close to the next.
public enum TierDirection: String, Codable, Sendable, Hashable, CaseIterable {
    /// A higher tier than at the previous close (↑).
    case up
    /// A lower tier (↓).
    case down
    /// The same tier (=).
    case same

    /// The direction between two tiers; a customer not known at the previous close is
    /// compared with `potential`.
    public init(from previous: Tier?, to current: Tier) {
        let previous = previous ?? .potential
        self = current > previous ? .up : current < previous ? .down : .same
    }

    /// `↑`, `↓` or `=`.
    public var symbol: String {
        switch self {
        case .up: "↑"
        case .down: "↓"
        case .same: "="
        }
    }
}

/// One customer's line in a quarter of the tier review.
public struct TierReviewLine: Sendable, Hashable {
    /// The customer (the survivor when customers were merged).
    public var customer: StreamID
    /// The tier at the quarter's close.
    public var tier: Tier
    /// The tier at the previous quarter's close; `nil` when the customer was not known
    /// then (the direction then compares with `potential`).
    public var previousTier: Tier?
    /// ↑, ↓ or =.
    public var direction: TierDirection
    /// Net spend in the trailing window at the close, in the policy's currency.
    public var trailingNetSpend: Money
    /// Counted purchases in the trailing window at the close.
    public var trailingPurchases: Int

    /// Builds the value from its parts (projections build it for you).
    public init(customer: StreamID, tier: Tier, previousTier: Tier?, direction: TierDirection, trailingNetSpend: Money, trailingPurchases: Int) {
        self.customer = customer
        self.tier = tier
        self.previousTier = previousTier
        self.direction = direction
        self.trailingNetSpend = trailingNetSpend
        self.trailingPurchases = trailingPurchases
    }
}

/// One calendar quarter of the tier review (domain.md §4).
public struct TierReviewQuarter: Sendable, Hashable {
    /// The quarter.
    public var quarter: Quarter
    /// When its tiers were taken: the quarter's end (the first instant of the next
    /// quarter, events before it count), or the as-of time for a quarter not over yet.
    public var evaluatedAt: Date
    /// False while the quarter is not over at the as-of time: its tiers are as of then.
    public var isComplete: Bool
    /// Every customer known by the close, by customer id.
    public var customers: [TierReviewLine]

    /// Builds the value from its parts (projections build it for you).
    public init(quarter: Quarter, evaluatedAt: Date, isComplete: Bool, customers: [TierReviewLine]) {
        self.quarter = quarter
        self.evaluatedAt = evaluatedAt
        self.isComplete = isComplete
        self.customers = customers
    }

    /// Customers per tier (every tier present, 0 when none).
    public var countsByTier: [Tier: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Tier.allCases.map { ($0, 0) })
        for line in customers { counts[line.tier, default: 0] += 1 }
        return counts
    }

    /// Customers per direction (every direction present, 0 when none).
    public var countsByDirection: [TierDirection: Int] {
        var counts = Dictionary(uniqueKeysWithValues: TierDirection.allCases.map { ($0, 0) })
        for line in customers { counts[line.direction, default: 0] += 1 }
        return counts
    }

    /// The lowest trailing net spend among the customers in each tier: how little it took
    /// to reach it this quarter. `potential` and tiers nobody reached are absent.
    public var lowestSpendReaching: [Tier: Money] {
        var lowest: [Tier: Money] = [:]
        for line in customers where line.tier != .potential {
            if lowest[line.tier].map({ line.trailingNetSpend.minorUnits < $0.minorUnits }) ?? true {
                lowest[line.tier] = line.trailingNetSpend
            }
        }
        return lowest
    }
}

/// The quarterly tier review (domain.md §4): per calendar quarter, each customer's tier
/// at the quarter's close, the tier at the previous close and the direction, with counts
/// per tier and direction and the lowest spend that reached each tier.
///
/// A quarter's close is its last instant: the trailing window is the `trailingMonths`
/// calendar months before the next quarter's first instant (for 12 months and 2024Q2:
/// 2023-07-01 00:00 to 2024-06-30 24:00). What counts is the view's: a cancelled order
/// counts in no quarter, and identities (merges) are as of the view.
public struct TierReview: Sendable, Hashable {
    /// The point of view.
    public var asOf: AsOf
    /// The thresholds used.
    public var policy: TierPolicy
    /// The quarters, oldest first; quarters that had not started at the as-of time are
    /// left out.
    public var quarters: [TierReviewQuarter]

    /// Builds the value from its parts (projections build it for you).
    public init(asOf: AsOf, policy: TierPolicy, quarters: [TierReviewQuarter]) {
        self.asOf = asOf
        self.policy = policy
        self.quarters = quarters
    }

    /// The review of a quarter, if it is in the report.
    public func quarter(_ quarter: Quarter) -> TierReviewQuarter? {
        quarters.first { $0.quarter == quarter }
    }

    /// The four quarters up to and including the one holding `time`.
    public static func defaultQuarters(endingAt time: Date) -> ClosedRange<Quarter> {
        let last = TimeMath.quarter(of: time)
        return last.previous.previous.previous...last
    }
}

/// The windows of a review: the close before the first quarter, then each quarter's.
struct TierReviewPlan: Sendable {
    var quarters: [Quarter]
    /// `windows[0]` is the previous close of `quarters[0]`; `windows[i + 1]` is `quarters[i]`'s.
    var windows: [TierWindow]

    init(quarters range: ClosedRange<Quarter>, asOf: AsOf, policy: TierPolicy) {
        var quarters: [Quarter] = []
        var quarter = range.lowerBound
        while quarter <= range.upperBound, quarter.start <= asOf.time {
            quarters.append(quarter)
            quarter = quarter.next
        }
        self.quarters = quarters
        func window(_ quarter: Quarter) -> TierWindow {
            Self.isOver(quarter, at: asOf.time)
                ? TierWindow(closeOf: quarter, months: policy.trailingMonths)
                : TierWindow(endingAt: asOf.time, months: policy.trailingMonths)
        }
        windows = quarters.isEmpty ? [] : [window(range.lowerBound.previous)] + quarters.map(window)
    }

    /// Whether `quarter` is over at `time`: the ledger stores microseconds, so its last
    /// microsecond (`2024-06-30T23:59:59.999999Z`, what a CLI date alone means) closes it.
    static func isOver(_ quarter: Quarter, at time: Date) -> Bool {
        quarter.end.microsecondsSince1970 - 1 <= time.microsecondsSince1970
    }

    /// One customer's tallies at every window, and whether it was known at each.
    struct Customer: Sendable {
        var tallies: [TierTally]
        var known: [Bool]

        init(windows: Int) {
            tallies = Array(repeating: TierTally(), count: windows)
            known = Array(repeating: false, count: windows)
        }
    }

    func seen(_ date: Date, _ customer: inout Customer) {
        for (index, window) in windows.enumerated() where !customer.known[index] && window.hasHappened(date) {
            customer.known[index] = true
        }
    }

    func addPurchase(_ amount: Money, at date: Date, _ customer: inout Customer, policy: TierPolicy) {
        for index in windows.indices { customer.tallies[index].addPurchase(amount, at: date, in: windows[index], policy: policy) }
    }

    func addRefund(_ amount: Money, at date: Date, _ customer: inout Customer, policy: TierPolicy) {
        for index in windows.indices { customer.tallies[index].addRefund(amount, at: date, in: windows[index], policy: policy) }
    }

    /// The report from every customer's tallies.
    func review(_ customers: [StreamID: Customer], asOf: AsOf, policy: TierPolicy) -> TierReview {
        let ids = customers.keys.sorted()
        let summaries = quarters.enumerated().map { offset, quarter in
            let index = offset + 1
            let lines: [TierReviewLine] = ids.compactMap { id in
                let customer = customers[id]!
                guard customer.known[index] else { return nil }
                let now = customer.tallies[index].assessment(in: windows[index], policy: policy)
                let previous = customer.known[index - 1]
                    ? customer.tallies[index - 1].assessment(in: windows[index - 1], policy: policy).tier : nil
                return TierReviewLine(
                    customer: id, tier: now.tier, previousTier: previous, direction: TierDirection(from: previous, to: now.tier),
                    trailingNetSpend: now.trailingNetSpend, trailingPurchases: now.trailingPurchases
                )
            }
            return TierReviewQuarter(
                quarter: quarter, evaluatedAt: windows[index].time, isComplete: TierReviewPlan.isOver(quarter, at: asOf.time), customers: lines
            )
        }
        return TierReview(asOf: asOf, policy: policy, quarters: summaries)
    }
}

extension Ledger {
    /// The quarterly tier review of every customer: one pass over the cancellations, one
    /// over the log, memory per customer bounded by the number of quarters.
    /// - Parameters:
    ///   - quarters: the quarters to review; by default the four up to and including the
    ///     one holding `asOf.time`.
    ///   - asOf: the point of view.
    ///   - policy: the tier thresholds.
    public func tierReview(
        quarters: ClosedRange<Quarter>? = nil, asOf: AsOf = .now(), policy: TierPolicy = .standard
    ) throws(LedgerError) -> TierReview {
        let plan = TierReviewPlan(quarters: quarters ?? TierReview.defaultQuarters(endingAt: asOf.time), asOf: asOf, policy: policy)
        guard !plan.windows.isEmpty else { return TierReview(asOf: asOf, policy: policy, quarters: []) }
        let cancellations = try CancelledOrders(ledger: self, asOf: asOf)
        var customers: [StreamID: TierReviewPlan.Customer] = [:]
        do {
            try forEachCustomerEvent(asOf: asOf) { owner, record in
                var customer = customers.removeValue(forKey: owner) ?? TierReviewPlan.Customer(windows: plan.windows.count)
                defer { customers[owner] = customer }
                plan.seen(record.occurredAt, &customer)
                switch record.event {
                case .purchaseCompleted(let purchase) where !cancellations.isCancelled(purchase.orderId, of: owner):
                    plan.addPurchase(purchase.amount, at: record.occurredAt, &customer, policy: policy)
                case .refundIssued(let refund) where !cancellations.isCancelled(refund.orderId, of: owner):
                    plan.addRefund(refund.amount, at: record.occurredAt, &customer, policy: policy)
                default:
                    break
                }
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reviewing tiers")
        }
        return plan.review(customers, asOf: asOf, policy: policy)
    }

    /// The quarterly tier review of one customer, merged customers folded in.
    public func tierReview(
        of customer: StreamID, quarters: ClosedRange<Quarter>? = nil, asOf: AsOf = .now(), policy: TierPolicy = .standard
    ) throws(LedgerError) -> TierReview {
        let plan = TierReviewPlan(quarters: quarters ?? TierReview.defaultQuarters(endingAt: asOf.time), asOf: asOf, policy: policy)
        let history = try history(of: customer, asOf: asOf)
        guard !plan.windows.isEmpty, !history.isEmpty else { return plan.review([:], asOf: asOf, policy: policy) }
        var tallies = TierReviewPlan.Customer(windows: plan.windows.count)
        for record in history.records { plan.seen(record.occurredAt, &tallies) }
        let activity = PurchaseActivity(history.records)
        for purchase in activity.purchases { plan.addPurchase(purchase.amount, at: purchase.occurredAt, &tallies, policy: policy) }
        for refund in activity.refunds { plan.addRefund(refund.amount, at: refund.occurredAt, &tallies, policy: policy) }
        return plan.review([history.customer: tallies], asOf: asOf, policy: policy)
    }
}
