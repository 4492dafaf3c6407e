import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger care-dates`: birthdays, anniversaries and other date traits in the next days.
struct CareDatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "care-dates",
        abstract: "List customers' date traits (birthdays, contract renewals, …) coming up in the next days.",
        discussion: "`birthday` and `anniversary` come back every year; other traits are one-off dates. Today is the UTC day of --as-of; forgotten customers are left out."
    )

    @OptionGroup var view: ViewOptions

    @Option(help: ArgumentHelp("How many days ahead to look, today included.", valueName: "days"))
    var days: Int = CareDatesPolicy.standard.horizonDays

    func validate() throws {
        if days < 0 { throw ValidationError("--days must not be negative.") }
    }

    mutating func run() async throws {
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let asOf = try view.asOf()
        let report = try ledger.upcomingCareDates(asOf: asOf, policy: CareDatesPolicy(horizonDays: days))
        let output = OutputWriter.standardOutput()
        if view.json {
            try output.document(.object([
                ("asOf", .asOf(asOf)),
                ("horizonDays", .integer(report.policy.horizonDays)),
                ("dates", .array(report.dates.map { date in
                    .object([
                        ("customer", .string(date.customer.rawValue)), ("name", .string(date.name)),
                        ("recorded", .string(date.recorded.description)), ("next", .string(date.next.description)),
                        ("daysUntil", .integer(date.daysUntil)), ("yearly", .bool(date.yearly)),
                    ])
                })),
            ]))
        } else {
            try output.line("\(report.dates.count) care dates in the next \(days) days as of \(Show.date(asOf.time)):")
            let table = TextTable([.left("NEXT"), .right("IN DAYS"), .left("CUSTOMER"), .left("TRAIT"), .left("RECORDED")], output: output)
            for date in report.dates {
                try table.add([
                    date.next.description, String(date.daysUntil), date.customer.rawValue,
                    date.name + (date.yearly ? " (yearly)" : ""), date.recorded.description,
                ])
            }
            try table.finish()
        }
        try output.finish()
    }
}
