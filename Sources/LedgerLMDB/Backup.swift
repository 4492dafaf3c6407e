import CLMDB
import Foundation
public import LedgerCore

extension LMDBEventStore {
    /// Takes a consistent, compacted copy of the ledger into `folder` while appends go on.
    ///
    /// ```swift
    /// let manifest = try await store.backup(to: "/backups/ledger-2024-06-30")
    /// print(manifest.head)  // the copy holds positions 1…head
    /// ```
    ///
    /// The copy is LMDB's own (`mdb_env_copyfd2` with `MDB_CP_COMPACT`): it runs in one read
    /// transaction, so it is the ledger exactly as of one commit, at or after the moment
    /// of this call. Every event committed before the call is in it, no append is ever half
    /// in it, and writers keep committing meanwhile (a growth of the memory map waits for
    /// the copy to end). Free pages are left out, so the copy is often smaller than the
    /// ledger's file. The folder then holds `data.mdb` (mode 0600) and, written last,
    /// `backup.json` (``BackupManifest``) with the copy's head and the data file's SHA-256.
    ///
    /// The work runs on its own thread, not on the caller's executor.
    ///
    /// - Parameter folder: a folder that does not exist yet (it is created, mode 0700) or is
    ///   empty (its mode is set to 0700). A backup never overwrites anything.
    /// - Throws: `LedgerError` with `invalidInput` for a file or a folder that is not
    ///   empty, `closed` when the store is closed, `permissionDenied` or `storageFailure`
    ///   when the copy cannot be written (nothing of it is left behind).
    @discardableResult
    public func backup(to folder: String) async throws(LedgerError) -> BackupManifest {
        try await Self.onOwnThread("ledger-backup") { () throws(LedgerError) in try self.backupNow(to: folder) }
    }

    /// Restores a backup made by ``backup(to:)`` into a new ledger folder `path`.
    ///
    /// The backup's data file is copied, checked against the SHA-256 and size in its
    /// manifest, and its head and chain head compared with the manifest's. Then, when
    /// `verifying`, the restored ledger is opened and its whole hash chain recomputed
    /// (``verify(against:incrementally:recordsPerTransaction:progress:)``): a restore
    /// gives a ledger that verifies, or nothing. The backup itself is not changed, so it
    /// can be restored again. Open the restored ledger as any other.
    ///
    /// - Parameters:
    ///   - backup: the backup folder (holding `backup.json` and `data.mdb`).
    ///   - path: a folder that does not exist yet or is empty: restoring never overwrites a
    ///     ledger.
    ///   - verifying: whether to recompute the restored ledger's hash chain (it reads the
    ///     whole log once).
    /// - Throws: `LedgerError` with `invalidInput` when `backup` is not a complete backup
    ///   or `path` is not new or empty, `corrupted` when the data file does not match its
    ///   manifest or its chain does not verify (nothing is left at `path` then),
    ///   `unsupportedFormat` for a backup of a newer version.
    @discardableResult
    public static func restore(backup: String, to path: String, verifying: Bool = true) async throws(LedgerError) -> BackupManifest {
        try await onOwnThread("ledger-restore") { () throws(LedgerError) in try restoreNow(backup: backup, to: path, verifying: verifying) }
    }

    /// Reads and checks the manifest of the backup in `folder` without restoring it.
    ///
    /// - Throws: `LedgerError` with `invalidInput` when the folder holds no complete backup,
    ///   `unsupportedFormat` when a newer version wrote it.
    public static func backupManifest(in folder: String) throws(LedgerError) -> BackupManifest {
        let path = folder + "/" + BackupManifest.fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: folder + "/data.mdb")
                ? "holds a data file but no \(BackupManifest.fileName), so it is a ledger's own folder or a backup that did not finish (a backup writes its manifest last)"
                : "holds no \(BackupManifest.fileName)"
            throw LedgerError(.invalidInput, "\(folder) is not a complete ledger backup: it \(reason). Give the folder 'ledger backup' wrote.")
        }
        let manifest: BackupManifest
        do {
            manifest = try JSONDecoder().decode(BackupManifest.self, from: data)
        } catch {
            throw LedgerError(.corrupted, "The manifest \(path) cannot be read: \(error). It was changed or damaged; use another backup.")
        }
        guard manifest.backupFormat <= BackupManifest.currentFormat, manifest.ledgerFormatVersion <= LedgerSchema.formatVersion else {
            throw LedgerError(
                .unsupportedFormat,
                "The backup in \(folder) has backup format \(manifest.backupFormat) and ledger format \(manifest.ledgerFormatVersion); this library reads up to \(BackupManifest.currentFormat) and \(LedgerSchema.formatVersion). Restore it with a newer library."
            )
        }
        guard manifest.dataFile == "data.mdb" else {
            throw LedgerError(.corrupted, "The manifest \(path) names the data file \(manifest.dataFile.debugDescription) instead of data.mdb: it was changed; use another backup.")
        }
        return manifest
    }

    // MARK: The work

    func backupNow(to folder: String) throws(LedgerError) -> BackupManifest {
        // Times at the ledger's resolution, so that the manifest reads back equal.
        let startedAt = Date(microsecondsSince1970: Date().microsecondsSince1970)
        let created = try BackupFiles.prepareEmptyFolder(folder, purpose: "backup")
        let dataPath = folder + "/data.mdb"
        do throws(LedgerError) {
            let descriptor = try BackupFiles.createFile(dataPath)
            do {
                try environment.copy(to: descriptor, compact: true)
            } catch {
                Foundation.close(descriptor)
                throw LedgerError.wrapping(error, while: "Backing up the ledger at \(path) to \(folder)")
            }
            try BackupFiles.syncAndClose(descriptor, dataPath)
            let copy = try BackupCopy.inspect(folder)
            let file = try BackupFiles.digest(of: dataPath)
            let manifest = BackupManifest(
                ledgerFormatVersion: copy.formatVersion, head: copy.head.position,
                lastRecordedAt: copy.head.position == .start ? nil : Date(microsecondsSince1970: copy.head.recordedAt),
                chainHash: copy.head.hash, streamCount: copy.streamCount, startedAt: startedAt, finishedAt: Date(microsecondsSince1970: Date().microsecondsSince1970), source: path,
                dataFile: "data.mdb", byteCount: file.byteCount, sha256: file.sha256
            )
            try BackupFiles.writeNewFile(try Self.encode(manifest), to: folder + "/" + BackupManifest.fileName)
            try BackupFiles.syncFolder(folder)
            return manifest
        } catch {
            // Leave nothing that could pass for a backup.
            unlink(folder + "/" + BackupManifest.fileName)
            unlink(dataPath)
            if created { rmdir(folder) }
            throw error
        }
    }

    static func restoreNow(backup: String, to path: String, verifying: Bool) throws(LedgerError) -> BackupManifest {
        let manifest = try backupManifest(in: backup)
        let created = try BackupFiles.prepareEmptyFolder(path, purpose: "restore")
        let dataPath = path + "/data.mdb"
        do throws(LedgerError) {
            let file = try BackupFiles.copyFile(from: backup + "/" + manifest.dataFile, to: dataPath)
            guard file.byteCount == manifest.byteCount, file.sha256 == manifest.sha256 else {
                throw LedgerError(
                    .corrupted,
                    "The backup's data file \(backup)/\(manifest.dataFile) does not match its manifest (\(file.byteCount) bytes with SHA-256 \(file.sha256), the manifest says \(manifest.byteCount) bytes with \(manifest.sha256)): it was changed or damaged after the backup. Use another backup."
                )
            }
            try BackupFiles.syncFolder(path)
            let copy = try BackupCopy.inspect(path)
            guard copy.head.position == manifest.head, manifest.chainHash.map({ $0 == copy.head.hash }) ?? true else {
                throw LedgerError(
                    .corrupted,
                    "The restored ledger's head is position \(copy.head.position) with chain hash \(copy.head.hash.hex), but the backup's manifest says \(manifest.head) with \(manifest.chainHash?.hex ?? "none"): the backup is not to be trusted."
                )
            }
            if verifying {
                let store = try LMDBEventStore.open(at: path)
                defer { store.close() }
                let report = try store.verify()
                if let problem = report.problem {
                    throw LedgerError(
                        .corrupted,
                        "The restored ledger's hash chain does not verify at position \(problem.position) (\(problem.kind)): \(problem.message) The backup was made from a ledger that had been changed; use another backup."
                    )
                }
            }
            return manifest
        } catch {
            unlink(path + "/lock.mdb")
            unlink(dataPath)
            if created { rmdir(path) }
            throw error
        }
    }

    private static func encode(_ manifest: BackupManifest) throws(LedgerError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(manifest) + Data("\n".utf8)
        } catch {
            throw LedgerError(.storageFailure, "Writing the backup manifest failed: \(error).")
        }
    }

    /// Runs blocking work (a copy of the whole ledger) on a thread of its own, so that it
    /// does not hold one of the cooperative pool's few threads for its whole length.
    private static func onOwnThread<R: Sendable>(
        _ name: String, _ body: @escaping @Sendable () throws(LedgerError) -> R
    ) async throws(LedgerError) -> R {
        let result: Result<R, LedgerError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(LedgerError) -> R in try body() })
            }
            thread.name = name
            thread.start()
        }
        return try result.get()
    }
}

/// What a copy holds, read without changing its folder (no lock file is made).
struct BackupCopy {
    var formatVersion: UInt32
    var head: HeadState
    var streamCount: UInt64

    /// Opens the copy in `folder` read-only and reads its format version, head and number
    /// of streams, checking that the head is the last position in the log.
    static func inspect(_ folder: String) throws(LedgerError) -> BackupCopy {
        do {
            let environment = try LMDBEnvironment(
                path: folder, mapSize: 1 << 16, maxDatabases: UInt32(LedgerSchema.databaseNames.count + 2),
                maxReaders: 1, synced: false, readOnly: true
            )
            defer { environment.close() }
            return try environment.read { transaction in
                let schema = try LedgerSchema(environment: environment, transaction: transaction, create: false)
                guard let stored = try GroupTransaction.readMeta(transaction, schema, MetaKey.formatVersion), stored.count == 4 else {
                    throw LedgerError(.corrupted, "The copy in \(folder) has no format version: it is not a ledger.")
                }
                let head = try GroupTransaction.readHead(transaction, schema)
                let last = try transaction.withCursor(schema.log) { cursor in try cursor.move(MDB_LAST) }
                let lastPosition = last.map { $0.key.readBE(UInt64.self, at: 0) } ?? 0
                guard lastPosition == head.position.rawValue, try transaction.count(schema.log) == head.position.rawValue else {
                    throw LedgerError(.corrupted, "The copy in \(folder) has head \(head.position) but its log ends at \(lastPosition): it is damaged.")
                }
                return BackupCopy(
                    formatVersion: stored.readLE(UInt32.self, at: 0), head: head, streamCount: try transaction.count(schema.streamInfo)
                )
            }
        } catch let error as LedgerError where error.code == .corrupted {
            throw error
        } catch {
            throw LedgerError(.corrupted, "The copy in \(folder) cannot be read as a ledger: \(LedgerError.wrapping(error, while: "Reading it").message)")
        }
    }
}
