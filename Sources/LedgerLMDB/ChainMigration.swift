import CLMDB
import Foundation
package import LedgerCore

extension MetaKey {
    /// Present only while a format-1 ledger is being migrated: the next position to chain,
    /// u64 LE ‖ the link of the record before it (32 bytes).
    static let chainMigration = "chainMigration"
}

/// Brings a format-1 ledger (records without chain links) to format 2, in place, when a
/// library of format 2 first opens it (docs/audit-chain.md, "Migrating a format-1 ledger").
///
/// Every record keeps its position and its bytes, except that its layout byte becomes 2
/// and its link is appended; the head gets the last record's link. The work goes in
/// batches, each one write transaction that also stores how far it got
/// (`MetaKey.chainMigration`), so an interrupted migration resumes where it stopped, and two
/// processes opening the ledger at once take turns on the batches. The format version
/// becomes 2 in the transaction that chains the last record, so until then the ledger
/// still reads as format 1 and is migrated again on the next open. A full map is grown
/// and the batch retried, as the writer does.
struct ChainMigration {
    let environment: LMDBEnvironment
    let schema: LedgerSchema
    let maximumMapSize: Int
    /// The most records one transaction rewrites.
    var recordsPerTransaction = 100_000
    /// The most record bytes one transaction rewrites (large payloads make fewer records).
    var bytesPerTransaction = 64 << 20

    /// Whether the ledger in `transaction` needs migrating: its stored format is older
    /// than 2. A new ledger (no format stored) does not.
    static func isNeeded(_ transaction: LMDBTransaction, _ schema: LedgerSchema) throws -> Bool {
        guard let stored = try GroupTransaction.readMeta(transaction, schema, MetaKey.formatVersion) else { return false }
        return stored.count >= 4 && stored.readLE(UInt32.self, at: 0) < 2
    }

    /// Migrates batch after batch until the ledger is format 2, or until `transactionLimit`
    /// transactions have committed (tests stop it half way to show that it resumes).
    /// Returns whether the ledger is now format 2.
    @discardableResult
    func run(transactionLimit: Int = .max) throws -> Bool {
        var transactions = 0
        while transactions < transactionLimit {
            do {
                if try environment.write({ try migrateBatch($0) }) { return true }
                transactions += 1
            } catch let error as LedgerError where error.code == .ledgerFull {
                try grow(error)
            }
        }
        return try environment.read { try !Self.isNeeded($0, schema) }
    }

    /// Chains the next batch of records; returns whether that finished the migration.
    private func migrateBatch(_ transaction: LMDBTransaction) throws -> Bool {
        // Another process may have finished it, or be half way.
        guard try Self.isNeeded(transaction, schema) else { return true }
        var (next, link) = try progress(transaction)
        var scratch: [UInt8] = []
        var records = 0
        var bytes = 0
        var finished = false
        try transaction.withCursor(schema.log) { cursor in
            while records < recordsPerTransaction, bytes < bytesPerTransaction {
                // A fresh seek for every record: the put below may move the cursor's page.
                // The range seek steps over a missing position, which verification reports.
                guard let (key, value) = try withPositionKey(next, { try cursor.seek($0) }) else {
                    finished = true
                    return
                }
                guard key.count == 8 else {
                    throw LedgerError(.corrupted, "A log key is \(key.count) bytes long instead of 8, so the ledger cannot be migrated to format 2. Restore it from a backup.")
                }
                let position = key.readBE(UInt64.self, at: 0)
                guard value.count >= EventRecord.headerSize, value[0] == EventRecord.unchainedLayout else {
                    throw LedgerError(
                        .corrupted,
                        "The event record at position \(position) has layout \(value.first.map { String($0) } ?? "none") in a format-1 ledger, so the ledger cannot be migrated to format 2. Restore it from a backup."
                    )
                }
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: value)
                scratch[0] = EventRecord.layout
                link = scratch.withUnsafeBytes { ChainLink.after(link, record: $0) }
                link.withUnsafeBytes { scratch.append(contentsOf: $0) }
                try withPositionKey(position) { key in
                    try scratch.withUnsafeBytes { try transaction.put(schema.log, key, $0) }
                }
                next = position + 1
                records += 1
                bytes += scratch.count
            }
        }
        if finished {
            var head = try GroupTransaction.readHead(transaction, schema)
            head.hash = link
            try GroupTransaction.writeMeta(transaction, schema, MetaKey.head, head.bytes)
            var format: [UInt8] = []
            format.appendLE(LedgerSchema.formatVersion)
            try GroupTransaction.writeMeta(transaction, schema, MetaKey.formatVersion, format)
            var key = MetaKey.chainMigration
            try key.withUTF8 { _ = try transaction.delete(schema.meta, UnsafeRawBufferPointer($0)) }
            return true
        }
        var state: [UInt8] = []
        state.appendLE(next)
        link.withUnsafeBytes { state.append(contentsOf: $0) }
        try GroupTransaction.writeMeta(transaction, schema, MetaKey.chainMigration, state)
        return false
    }

    /// Where an earlier, interrupted migration stopped, or the start of the log.
    private func progress(_ transaction: LMDBTransaction) throws -> (next: UInt64, link: ChainHash) {
        guard let stored = try GroupTransaction.readMeta(transaction, schema, MetaKey.chainMigration) else {
            return (1, .genesis)
        }
        guard stored.count == 8 + ChainHash.byteCount else {
            throw LedgerError(.corrupted, "The ledger's chainMigration entry has \(stored.count) bytes instead of 40. Restore the ledger from a backup.")
        }
        return (stored.readLE(UInt64.self, at: 0), ChainHash(unsafeBytes: UnsafeRawBufferPointer(rebasing: stored[8...])))
    }

    /// Grows the map as the writer does (doubling up to 1 GiB, then by 1 GiB), or rethrows
    /// the full map at the maximum.
    private func grow(_ full: LedgerError) throws {
        let current = environment.mapSize
        guard current < maximumMapSize else {
            throw LedgerError(
                .ledgerFull,
                "Migrating the ledger to format 2 needs more than its maximum size of \(maximumMapSize) bytes (Options.maximumMapSize): raise the maximum and open it again. What was migrated so far is kept."
            )
        }
        try environment.setMapSize(min(maximumMapSize, current + min(current, 1 << 30)))
    }
}

extension LMDBEventStore {
    /// Migrates the format-1 ledger at `path` as opening it would, in transactions of at
    /// most `recordsPerTransaction` records, stopping after `transactionLimit` of them:
    /// what an interrupted migration leaves. For tests. Returns whether it finished.
    package static func migrateToChainedFormat(
        at path: String,
        recordsPerTransaction: Int,
        transactionLimit: Int = .max
    ) throws(LedgerError) -> Bool {
        let registryKey = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        try OpenLedgers.claim(registryKey)
        defer { OpenLedgers.release(registryKey) }
        do {
            let environment = try LMDBEnvironment(
                path: path, mapSize: 64 << 20, maxDatabases: UInt32(LedgerSchema.databaseNames.count + 2),
                maxReaders: 126, synced: true
            )
            defer { environment.close() }
            let schema = try environment.write { try LedgerSchema(environment: environment, transaction: $0, create: true) }
            var migration = ChainMigration(environment: environment, schema: schema, maximumMapSize: 1 << 40)
            migration.recordsPerTransaction = recordsPerTransaction
            return try migration.run(transactionLimit: transactionLimit)
        } catch {
            throw LedgerError.wrapping(error, while: "Migrating the ledger at \(path)")
        }
    }
}
