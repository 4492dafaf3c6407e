public import Foundation
public import LedgerCore

/// A share with the counts it comes from.
public struct KPIRate: Sendable, Hashable {
    /// The customers counted.
    public var numerator: Int
    /// The customers they are counted among.
    public var denominator: Int
    /// numerator ÷ denominator, `nil` when the denominator is 0.
    public var value: Double? { denominator == 0 ? nil : Double(numerator) / Double(denominator) }

    /// A rate from its counts.
    public init(numerator: Int, denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }
}

/// Revenue and order value in one currency over a period.
public struct KPIRevenue: Sendable, Hashable {
    /// The currency of every amount here.
    public var currency: Currency
    /// Counted purchases in the period.
    public var orders: Int
    /// Their total.
    public var sales: Money
    /// Refunds that happened in the period (whichever period the order was in).
    public var refunds: Money
    /// Sales minus refunds; it can be negative.
    public var revenue: Money { sales - refunds }
    /// Revenue ÷ orders, rounded to the minor unit (halves away from zero); `nil` without
    /// orders.
    public var averageOrderValue: Money? {
        guard orders > 0 else { return nil }
        let total = revenue.minorUnits, count = Int64(orders)
        var quotient = total / count
        let remainder = total % count
        if 2 * remainder.magnitude >= UInt64(count) { quotient += total < 0 ? -1 : 1 }
        return Money(minorUnits: quotient, currency: currency)
    }

    /// Revenue from its parts.
    public init(currency: Currency, orders: Int, sales: Money, refunds: Money) {
        self.currency = currency
        self.orders = orders
        self.sales = sales
        self.refunds = refunds
    }
}

/// The customer KPIs of a period `[from, to)` (domain.md §4), with the counts behind
/// every rate.
public struct KPIReport: Sendable, Hashable {
    /// The period's first instant.
    public var from: Date
    /// The instant after the period.
    public var to: Date
    /// The point of view (events that happened after its time do not count).
    public var asOf: AsOf
    /// The rules used.
    public var policy: KPIPolicy

    /// Customers with at least one counted purchase in the period.
    public var activeCustomers: Int
    /// Customers whose first counted purchase ever is in the period.
    public var newCustomers: Int
    /// Customers in an active stage just before `from` (so a customer churning at
    /// exactly `from` churns during the period).
    public var activeAtStart: Int
    /// Of those, the ones that entered `churned` during the period.
    public var churnedFromActive: Int
    /// All customers that entered `churned` during the period, active at the start or not.
    public var enteredChurned: Int
    /// Of the customers active at the start, the ones with a purchase in the period.
    public var retainedCustomers: Int
    /// Per currency.
    public var revenue: [Currency: KPIRevenue]

    /// `churnedFromActive ÷ activeAtStart`.
    public var churnRate: KPIRate { KPIRate(numerator: churnedFromActive, denominator: activeAtStart) }
    /// `retainedCustomers ÷ activeAtStart`.
    public var retentionRate: KPIRate { KPIRate(numerator: retainedCustomers, denominator: activeAtStart) }

    /// A report with its parts.
    public init(
        from: Date, to: Date, asOf: AsOf, policy: KPIPolicy, activeCustomers: Int, newCustomers: Int, activeAtStart: Int,
        churnedFromActive: Int, enteredChurned: Int, retainedCustomers: Int, revenue: [Currency: KPIRevenue]
    ) {
        self.from = from
        self.to = to
        self.asOf = asOf
        self.policy = policy
        self.activeCustomers = activeCustomers
        self.newCustomers = newCustomers
        self.activeAtStart = activeAtStart
        self.churnedFromActive = churnedFromActive
        self.enteredChurned = enteredChurned
        self.retainedCustomers = retainedCustomers
        self.revenue = revenue
    }
}

/// What the KPI pass keeps per customer: the lifecycle facts just before the period, the
/// first purchase, whether it bought in the period, and the purchase times from
/// `churnDays` before the period to its end (to find when it entered churned).
struct KPIAccumulator: Sendable {
    let from: Date
    let to: Date
    let policy: KPIPolicy
    var atStart: LifecycleAccumulator
    var firstPurchase: Date?
    var boughtInPeriod = false
    var churnWindow: [Date] = []

    init(from: Date, to: Date, policy: KPIPolicy) {
        self.from = from
        self.to = to
        self.policy = policy
        atStart = LifecycleAccumulator(at: LifecycleMoment(justBefore: from), policy: policy.lifecycle)
    }

    mutating func addPurchase(_ amount: Money, at time: Date) {
        if time < from { atStart.addPurchase(amount, at: time) }
        if firstPurchase.map({ time < $0 }) ?? true { firstPurchase = time }
        if time >= from, time < to { boughtInPeriod = true }
        if time >= from.addingTimeInterval(-LifecycleRules.days(policy.lifecycle.churnDays)), time < to { churnWindow.append(time) }
    }

    mutating func addRefund(_ amount: Money, at time: Date) {
        if time < from { atStart.addRefund(amount, at: time) }
    }

    var isActiveAtStart: Bool { policy.activeStages.contains(atStart.evaluate().stage) }

    var isNew: Bool { firstPurchase.map { $0 >= from && $0 < to } ?? false }

    /// Whether the customer entered churned at an instant in `[from, to)` no later than
    /// `end`: `churnDays` after a purchase with no purchase in between.
    func enteredChurned(by end: Date) -> Bool {
        let churn = LifecycleRules.days(policy.lifecycle.churnDays)
        let times = churnWindow.sorted()
        for (index, purchase) in times.enumerated() {
            let instant = purchase.addingTimeInterval(churn)
            guard instant >= from, instant < to, instant <= end else { continue }
            if index + 1 < times.count, times[index + 1] < instant { continue }
            return true
        }
        return false
    }
}

extension Ledger {
    /// The customer KPIs of the period `[from, to)`: active and new customers, churn and
    /// retention (with their counts), orders, revenue net of the period's refunds and
    /// average order value per currency.
    ///
    /// One pass over the log (after a pre-pass over cancellations), keeping per customer a
    /// few numbers and its purchase times from `churnDays` before the period to its end.
    /// - Parameters:
    ///   - from: the period's first instant.
    ///   - to: the instant after the period.
    ///   - asOf: the point of view; by default everything recorded, with time at `to`.
    ///     Events after `asOf.time` do not count, nor does churn after it.
    ///   - policy: the lifecycle rules and the stages that count as active.
    public func kpis(from: Date, to: Date, asOf: AsOf? = nil, policy: KPIPolicy = .standard) throws(LedgerError) -> KPIReport {
        precondition(from <= to, "A KPI period runs from its start to a later end")
        let asOf = asOf ?? AsOf(time: to)
        var customers: [StreamID: KPIAccumulator] = [:]
        var sales: [Currency: (orders: Int, minorUnits: Int64)] = [:]
        var refunds: [Currency: Int64] = [:]
        do {
            let cancelled = try CancelledOrders(ledger: self, asOf: asOf)
            try forEachCustomerEvent(asOf: asOf, filter: .only([PurchaseCompleted.eventType, RefundIssued.eventType])) { owner, record in
                let time = record.occurredAt
                let inPeriod = time >= from && time < to
                switch record.event {
                case .purchaseCompleted(let purchase) where !cancelled.isCancelled(purchase.orderId, of: owner):
                    customers[owner, default: KPIAccumulator(from: from, to: to, policy: policy)].addPurchase(purchase.amount, at: time)
                    if inPeriod {
                        sales[purchase.amount.currency, default: (0, 0)].orders += 1
                        sales[purchase.amount.currency, default: (0, 0)].minorUnits += purchase.amount.minorUnits
                    }
                case .refundIssued(let refund) where !cancelled.isCancelled(refund.orderId, of: owner):
                    customers[owner, default: KPIAccumulator(from: from, to: to, policy: policy)].addRefund(refund.amount, at: time)
                    if inPeriod { refunds[refund.amount.currency, default: 0] += refund.amount.minorUnits }
                default:
                    break
                }
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading purchases for the KPIs")
        }
        var active = 0, new = 0, activeAtStart = 0, churnedFromActive = 0, enteredChurned = 0, retained = 0
        for accumulator in customers.values {
            let wasActive = accumulator.isActiveAtStart
            let churned = accumulator.enteredChurned(by: asOf.time)
            if accumulator.boughtInPeriod { active += 1 }
            if accumulator.isNew { new += 1 }
            if churned { enteredChurned += 1 }
            if wasActive {
                activeAtStart += 1
                if churned { churnedFromActive += 1 }
                if accumulator.boughtInPeriod { retained += 1 }
            }
        }
        var revenue: [Currency: KPIRevenue] = [:]
        for currency in Set(sales.keys).union(refunds.keys) {
            revenue[currency] = KPIRevenue(
                currency: currency, orders: sales[currency]?.orders ?? 0,
                sales: Money(minorUnits: sales[currency]?.minorUnits ?? 0, currency: currency),
                refunds: Money(minorUnits: refunds[currency] ?? 0, currency: currency)
            )
        }
        return KPIReport(
            from: from, to: to, asOf: asOf, policy: policy, activeCustomers: active, newCustomers: new,
            activeAtStart: activeAtStart, churnedFromActive: churnedFromActive, enteredChurned: enteredChurned,
            retainedCustomers: retained, revenue: revenue
        )
    }
}
