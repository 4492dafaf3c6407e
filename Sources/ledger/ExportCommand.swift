import ArgumentParser
import CustomerLedger
import LedgerJSONLines

/// `ledger export`: writes events as JSON Lines, the format `import` reads.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export events as JSON Lines, in log order.",
        discussion: """
            Each line holds one event with its position, version, id, times, metadata and \
            payload. Importing an export into a new ledger gives the same events with the same \
            ids, times and payload bytes. The format is in docs/jsonl-format.md. Personal \
            fields that the ledger encrypts are exported readable with the master key; without \
            it (or for a forgotten customer) they are null and the line says "personalData": \
            "locked" (or "erased").
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var selectionOptions: SelectionOptions

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"),
        completion: .file()
    )
    var output: String?

    mutating func run() async throws {
        let selection = EventSelection(customer: try selectionOptions.stream(), from: selectionOptions.position)
        let ledger = try ledgerOptions.openExistingLedger()
        defer { ledger.close() }
        let writer = try output.map { path throws(CommandFailure) in try OutputWriter.file(path) } ?? .standardOutput()
        var count = 0
        try await selection.forEach(in: ledger) { event in
            try writer.line(bytes: try Self.line(for: event))
            count += 1
        }
        try writer.finish()
        if let output {
            let summary = OutputWriter.standardOutput()
            try summary.line("Exported \(count) event\(count == 1 ? "" : "s") to \(output).")
            try summary.finish()
        }
    }

    /// An event as a line of the export format, or a failure that names its position.
    /// Personal fields that could not be read are `null` in `data`, and the line says why
    /// in `personalData` (docs/jsonl-format.md).
    static func line(for revealed: RevealedEvent) throws(CommandFailure) -> [UInt8] {
        let event = revealed.event
        do {
            return try JSONLines.encode(event, personalData: revealed.personalData)
        } catch {
            throw CommandFailure("The event at position \(event.position) cannot be exported: \(error.reason).")
        }
    }
}
