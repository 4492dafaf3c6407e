import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger rotate-key --new-key-file FILE`: rewraps every data key with a new master key.
struct RotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Rewrap every customer's data key with a new master key; no event changes.",
        discussion: """
            Give the current key with --master-key-file (or $LEDGER_MASTER_KEY_FILE) and the new \
            one with --new-key-file. The data keys are rewrapped in batches; until the last \
            step either key opens the ledger, so after a crash run the same command again to \
            finish. Afterwards only the new key opens it: destroy the old key (and with it what \
            backups made before a forget still hold; docs/privacy.md).
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(help: ArgumentHelp("A file of 32 raw bytes: the new master key.", valueName: "file"), completion: .file())
    var newKeyFile: String

    @Option(help: ArgumentHelp("Data keys rewrapped per transaction.", valueName: "n"))
    var batchSize = 1_000

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1.") }
    }

    mutating func run() async throws {
        guard ledgerOptions.masterKeyPath != nil else {
            throw CommandFailure("Rotating needs the current master key: give it with --master-key-file or $\(LedgerOptions.masterKeyVariable), and the new one with --new-key-file.")
        }
        let newKey: MasterKey
        do {
            newKey = try MasterKey(contentsOfFile: newKeyFile)
        } catch {
            throw CommandFailure("\(error.message) (named by --new-key-file)")
        }
        let ledger = try ledgerOptions.openExistingLedger()
        defer { ledger.close() }
        let started = ContinuousClock.now
        try await ledger.rotateMasterKey(to: newKey, batchSize: batchSize)
        let protection = try ledger.personalDataProtection()
        let output = OutputWriter.standardOutput()
        try output.line("Rotated the master key: \(protection.customerKeys) data key\(protection.customerKeys == 1 ? "" : "s") rewrapped in \(started.duration(to: .now).formatted(.units(allowed: [.seconds, .milliseconds], width: .abbreviated))). Only the new key opens the ledger now.")
        try output.finish()
    }
}
