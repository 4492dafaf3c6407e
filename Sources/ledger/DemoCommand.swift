import ArgumentParser
import CustomerLedger
import Foundation
import LedgerJSONLines

/// `ledger demo`: fills a ledger with a realistic, deterministic synthetic data set, then
/// prints a short dashboard of it.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fill a ledger with a realistic synthetic customer base, then show a dashboard of it.",
        discussion: """
            4,000 customers (persons and companies) over 2024 and 2025: interactions on every \
            channel with follow-ups kept on time, late or never; purchases, cancellations and \
            refunds; complaints; NPS, CSAT and CES answers; tags, owners, consent, birthdays and \
            contract renewals; a few duplicates merged (and one merge undone). The data set is the \
            same every time, ids included, so running the demo again adds nothing. The dashboard \
            looks at the ledger as of the data set's last day, \(Timestamp.format(DemoData.lastInstant).prefix(10)); \
            so do the other commands with --as-of \(Timestamp.format(DemoData.lastInstant).prefix(10)).
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(help: ArgumentHelp("How many customers to make (a smaller demo for tests and quick looks).", valueName: "n"))
    var customers: Int = DemoData.defaultCustomerCount

    @Option(help: ArgumentHelp("Events per atomic append.", valueName: "n", visibility: .hidden))
    var batchSize: Int = 4_000

    func validate() throws {
        guard (10...100_000).contains(customers) else { throw ValidationError("--customers must be 10–100000.") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive.") }
    }

    mutating func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let data = try await DemoData.build(customerCount: customers)
        let built = clock.now
        let ledger = try ledgerOptions.openLedger()
        defer { ledger.close() }
        let outcome = try await append(data, to: ledger)
        let appended = clock.now

        let output = OutputWriter.standardOutput()
        try output.line(
            "Demo data in \(ledgerOptions.path): \(data.customers.count) customers, \(data.events.count) events; \(outcome.written) written, \(outcome.alreadyPresent) already present."
        )
        try output.flush()
        try DemoDashboard(ledger: ledger, output: output, asOf: AsOf(time: DemoData.lastInstant)).print()
        let done = clock.now
        try output.line()
        try output.line(
            "Took \(Self.seconds(done - started)): data \(Self.seconds(built - started)), append \(Self.seconds(appended - built)) in \(outcome.batches) batches, dashboard \(Self.seconds(done - appended))."
        )
        try output.finish()
    }

    /// What the appends did.
    struct Outcome {
        var written = 0
        var alreadyPresent = 0
        var batches = 0
    }

    /// Appends the data set in atomic batches of about `batchSize` events, in time order:
    /// one ``StreamAppend`` per run of consecutive events of one customer, and a merge's
    /// two copies always in the same batch.
    private func append(_ data: DemoData, to ledger: Ledger) async throws -> Outcome {
        var outcome = Outcome()
        var batch = AppendBatch()
        var index = 0
        while index < data.events.count {
            let draft = data.events[index]
            batch.add(draft.event, to: draft.stream)
            index += 1
            let groupEnd = index + Int(draft.followers)
            while index < groupEnd {
                batch.add(data.events[index].event, to: data.events[index].stream)
                index += 1
            }
            guard batch.eventCount >= batchSize || index == data.events.count else { continue }
            let result = try await ledger.appendCounting(batch.appends)
            outcome.written += result.written
            outcome.alreadyPresent += result.alreadyPresent
            outcome.batches += 1
            batch = AppendBatch()
        }
        return outcome
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f s", Double(seconds) + Double(attoseconds) / 1e18)
    }
}
