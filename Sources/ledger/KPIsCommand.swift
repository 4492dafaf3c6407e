import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger kpis [--from] [--to]`: the customer KPIs of a period.
struct KPIsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpis",
        abstract: "Show the customer KPIs of a period: active and new customers, churn and retention, revenue and average order value.",
        discussion: "The period runs from --from (a date alone: the start of that day) to --to inclusive (a date alone: the end of that day); by default the calendar quarter to date at --as-of."
    )

    @OptionGroup var view: ViewOptions
    @OptionGroup var period: PeriodOptions

    mutating func run() async throws {
        let asOf = try view.asOf()
        let to = try period.toText.map { text throws(CommandFailure) in try PointInTime.parse(text, option: "--to") } ?? asOf.time
        let from = try period.fromText.map { text throws(CommandFailure) in try PointInTime.parse(text, option: "--from", dateAlone: .start) }
            ?? TimeMath.quarter(of: to).start
        guard from <= to else {
            throw CommandFailure("--from \(Show.date(from)) is after --to \(Show.date(to)): give a period that starts before it ends.")
        }
        let ledger = try view.openLedger()
        defer { ledger.close() }
        // The report's period is [from, to): one microsecond past an inclusive end.
        let report = try ledger.kpis(from: from, to: to.addingTimeInterval(0.000_001), asOf: asOf)
        let output = OutputWriter.standardOutput()
        if view.json {
            try output.document(Self.json(report, through: to))
        } else {
            try Self.printReport(report, through: to, to: output)
        }
        try output.finish()
    }

    static func rate(_ rate: KPIRate) -> String {
        "\(Show.percent(rate.value.map { $0 * 100 })) (\(rate.numerator) of \(rate.denominator))"
    }

    static func printReport(_ report: KPIReport, through: Date, to output: OutputWriter) throws(CommandFailure) {
        try output.line("KPIs from \(Show.date(report.from)) through \(Show.date(through)), as of \(Show.date(report.asOf.time))\(ViewOptions.describe(report.asOf.knownAt)):")
        try output.line()
        var facts: [(String, String)] = [
            ("active customers (bought in the period)", String(report.activeCustomers)),
            ("new customers (first purchase)", String(report.newCustomers)),
            ("active at the start", String(report.activeAtStart)),
            ("churn rate", rate(report.churnRate)),
            ("retention rate", rate(report.retentionRate)),
            ("entered churned (all)", String(report.enteredChurned)),
        ]
        for revenue in report.revenue.values.sorted(by: { $0.currency.code < $1.currency.code }) {
            facts.append(("revenue \(revenue.currency)", "\(revenue.revenue.amountText) (sales \(revenue.sales.amountText) − refunds \(revenue.refunds.amountText))"))
            facts.append(("orders \(revenue.currency)", String(revenue.orders)))
            facts.append(("average order value \(revenue.currency)", revenue.averageOrderValue?.amountText ?? "-"))
        }
        try TextTable.printFacts(facts, to: output)
    }

    static func json(_ rate: KPIRate) -> JSONValue {
        .object([("value", .optional(rate.value)), ("numerator", .integer(rate.numerator)), ("denominator", .integer(rate.denominator))])
    }

    static func json(_ report: KPIReport, through: Date) -> JSONValue {
        .object([
            ("from", .date(report.from)),
            ("to", .date(through)),
            ("asOf", .asOf(report.asOf)),
            ("activeCustomers", .integer(report.activeCustomers)),
            ("newCustomers", .integer(report.newCustomers)),
            ("activeAtStart", .integer(report.activeAtStart)),
            ("churnedFromActive", .integer(report.churnedFromActive)),
            ("enteredChurned", .integer(report.enteredChurned)),
            ("retainedCustomers", .integer(report.retainedCustomers)),
            ("churnRate", json(report.churnRate)),
            ("retentionRate", json(report.retentionRate)),
            ("revenue", .array(report.revenue.values.sorted { $0.currency.code < $1.currency.code }.map { revenue in
                .object([
                    ("currency", .string(revenue.currency.code)),
                    ("orders", .integer(revenue.orders)),
                    ("sales", .string(revenue.sales.amountText)),
                    ("refunds", .string(revenue.refunds.amountText)),
                    ("revenue", .string(revenue.revenue.amountText)),
                    ("averageOrderValue", .optional(revenue.averageOrderValue?.amountText)),
                ])
            })),
        ])
    }
}
