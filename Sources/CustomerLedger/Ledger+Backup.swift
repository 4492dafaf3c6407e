extension Ledger {
    /// Takes a consistent, compacted copy of the ledger into `folder` while appends go on:
    /// see `LMDBEventStore.backup(to:)` and docs/backups.md.
    ///
    /// ```swift
    /// let manifest = try await ledger.backup(to: "/backups/ledger-2024-06-30")
    /// // later, elsewhere:
    /// try await Ledger.restore(backup: "/backups/ledger-2024-06-30", to: "/srv/ledger")
    /// ```
    @discardableResult
    public func backup(to folder: String) async throws(LedgerError) -> BackupManifest {
        try await store.backup(to: folder)
    }

    /// Restores a backup into a new ledger folder, never over an existing ledger, and
    /// verifies its hash chain: see `LMDBEventStore.restore(backup:to:verifying:)`. Open the
    /// result with ``open(at:options:policies:masterKey:)`` (with the master key of the ledger
    /// it was taken from, if it had one).
    @discardableResult
    public static func restore(backup: String, to path: String, verifying: Bool = true) async throws(LedgerError) -> BackupManifest {
        try await LMDBEventStore.restore(backup: backup, to: path, verifying: verifying)
    }
}
