import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger demo`: fills a ledger with a small deterministic example data set, then shows
/// what the ledger holds.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fill a ledger with example customers and events, then show what it holds.",
        discussion: """
            About 40 customers (persons and companies) with registrations, interactions on many \
            channels, purchases, refunds and survey answers over 2024. The data set is the same \
            every time, ids included, so running the demo again adds nothing.
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    mutating func run() async throws {
        let data = try DemoData()
        let ledger = try ledgerOptions.openLedger()
        defer { ledger.close() }
        var written = 0
        var alreadyPresent = 0
        var batch = AppendBatch()
        for (index, item) in data.events.enumerated() {
            batch.add(item.event, to: item.customer)
            guard batch.eventCount == 1000 || index == data.events.count - 1 else { continue }
            let outcome = try await ledger.appendCounting(batch.appends)
            written += outcome.written
            alreadyPresent += outcome.alreadyPresent
            batch = AppendBatch()
        }

        let output = OutputWriter.standardOutput()
        try output.line(
            "Demo data in \(ledgerOptions.path): \(data.customers.count) customers, \(data.events.count) events; \(written) written, \(alreadyPresent) already present."
        )
        try await report(ledger, to: output)
        try output.finish()
    }

    /// Totals, events per type, the most active customers and one customer's timeline.
    private func report(_ ledger: Ledger, to output: OutputWriter) async throws {
        let totals = try ledger.totals()
        try output.line()
        try output.line("The ledger holds \(totals.eventCount) events of \(totals.streamCount) customers (head position \(totals.head)).")

        var counts: [String: Int] = [:]
        for try await event in ledger.events() { counts[event.type, default: 0] += 1 }
        try output.line()
        let types = TextTable([.left("EVENT TYPE"), .right("EVENTS")], output: output)
        for (type, count) in counts.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            try types.add([type, String(count)])
        }
        try types.finish()

        let top = try mostActive(ledger, count: 5)
        try output.line()
        try output.line("Most active customers:")
        let customers = TextTable([.left("CUSTOMER"), .left("NAME"), .right("EVENTS")], output: output)
        for info in top {
            try customers.add([info.stream.rawValue, try name(of: info.stream, in: ledger) ?? "", String(info.eventCount)])
        }
        try customers.finish()

        guard let first = top.first else { return }
        try output.line()
        try output.line("Timeline of \(first.stream)\(try name(of: first.stream, in: ledger).map { " (\($0))" } ?? ""):")
        let timeline = EventTable(output: output)
        for try await event in ledger.events(in: first.stream) { try timeline.add(event) }
        try timeline.finish()
    }

    /// The streams with the most events (ties by id), reading the stream list page by page.
    private func mostActive(_ ledger: Ledger, count: Int) throws -> [StreamInfo] {
        var top: [StreamInfo] = []
        var after: StreamID?
        while true {
            let page = try ledger.streams(after: after, limit: 1000)
            guard let last = page.last else { return top }
            top = Array((top + page).sorted { ($1.eventCount, $0.stream) < ($0.eventCount, $1.stream) }.prefix(count))
            after = last.stream
        }
    }

    /// The name a customer registered with, from the first event's JSON payload.
    private func name(of customer: StreamID, in ledger: Ledger) throws -> String? {
        var name: String?
        try ledger.readStream(customer, limit: 1) { event in
            guard event.type == "customer.registered", event.contentType == .json,
                  let payload = try? JSONSerialization.jsonObject(with: event.payload) as? [String: Any]
            else { return }
            name = payload["name"] as? String
        }
        return name
    }
}
