import ArgumentParser
import CustomerLedger
import Foundation
import LedgerJSONLines

/// `ledger backup DIR`: a consistent, compacted hot copy of the ledger (docs/backups.md).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the ledger into a new backup folder while it stays in use.",
        discussion: """
            The copy is the ledger as of one moment: every event committed before the backup \
            began is in it, and appends by other processes go on meanwhile. It is compacted \
            (free pages left out). DIR must not exist or be empty; it gets mode 0700, the \
            data file 0600, and backup.json, written last, records the copy's head and the \
            data file's SHA-256 and the chain hash at its head. Restore it with 'ledger restore \
            DIR --path NEW'. See docs/backups.md.
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Argument(help: ArgumentHelp("The backup folder: new, or empty.", valueName: "dir"), completion: .directory)
    var folder: String

    @Flag(help: "Print the backup's manifest as one JSON document instead of a table.")
    var json = false

    mutating func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let ledger = try ledgerOptions.openExistingLedger()
        defer { ledger.close() }
        let manifest = try await ledger.backup(to: folder)
        let output = OutputWriter.standardOutput()
        if json {
            try output.document(Self.json(manifest, folder: folder))
        } else {
            try output.line("Backed up \(ledgerOptions.path) to \(folder).")
            try Self.printManifest(manifest, time: clock.now - started, to: output)
        }
        try output.finish()
    }

    static func printManifest(_ manifest: BackupManifest, time: Duration? = nil, to output: OutputWriter) throws(CommandFailure) {
        var facts = [
            ("head position", String(manifest.head.rawValue)),
            ("events", String(manifest.eventCount)),
            ("customers", String(manifest.streamCount)),
            ("last recorded", Show.date(manifest.lastRecordedAt)),
            ("chain hash", manifest.chainHash?.hex ?? "-"),
            ("started", Timestamp.format(manifest.startedAt)),
            ("data file", "\(manifest.dataFile), \(manifest.byteCount) bytes"),
            ("sha256", manifest.sha256),
        ]
        if let time { facts.append(("time", ImportCommand.seconds(time))) }
        try TextTable.printFacts(facts, to: output)
    }

    static func json(_ manifest: BackupManifest, folder: String) -> JSONValue {
        .object([
            ("folder", .string(folder)),
            ("source", .string(manifest.source)),
            ("head", .integer(manifest.head.rawValue)),
            ("events", .integer(manifest.eventCount)),
            ("customers", .integer(manifest.streamCount)),
            ("lastRecordedAt", .date(manifest.lastRecordedAt)),
            ("chainHash", .optional(manifest.chainHash?.hex)),
            ("startedAt", .date(manifest.startedAt)),
            ("finishedAt", .date(manifest.finishedAt)),
            ("ledgerFormatVersion", .integer(manifest.ledgerFormatVersion)),
            ("dataFile", .string(manifest.dataFile)),
            ("byteCount", .integer(manifest.byteCount)),
            ("sha256", .string(manifest.sha256)),
        ])
    }
}
