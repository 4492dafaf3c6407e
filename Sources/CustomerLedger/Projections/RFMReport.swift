public import Foundation

/// One customer's recency, frequency and monetary value at a reference date, before
/// scoring.
public struct RFMValues: Sendable, Hashable {
    /// UTC calendar days from the last counted purchase to the reference date (0: the
    /// same day).
    public var recencyDays: Int
    /// Counted purchases in the window (cancelled orders left out).
    public var frequency: Int
    /// Net spend in the window: purchases minus refunds issued in the window, in the
    /// policy's currency; negative when refunds exceed purchases.
    public var monetary: Money

    /// Builds the value from its parts (projections build it for you).
    public init(recencyDays: Int, frequency: Int, monetary: Money) {
        self.recencyDays = recencyDays
        self.frequency = frequency
        self.monetary = monetary
    }
}

/// One scored customer of an ``RFMReport``.
public struct RFMRow: Sendable, Hashable {
    /// The customer (the survivor when customers were merged).
    public var customer: StreamID
    /// The raw values.
    public var values: RFMValues
    /// 1–5, most recent = 5.
    public var recencyScore: Int
    /// 1–5, most purchases = 5.
    public var frequencyScore: Int
    /// 1–5, highest net spend = 5.
    public var monetaryScore: Int
    /// The segment of (``recencyScore``, ``frequencyScore``).
    public var segment: RFMSegment
    /// Historic lifetime value and model inputs (all history, whatever the window).
    public var lifetimeValue: LifetimeValue

    /// Builds the value from its parts (projections build it for you).
    public init(customer: StreamID, values: RFMValues, recencyScore: Int, frequencyScore: Int, monetaryScore: Int, segment: RFMSegment, lifetimeValue: LifetimeValue) {
        self.customer = customer
        self.values = values
        self.recencyScore = recencyScore
        self.frequencyScore = frequencyScore
        self.monetaryScore = monetaryScore
        self.segment = segment
        self.lifetimeValue = lifetimeValue
    }

    /// The three scores as analysts write them, such as `"545"`.
    public var code: String { "\(recencyScore)\(frequencyScore)\(monetaryScore)" }
}

/// RFM over the population at a reference date (domain.md §4): every customer with a
/// counted purchase in the window, in the policy's currency, scored by quintile and put
/// in a segment.
public struct RFMReport: Sendable, Hashable {
    /// The point of view; ``AsOf/time`` is the reference date.
    public var asOf: AsOf
    /// The currency and window used.
    public var policy: ValuePolicy
    /// The window's start (events after it count), or `nil` for all history.
    public var windowStart: Date?
    /// The scored customers, by customer id.
    public var customers: [RFMRow]
    /// Purchases and refunds in other currencies, left out, per currency.
    public var otherCurrencyEvents: [Currency: Int]
    /// Customers left out because all their purchases are in other currencies.
    public var customersOnlyInOtherCurrencies: Int

    /// Builds the value from its parts (projections build it for you).
    public init(asOf: AsOf, policy: ValuePolicy, windowStart: Date?, customers: [RFMRow], otherCurrencyEvents: [Currency: Int], customersOnlyInOtherCurrencies: Int) {
        self.asOf = asOf
        self.policy = policy
        self.windowStart = windowStart
        self.customers = customers
        self.otherCurrencyEvents = otherCurrencyEvents
        self.customersOnlyInOtherCurrencies = customersOnlyInOtherCurrencies
    }

    /// The row of a customer (a survivor's id), or `nil` when not scored.
    public func row(for customer: StreamID) -> RFMRow? {
        customers.first { $0.customer == customer }
    }

    /// Customers per segment (segments with none are absent).
    public var segmentCounts: [RFMSegment: Int] {
        customers.reduce(into: [:]) { $0[$1.segment, default: 0] += 1 }
    }

    /// Scores a population's values.
    init(asOf: AsOf, policy: ValuePolicy, population: ValuePopulation) {
        let time = asOf.time
        // By customer id, the order of the rows and of the ties.
        let scored: [(customer: StreamID, values: RFMValues)] = population.tallies.compactMap { owner, tally in
            tally.rfmValues(at: time, policy: policy).map { (owner, $0) }
        }.sorted { $0.customer < $1.customer }
        let values = scored.map(\.values)
        // Worst first: the longest since the last purchase, the fewest purchases, the
        // lowest net spend.
        let recency = RFMScoring.scores(
            count: values.count, worseThan: { values[$0].recencyDays > values[$1].recencyDays },
            equal: { values[$0].recencyDays == values[$1].recencyDays }
        )
        let frequency = RFMScoring.scores(
            count: values.count, worseThan: { values[$0].frequency < values[$1].frequency },
            equal: { values[$0].frequency == values[$1].frequency }
        )
        let monetary = RFMScoring.scores(
            count: values.count, worseThan: { values[$0].monetary.minorUnits < values[$1].monetary.minorUnits },
            equal: { values[$0].monetary.minorUnits == values[$1].monetary.minorUnits }
        )
        let rows = scored.indices.map { index in
            let (customer, values) = scored[index]
            let r = recency[index], f = frequency[index]
            return RFMRow(
                customer: customer, values: values, recencyScore: r, frequencyScore: f,
                monetaryScore: monetary[index], segment: RFMSegment(recencyScore: r, frequencyScore: f),
                lifetimeValue: population.tallies[customer]!.lifetimeValue(of: customer, at: time, policy: policy)
            )
        }
        self.init(
            asOf: asOf, policy: policy, windowStart: policy.window.start(endingAt: time), customers: rows,
            otherCurrencyEvents: population.otherCurrencyEvents,
            customersOnlyInOtherCurrencies: population.customersOnlyInOtherCurrencies
        )
    }
}

extension Ledger {
    /// RFM scores and segments of every customer who purchased in the window, at
    /// `asOf.time`: one pass over the cancellations, one over purchases and refunds (a
    /// few numbers per customer), then the ranking.
    public func rfm(asOf: AsOf = .now(), policy: ValuePolicy = .standard) throws(LedgerError) -> RFMReport {
        RFMReport(asOf: asOf, policy: policy, population: try ValuePopulation(ledger: self, asOf: asOf, policy: policy))
    }
}
