import CLMDB
import LedgerCore

/// What the writer remembers between its transactions, so that an append does not look
/// up again what the writer itself wrote: each stream's state, and the largest event id
/// stored (a new UUIDv7 above it cannot be a duplicate, so its idempotency lookup is
/// skipped).
///
/// The cache is valid only for the head it was left at. When a transaction starts at
/// another head, another process wrote in between and the cache is dropped; when a
/// transaction aborts, it is dropped too. Only the writer thread touches it.
final class WriterCache: @unchecked Sendable {
    // Safe: only the single writer thread reads or changes it (see GroupCommitWriter).
    private(set) var validHead: LogPosition?
    var streams: [StreamID: StreamState] = [:]
    /// The largest event id in `ids`, as two big-endian halves, or `nil` when unknown.
    var largestID: (UInt64, UInt64)?
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Makes the cache fit a transaction that starts at `head`.
    func prepare(for head: LogPosition, transaction: LMDBTransaction, schema: LedgerSchema) throws {
        if validHead != head { reset() }
        if streams.count > capacity { streams.removeAll(keepingCapacity: true) }
        if largestID == nil {
            largestID = try transaction.withCursor(schema.ids) { cursor in
                try cursor.move(MDB_LAST).map { Self.halves($0.key) } ?? (0, 0)
            }
        }
    }

    /// Records the head a committed transaction left.
    func committed(at head: LogPosition) {
        validHead = head
    }

    /// Forgets everything (after an abort, or another process's write).
    func reset() {
        validHead = nil
        streams.removeAll(keepingCapacity: true)
        largestID = nil
    }

    /// Whether `id` is above every stored id, so it cannot be stored already.
    func isAboveLargest(_ id: EventID) -> Bool {
        guard let largestID else { return false }
        let halves = withIDKey(id) { Self.halves($0) }
        return halves > largestID
    }

    /// Notes an id the transaction stores.
    func stored(_ id: EventID) {
        let halves = withIDKey(id) { Self.halves($0) }
        if let largestID, halves <= largestID { return }
        largestID = halves
    }

    private static func halves(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        (bytes.readBE(UInt64.self, at: 0), bytes.readBE(UInt64.self, at: 8))
    }
}
