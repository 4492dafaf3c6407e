import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger rfm`: recency, frequency and monetary value of every customer who purchased,
/// scored 1–5 by quintile, with the segment and the lifetime-value model inputs.
struct RFMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rfm",
        abstract: "Score every customer who purchased by recency, frequency and monetary value, with segments and lifetime-value model inputs.",
        discussion: """
            R is days since the last purchase at --as-of, F the number of purchases, M the net spend \
            (purchases minus refunds); scores 1–5 by quintile (R reversed), ties broken by customer id. \
            --json lists every customer with the inputs of the 'lifetimes' models (frequency, recency, \
            T in days, monetary) under "lifetimes".
            """
    )

    @OptionGroup var view: ViewOptions
    @OptionGroup var currencyOptions: CurrencyOptions

    @Option(help: ArgumentHelp("Only the last N days count for R, F and M (default: all history).", valueName: "days"))
    var windowDays: Int?

    func validate() throws {
        if let windowDays, windowDays < 1 { throw ValidationError("--window-days must be at least 1.") }
    }

    mutating func run() async throws {
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let asOf = try view.asOf()
        let policy = ValuePolicy(currency: try currencyOptions.currency(in: ledger, asOf: asOf), window: windowDays.map { .days($0) } ?? .allHistory)
        let report = try ledger.rfm(asOf: asOf, policy: policy)
        let output = OutputWriter.standardOutput()
        if view.json {
            try output.document(Self.json(report))
        } else {
            try Self.printReport(report, to: output)
        }
        try output.finish()
    }

    static func json(_ report: RFMReport) -> JSONValue {
        .object([
            ("asOf", .asOf(report.asOf)),
            ("currency", .string(report.policy.currency.code)),
            ("windowStart", .date(report.windowStart)),
            ("segments", .object(RFMSegment.allCases.map { ($0.rawValue, .integer(report.segmentCounts[$0] ?? 0)) })),
            ("leftOut", ValueCommand.leftOut(report.otherCurrencyEvents, customers: report.customersOnlyInOtherCurrencies)),
            ("customers", .array(report.customers.map { row in
                .object([
                    ("customer", .string(row.customer.rawValue)),
                    ("recency", .integer(row.values.recencyDays)),
                    ("frequency", .integer(row.values.frequency)),
                    ("monetary", .string(row.values.monetary.amountText)),
                    ("recencyScore", .integer(row.recencyScore)),
                    ("frequencyScore", .integer(row.frequencyScore)),
                    ("monetaryScore", .integer(row.monetaryScore)),
                    ("score", .string(row.code)),
                    ("segment", .string(row.segment.rawValue)),
                    ("lifetimes", ValueCommand.lifetimes(row.lifetimeValue.inputs)),
                ])
            })),
        ])
    }

    static func printReport(_ report: RFMReport, to output: OutputWriter) throws(CommandFailure) {
        let window = report.windowStart.map { " (purchases after \(Show.date($0)))" } ?? ""
        try output.line("RFM of \(report.customers.count) customers as of \(Show.date(report.asOf.time))\(ViewOptions.describe(report.asOf.knownAt)), in \(report.policy.currency)\(window):")
        try ValueCommand.printLeftOut(report.otherCurrencyEvents, customers: report.customersOnlyInOtherCurrencies, to: output)
        try output.line()
        let counts = report.segmentCounts
        let total = max(1, report.customers.count)
        let segments = TextTable([.left("SEGMENT"), .right("CUSTOMERS"), .right("SHARE")], output: output)
        for segment in RFMSegment.allCases {
            let count = counts[segment] ?? 0
            try segments.add([segment.displayName, String(count), Show.percent(100 * Double(count) / Double(total))])
        }
        try segments.finish()
        guard !report.customers.isEmpty else { return }
        try output.line()
        let table = TextTable(
            [.left("CUSTOMER"), .right("R (DAYS)"), .right("F"), .right("M"), .left("RFM"), .left("SEGMENT"),
             .right("LT FREQ"), .right("LT RECENCY"), .right("LT T"), .right("LT MONETARY")],
            output: output
        )
        for row in report.customers {
            let inputs = row.lifetimeValue.inputs
            try table.add([
                row.customer.rawValue, String(row.values.recencyDays), String(row.values.frequency), row.values.monetary.amountText,
                row.code, row.segment.displayName,
                inputs.map { String($0.frequency) } ?? "-", inputs.map { String($0.recency) } ?? "-",
                inputs.map { String($0.T) } ?? "-", inputs.map { Show.number($0.monetary, digits: 2) } ?? "-",
            ])
        }
        try table.finish()
    }
}
