public import Foundation

/// One customer's value at a point of view (domain.md §4): what was bought and refunded,
/// the RFM values before scoring (scores need the population: see ``RFMReport``), and
/// lifetime value.
public struct CustomerValue: Sendable, Hashable {
    /// The customer (the survivor when customers were merged).
    public var customer: StreamID
    /// The point of view; ``AsOf/time`` is the reference date.
    public var asOf: AsOf
    /// The currency and window used.
    public var policy: ValuePolicy
    /// Counted purchases before refunds, all history.
    public var grossSpend: Money
    /// Refunds of counted orders, all history.
    public var refunded: Money
    /// The first counted purchase in the policy's currency.
    public var firstPurchase: Date?
    /// The latest counted purchase in the policy's currency.
    public var lastPurchase: Date?
    /// Recency, frequency and monetary value in the window; `nil` without a purchase in it.
    public var rfm: RFMValues?
    /// Historic value (net spend to date) and model inputs.
    public var lifetimeValue: LifetimeValue
    /// Purchases and refunds in other currencies, left out, per currency.
    public var otherCurrencyEvents: [Currency: Int]

    /// Builds the value from its parts (projections build it for you).
    public init(
        customer: StreamID, asOf: AsOf, policy: ValuePolicy, grossSpend: Money, refunded: Money,
        firstPurchase: Date?, lastPurchase: Date?, rfm: RFMValues?, lifetimeValue: LifetimeValue,
        otherCurrencyEvents: [Currency: Int]
    ) {
        self.customer = customer
        self.asOf = asOf
        self.policy = policy
        self.grossSpend = grossSpend
        self.refunded = refunded
        self.firstPurchase = firstPurchase
        self.lastPurchase = lastPurchase
        self.rfm = rfm
        self.lifetimeValue = lifetimeValue
        self.otherCurrencyEvents = otherCurrencyEvents
    }

    /// One customer's value from its activity.
    public init(customer: StreamID, activity: PurchaseActivity, asOf: AsOf, policy: ValuePolicy = .standard) {
        let tally = ValueTally(activity: activity, at: asOf.time, policy: policy)
        self.init(
            customer: customer, asOf: asOf, policy: policy,
            grossSpend: Money(minorUnits: tally.grossMinorUnits, currency: policy.currency),
            refunded: Money(minorUnits: tally.refundedMinorUnits, currency: policy.currency),
            firstPurchase: tally.firstPurchase, lastPurchase: tally.lastPurchase,
            rfm: tally.rfmValues(at: asOf.time, policy: policy),
            lifetimeValue: tally.lifetimeValue(of: customer, at: asOf.time, policy: policy),
            otherCurrencyEvents: tally.otherCurrencyEvents
        )
    }
}

extension Ledger {
    /// A customer's value as of a point of view, merged customers folded in.
    public func value(of customer: StreamID, asOf: AsOf = .now(), policy: ValuePolicy = .standard) throws(LedgerError) -> CustomerValue {
        let history = try history(of: customer, asOf: asOf)
        return CustomerValue(customer: history.customer, activity: PurchaseActivity(history.records), asOf: asOf, policy: policy)
    }

    /// The currency most purchases in the view are in (ties: the code first in
    /// alphabetical order), or `nil` without purchases: a sensible ``ValuePolicy/currency``
    /// for a ledger that does not trade in USD. Cancelled orders count here too.
    public func mostCommonPurchaseCurrency(asOf: AsOf = .now()) throws(LedgerError) -> Currency? {
        var counts: [Currency: Int] = [:]
        do {
            try forEachCustomerEvent(asOf: asOf, filter: .only([PurchaseCompleted.eventType])) { _, record in
                if case .purchaseCompleted(let purchase) = record.event { counts[purchase.amount.currency, default: 0] += 1 }
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Counting purchase currencies")
        }
        return counts.max { ($0.value, $1.key.code) < ($1.value, $0.key.code) }?.key
    }
}
