public import LedgerCore

/// One customer's inputs for predictive lifetime-value models (BG/NBD, Pareto/NBD,
/// Gamma-Gamma), in the convention of the Python `lifetimes` library's
/// `summary_data_from_transaction_data` with a time unit of one UTC day: purchases on the
/// same day are summed into one.
public struct LifetimesInputs: Sendable, Hashable {
    /// Distinct purchase days minus one: the number of repeat purchase days.
    public var frequency: Int
    /// Days from the first purchase day to the last.
    public var recency: Int
    /// Days from the first purchase day to the reference date (the end of observation);
    /// `lifetimes` calls it `T`.
    public var T: Int
    /// The purchases of the repeat days (every day but the first), summed exactly: gross
    /// purchases, refunds not subtracted.
    public var repeatSpend: Money

    /// Builds the value from its parts (projections build it for you).
    public init(frequency: Int, recency: Int, T: Int, repeatSpend: Money) {
        self.frequency = frequency
        self.recency = recency
        self.T = T
        self.repeatSpend = repeatSpend
    }

    /// The mean value of a repeat purchase day in major units (dollars, not cents): the
    /// model's `monetary_value`; 0 when ``frequency`` is 0. A model input, so a
    /// floating-point number; ``repeatSpend`` is the exact total behind it.
    public var monetary: Double {
        guard frequency > 0 else { return 0 }
        var scale = 1.0
        for _ in 0..<repeatSpend.currency.minorUnitDigits { scale *= 10 }
        return Double(repeatSpend.minorUnits) / scale / Double(frequency)
    }
}

/// A customer's lifetime value (domain.md §4): historic net spend to date, and the
/// inputs for predictive models.
public struct LifetimeValue: Sendable, Hashable {
    /// The customer (the survivor when customers were merged).
    public var customer: StreamID
    /// Net spend to date: counted purchases minus refunds, all history, in the policy's
    /// currency. Negative when refunds exceed purchases.
    public var historic: Money
    /// Counted purchases, all history, in the policy's currency.
    public var purchases: Int
    /// Model inputs; `nil` without a counted purchase in the policy's currency.
    public var inputs: LifetimesInputs?

    /// Builds the value from its parts (projections build it for you).
    public init(customer: StreamID, historic: Money, purchases: Int, inputs: LifetimesInputs?) {
        self.customer = customer
        self.historic = historic
        self.purchases = purchases
        self.inputs = inputs
    }
}

/// Lifetime value of every customer with a counted purchase or refund in the policy's
/// currency: one row per customer, as `lifetimes` expects.
public struct LifetimeValueReport: Sendable, Hashable {
    /// The point of view; ``AsOf/time`` is the end of observation.
    public var asOf: AsOf
    /// The currency and choices used.
    public var policy: ValuePolicy
    /// One row per customer, by customer id.
    public var customers: [LifetimeValue]
    /// Purchases and refunds in other currencies, left out, per currency.
    public var otherCurrencyEvents: [Currency: Int]
    /// Customers left out because all their purchases are in other currencies.
    public var customersOnlyInOtherCurrencies: Int

    /// Builds the value from its parts (projections build it for you).
    public init(asOf: AsOf, policy: ValuePolicy, customers: [LifetimeValue], otherCurrencyEvents: [Currency: Int], customersOnlyInOtherCurrencies: Int) {
        self.asOf = asOf
        self.policy = policy
        self.customers = customers
        self.otherCurrencyEvents = otherCurrencyEvents
        self.customersOnlyInOtherCurrencies = customersOnlyInOtherCurrencies
    }

    /// Total historic value over the customers.
    public var totalHistoric: Money {
        Money(minorUnits: customers.reduce(0) { $0 + $1.historic.minorUnits }, currency: policy.currency)
    }
}

extension Ledger {
    /// A customer's lifetime value as of a point of view, merged customers folded in.
    public func lifetimeValue(of customer: StreamID, asOf: AsOf = .now(), policy: ValuePolicy = .standard) throws(LedgerError) -> LifetimeValue {
        let history = try history(of: customer, asOf: asOf)
        return ValueTally(activity: PurchaseActivity(history.records), at: asOf.time, policy: policy)
            .lifetimeValue(of: history.customer, at: asOf.time, policy: policy)
    }

    /// The lifetime value of every customer, in one pass over the log's purchases and
    /// refunds.
    public func lifetimeValues(asOf: AsOf = .now(), policy: ValuePolicy = .standard) throws(LedgerError) -> LifetimeValueReport {
        let population = try ValuePopulation(ledger: self, asOf: asOf, policy: policy)
        let rows = population.tallies
            .filter { $0.value.hasActivity }
            .sorted { $0.key < $1.key }
            .map { $0.value.lifetimeValue(of: $0.key, at: asOf.time, policy: policy) }
        return LifetimeValueReport(
            asOf: asOf, policy: policy, customers: rows, otherCurrencyEvents: population.otherCurrencyEvents,
            customersOnlyInOtherCurrencies: population.customersOnlyInOtherCurrencies
        )
    }
}
