import ArgumentParser
import CustomerLedger
import Foundation
import LedgerJSONLines

/// `ledger restore BACKUP --path DIR`: a backup made into a new ledger (docs/backups.md).
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a new ledger folder.",
        discussion: """
            The ledger folder (--path) must not exist or be empty: a restore never \
            overwrites a ledger. The backup's data file is checked against the SHA-256 in \
            its backup.json and copied, and the restored ledger's hash chain is verified \
            (as 'ledger verify' does; --no-verify skips it). The backup is left as it was. \
            See docs/backups.md.
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Argument(help: ArgumentHelp("The backup folder 'ledger backup' wrote.", valueName: "backup"), completion: .directory)
    var backup: String

    @Flag(name: .customLong("verify"), inversion: .prefixedNo, help: "Recompute the restored ledger's hash chain (reads the whole log once).")
    var verifying = true

    mutating func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let manifest = try await Ledger.restore(backup: backup, to: ledgerOptions.path, verifying: verifying)
        let ledger = try ledgerOptions.openExistingLedger()
        defer { ledger.close() }
        let totals = try ledger.totals()
        let digest = try ledger.digest()
        guard totals.head == manifest.head else {
            throw CommandFailure("The restored ledger at \(ledgerOptions.path) has head \(totals.head), but the backup says \(manifest.head): do not use it.")
        }
        let output = OutputWriter.standardOutput()
        try output.line("Restored \(backup) into \(ledgerOptions.path).")
        try TextTable.printFacts([
            ("head position", String(totals.head.rawValue)),
            ("events", String(totals.eventCount)),
            ("customers", String(totals.streamCount)),
            ("last recorded", Show.date(totals.lastRecordedAt)),
            ("backup started", Timestamp.format(manifest.startedAt)),
            ("sha256", "\(manifest.sha256) (checked)"),
            ("chain hash", digest.hash.hex + (verifying ? " (verified)" : " (not verified)")),
            ("time", ImportCommand.seconds(clock.now - started)),
        ], to: output)
        try output.finish()
    }
}
