import ArgumentParser
import CustomerLedger
import LedgerJSONLines

/// `ledger events`: lists events as a table, or as JSON Lines with `--json`.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List events: all of them, or one customer's, oldest first.",
        discussion: "The table shows the start of each payload; --json prints whole events in the export format."
    )

    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var selectionOptions: SelectionOptions

    @Option(name: .customLong("type"), help: ArgumentHelp("Only events of this type (repeat for several).", valueName: "type"))
    var types: [String] = []

    @Flag(help: "Newest first.")
    var backward = false

    @Option(help: ArgumentHelp("Show at most this many events.", valueName: "n"))
    var limit: Int?

    @Flag(help: "Print JSON Lines (the export format) instead of a table.")
    var json = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative.") }
    }

    mutating func run() async throws {
        let selection = EventSelection(
            customer: try selectionOptions.stream(),
            from: selectionOptions.position,
            types: Set(types),
            direction: backward ? .backward : .forward,
            limit: limit
        )
        let ledger = try ledgerOptions.openExistingLedger()
        defer { ledger.close() }
        let output = OutputWriter.standardOutput()
        if json {
            try await selection.forEach(in: ledger) { event in
                try output.line(bytes: try ExportCommand.line(for: event))
            }
        } else {
            let table = EventTable(output: output)
            try await selection.forEach(in: ledger) { event in try table.add(JSONLines.readable(event.event)) }
            if table.rowCount == 0 {
                try output.line("No events.")
            } else {
                try table.finish()
            }
        }
        try output.finish()
    }
}
