import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger value [ID]`: a customer's spend, RFM values and lifetime value, or the
/// lifetime value of every customer.
struct ValueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "value",
        abstract: "Show a customer's spend, RFM values and lifetime value, or every customer's lifetime value.",
        discussion: "Historic lifetime value is net spend to date; the model inputs follow the 'lifetimes' library (days, purchases on one day summed)."
    )

    @OptionGroup var view: ViewOptions
    @OptionGroup var currencyOptions: CurrencyOptions

    @Argument(help: ArgumentHelp("The customer; without it, every customer with a purchase.", valueName: "id"))
    var customer: String?

    @Option(help: ArgumentHelp("How many of the most valuable customers the table shows.", valueName: "n"))
    var top: Int = 20

    func validate() throws {
        if top < 0 { throw ValidationError("--top must not be negative.") }
    }

    mutating func run() async throws {
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let asOf = try view.asOf()
        let output = OutputWriter.standardOutput()
        if let customer {
            let id = try view.customer(customer, in: ledger)
            let history = try ledger.history(of: id, asOf: asOf)
            guard !history.isEmpty else { throw view.unknownAsOf(id, asOf) }
            let currency = try currencyOptions.currencyCode == nil
                ? Self.customerCurrency(PurchaseActivity(history.records)) ?? currencyOptions.currency(in: ledger, asOf: asOf)
                : currencyOptions.currency(in: ledger, asOf: asOf)
            let value = CustomerValue(customer: history.customer, activity: PurchaseActivity(history.records), asOf: asOf, policy: ValuePolicy(currency: currency))
            let tier = TierRules.evaluate(history: history, policy: TierPolicy(currency: currency))
            if view.json {
                try output.document(Self.json(value, tier: tier, requested: id))
            } else {
                try Self.printCustomer(value, tier: tier, requested: id, to: output)
            }
        } else {
            let report = try ledger.lifetimeValues(asOf: asOf, policy: ValuePolicy(currency: try currencyOptions.currency(in: ledger, asOf: asOf)))
            if view.json {
                try output.document(Self.json(report))
            } else {
                try printReport(report, to: output)
            }
        }
        try output.finish()
    }

    /// The currency most of one customer's purchases are in.
    static func customerCurrency(_ activity: PurchaseActivity) -> Currency? {
        var counts: [Currency: Int] = [:]
        for purchase in activity.purchases { counts[purchase.amount.currency, default: 0] += 1 }
        return counts.max { ($0.value, $1.key.code) < ($1.value, $0.key.code) }?.key
    }

    // MARK: One customer

    static func printCustomer(_ value: CustomerValue, tier: TierAssessment, requested: StreamID, to output: OutputWriter) throws(CommandFailure) {
        let lifetime = value.lifetimeValue
        var facts: [(String, String)] = [
            ("customer", value.customer.rawValue + (requested == value.customer ? "" : " (\(requested) is merged into it)")),
            ("as of", Show.date(value.asOf.time)),
            ("currency", value.policy.currency.code),
            ("purchases", String(lifetime.purchases)),
            ("gross spend", Show.money(value.grossSpend)),
            ("refunded", Show.money(value.refunded)),
            ("historic value (net)", Show.money(lifetime.historic)),
            ("first purchase", Show.date(value.firstPurchase)),
            ("last purchase", Show.date(value.lastPurchase)),
            ("tier", "\(tier.tier.rawValue) (trailing \(tier.policy.trailingMonths) months: \(tier.trailingNetSpend), \(tier.trailingPurchases) purchases)"),
        ]
        if let rfm = value.rfm {
            facts.append(("RFM values", "recency \(rfm.recencyDays) days, frequency \(rfm.frequency), monetary \(rfm.monetary)"))
        } else {
            facts.append(("RFM values", "- (no purchase in the window)"))
        }
        if let inputs = lifetime.inputs {
            facts.append(("lifetimes inputs", "frequency \(inputs.frequency), recency \(inputs.recency), T \(inputs.T), monetary \(Show.number(inputs.monetary, digits: 2))"))
        }
        if !value.otherCurrencyEvents.isEmpty {
            facts.append(("left out", value.otherCurrencyEvents.sorted { $0.key.code < $1.key.code }.map { "\($0.value) in \($0.key)" }.joined(separator: ", ")))
        }
        try TextTable.printFacts(facts, to: output)
    }

    static func json(_ value: CustomerValue, tier: TierAssessment, requested: StreamID) -> JSONValue {
        let lifetime = value.lifetimeValue
        return .object([
            ("customer", .string(value.customer.rawValue)),
            ("requested", .string(requested.rawValue)),
            ("asOf", .asOf(value.asOf)),
            ("currency", .string(value.policy.currency.code)),
            ("purchases", .integer(lifetime.purchases)),
            ("grossSpend", .string(value.grossSpend.amountText)),
            ("refunded", .string(value.refunded.amountText)),
            ("historic", .string(lifetime.historic.amountText)),
            ("firstPurchase", .date(value.firstPurchase)),
            ("lastPurchase", .date(value.lastPurchase)),
            ("rfm", value.rfm.map { rfm in
                .object([("recency", .integer(rfm.recencyDays)), ("frequency", .integer(rfm.frequency)), ("monetary", .string(rfm.monetary.amountText))])
            } ?? .null),
            ("lifetimes", lifetimes(lifetime.inputs)),
            ("tier", .object([
                ("tier", .string(tier.tier.rawValue)),
                ("trailingNetSpend", .string(tier.trailingNetSpend.amountText)),
                ("trailingPurchases", .integer(tier.trailingPurchases)),
                ("windowStart", .date(tier.windowStart)),
            ])),
            ("leftOut", leftOut(value.otherCurrencyEvents, customers: nil)),
        ])
    }

    // MARK: Every customer

    func printReport(_ report: LifetimeValueReport, to output: OutputWriter) throws(CommandFailure) {
        try output.line("Lifetime value of \(report.customers.count) customers as of \(Show.date(report.asOf.time))\(ViewOptions.describe(report.asOf.knownAt)), in \(report.policy.currency):")
        try Self.printLeftOut(report.otherCurrencyEvents, customers: report.customersOnlyInOtherCurrencies, to: output)
        try output.line()
        let historic = report.customers.map(\.historic.minorUnits).sorted()
        let median = historic.isEmpty ? nil : Money(minorUnits: historic[historic.count / 2], currency: report.policy.currency)
        try TextTable.printFacts([
            ("total historic value", Show.money(report.totalHistoric)),
            ("customers", String(report.customers.count)),
            ("median per customer", Show.money(median)),
            ("repeat buyers", String(report.customers.filter { ($0.inputs?.frequency ?? 0) > 0 }.count)),
        ], to: output)
        guard top > 0, !report.customers.isEmpty else { return }
        try output.line()
        try output.line("Most valuable customers:")
        let table = TextTable(
            [.left("CUSTOMER"), .right("HISTORIC"), .right("PURCHASES"), .right("FREQUENCY"), .right("RECENCY"), .right("T"), .right("MONETARY")],
            output: output
        )
        let ranked = report.customers.sorted { ($1.historic.minorUnits, $0.customer) < ($0.historic.minorUnits, $1.customer) }
        for value in ranked.prefix(top) {
            let inputs = value.inputs
            try table.add([
                value.customer.rawValue, value.historic.amountText, String(value.purchases),
                inputs.map { String($0.frequency) } ?? "-", inputs.map { String($0.recency) } ?? "-",
                inputs.map { String($0.T) } ?? "-", inputs.map { Show.number($0.monetary, digits: 2) } ?? "-",
            ])
        }
        try table.finish()
    }

    static func json(_ report: LifetimeValueReport) -> JSONValue {
        .object([
            ("asOf", .asOf(report.asOf)),
            ("currency", .string(report.policy.currency.code)),
            ("totalHistoric", .string(report.totalHistoric.amountText)),
            ("leftOut", leftOut(report.otherCurrencyEvents, customers: report.customersOnlyInOtherCurrencies)),
            ("customers", .array(report.customers.map { value in
                .object([
                    ("customer", .string(value.customer.rawValue)),
                    ("historic", .string(value.historic.amountText)),
                    ("purchases", .integer(value.purchases)),
                    ("lifetimes", lifetimes(value.inputs)),
                ])
            })),
        ])
    }

    // MARK: Shared with rfm

    /// The `lifetimes` model inputs, or `null`.
    static func lifetimes(_ inputs: LifetimesInputs?) -> JSONValue {
        guard let inputs else { return .null }
        return .object([
            ("frequency", .integer(inputs.frequency)),
            ("recency", .integer(inputs.recency)),
            ("T", .integer(inputs.T)),
            ("monetary", .double(inputs.monetary)),
            ("repeatSpend", .string(inputs.repeatSpend.amountText)),
        ])
    }

    static func leftOut(_ events: [Currency: Int], customers: Int?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("eventsByCurrency", .object(events.sorted { $0.key.code < $1.key.code }.map { ($0.key.code, .integer($0.value)) })),
        ]
        if let customers { members.append(("customersOnlyInOtherCurrencies", .integer(customers))) }
        return .object(members)
    }

    static func printLeftOut(_ events: [Currency: Int], customers: Int, to output: OutputWriter) throws(CommandFailure) {
        guard !events.isEmpty else { return }
        let list = events.sorted { $0.key.code < $1.key.code }.map { "\($0.value) in \($0.key)" }.joined(separator: ", ")
        try output.line("Left out (other currencies, never converted): \(list) events; \(customers) customers bought only in them. Use --currency to measure in another.")
    }
}
