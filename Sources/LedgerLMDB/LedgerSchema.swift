import CLMDB
import Foundation
import LedgerCore

/// The named databases of a ledger and their key encodings (see docs/format.md).
///
/// Keys are big-endian so that LMDB's byte order is numeric order; values are
/// little-endian, the native order of the machines this runs on.
struct LedgerSchema: Sendable {
    /// The on-disk format this library writes and the newest it reads. Format 2 added the
    /// hash chain (record layout 2, the head's link); format 1 is migrated on open.
    static let formatVersion: UInt32 = 2

    /// position (u64 BE) → event record.
    let log: LMDBDatabase
    /// stream number (u64 BE) ‖ version (u64 BE) → position (u64 LE).
    let streams: LMDBDatabase
    /// stream id (UTF-8) → `StreamState`.
    let streamInfo: LMDBDatabase
    /// event id (16 bytes) → position (u64 LE).
    let ids: LMDBDatabase
    /// `n` ‖ type name → type number (u32 LE); `i` ‖ type number (u32 BE) → type name.
    let types: LMDBDatabase
    /// Named values: format version, head, next stream number.
    let meta: LMDBDatabase
    /// Projection states, checkpoints, active versions and snapshots (``ProjectionKey``).
    let projections: LMDBDatabase
    /// Encryption keys: entries whose layout the personal-data layer decides (one per
    /// customer, and settings under keys that start with a 0 byte).
    let keys: LMDBDatabase

    static let databaseNames = ["log", "streams", "streamInfo", "ids", "types", "meta", "projections", "keys"]

    /// Refuses an LMDB environment that another program made: its main database (which
    /// holds the names of the named databases, and any entries of its own) has entries, but
    /// there is no `meta` database with a format version, which a ledger writes in the
    /// transaction that creates its databases. An empty environment is a new ledger. Call
    /// before the databases are created, in the same write transaction, so that a refusal
    /// leaves the environment as it was.
    static func refuseForeignEnvironment(_ transaction: LMDBTransaction, path: String) throws {
        var main: MDB_dbi = 0
        try lmdbCheck(mdb_dbi_open(transaction.pointer, nil, 0, &main), "Opening the main database of \(path)")
        var stat = MDB_stat()
        try lmdbCheck(mdb_stat(transaction.pointer, main, &stat), "Counting the main database of \(path)")
        guard stat.ms_entries > 0 else { return }
        var meta: MDB_dbi = 0
        let opened = mdb_dbi_open(transaction.pointer, "meta", 0, &meta)
        if opened == 0 {
            let database = LMDBDatabase(handle: meta, name: "meta")
            var key = MetaKey.formatVersion
            if try key.withUTF8({ bytes throws in try transaction.get(database, UnsafeRawBufferPointer(bytes)) }) != nil { return }
        }
        guard opened == 0 || opened == MDB_NOTFOUND || opened == MDB_INCOMPATIBLE else {
            throw lmdbError(opened, "Opening the meta database of \(path)")
        }
        throw LedgerError(
            .corrupted,
            "The folder \(path) holds an LMDB database of another program, not a ledger: its main database has \(stat.ms_entries) \(stat.ms_entries == 1 ? "entry" : "entries") but no ledger format version. Give the folder of a ledger, or an empty folder for a new one; the files were left as they were."
        )
    }

    init(environment: LMDBEnvironment, transaction: LMDBTransaction, create: Bool) throws {
        log = try environment.openDatabase("log", in: transaction, create: create)
        streams = try environment.openDatabase("streams", in: transaction, create: create)
        streamInfo = try environment.openDatabase("streamInfo", in: transaction, create: create)
        ids = try environment.openDatabase("ids", in: transaction, create: create)
        types = try environment.openDatabase("types", in: transaction, create: create)
        meta = try environment.openDatabase("meta", in: transaction, create: create)
        projections = try environment.openDatabase("projections", in: transaction, create: create)
        keys = try environment.openDatabase("keys", in: transaction, create: create)
    }
}

/// Keys of the `meta` database.
enum MetaKey {
    /// u32 LE: the format version the ledger was written with.
    static let formatVersion = "formatVersion"
    /// `HeadState`: the newest position, when it was recorded and its chain link.
    static let head = "head"
    /// u64 LE: the number the next new stream gets.
    static let nextStreamNumber = "nextStreamNumber"
    /// u32 LE: the number the next new event type gets.
    static let nextTypeNumber = "nextTypeNumber"
}

/// The log's head as stored under `MetaKey/head`: position u64 LE ‖ recordedAt µs i64 LE
/// ‖ the chain link of the record at that position (32 bytes; ``ChainHash/genesis`` for an
/// empty log). Format 1 stored only the first 16 bytes.
struct HeadState: Equatable, Sendable {
    var position: LogPosition
    var recordedAt: Int64
    /// The link of the record at ``position``: what the writer chains the next record to.
    var hash: ChainHash

    static let empty = HeadState(position: .start, recordedAt: 0, hash: .genesis)
    /// The stored size in format 2.
    static let size = 16 + ChainHash.byteCount

    init(position: LogPosition, recordedAt: Int64, hash: ChainHash) {
        self.position = position
        self.recordedAt = recordedAt
        self.hash = hash
    }

    /// A stored head; one without a link (format 1, or damaged) reads as ``ChainHash/genesis``
    /// after a non-empty log, which verification reports as a head that does not match.
    init(_ bytes: UnsafeRawBufferPointer) {
        position = bytes.count >= 8 ? LogPosition(bytes.readLE(UInt64.self, at: 0)) : .start
        recordedAt = bytes.count >= 16 ? bytes.readLE(Int64.self, at: 8) : 0
        hash = bytes.count >= Self.size ? ChainHash(unsafeBytes: UnsafeRawBufferPointer(rebasing: bytes[16...])) : .genesis
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.size)
        out.appendLE(position.rawValue)
        out.appendLE(recordedAt)
        hash.withUnsafeBytes { out.append(contentsOf: $0) }
        return out
    }
}

/// What the ledger knows of one stream. Only its number is stored (in `streamInfo`, once,
/// when the stream is created); version, count and positions come from the stream's
/// first and last `streams` entries, so an append dirties no per-stream page besides
/// the index entry it must add.
struct StreamState: Equatable, Sendable {
    var number: UInt64
    var version: StreamVersion
    var firstPosition: LogPosition
    var lastPosition: LogPosition

    /// A stream's event count: versions run 1…n without gaps.
    var count: UInt64 { version.rawValue }

    func info(for stream: StreamID) -> StreamInfo {
        StreamInfo(stream: stream, version: version, eventCount: count, firstPosition: firstPosition, lastPosition: lastPosition)
    }

    /// The stream's state as `transaction` sees it, or `nil` when it has no events.
    static func load(_ stream: StreamID, in transaction: LMDBTransaction, schema: LedgerSchema) throws -> StreamState? {
        var name = stream.rawValue
        let stored = try name.withUTF8 { key in try transaction.get(schema.streamInfo, UnsafeRawBufferPointer(key)) }
        guard let stored else { return nil }
        guard stored.count == 8 else {
            throw LedgerError(.corrupted, "The streamInfo entry of stream \(stream) has \(stored.count) bytes instead of 8.", stream: stream)
        }
        return try load(number: stored.readLE(UInt64.self, at: 0), of: stream, in: transaction, schema: schema)
    }

    /// The state of the stream with `number`, from its first and last index entries.
    static func load(number: UInt64, of stream: StreamID, in transaction: LMDBTransaction, schema: LedgerSchema) throws -> StreamState {
        try transaction.withCursor(schema.streams) { cursor in
            let first = try PairKey(number, 1).withBytes { try cursor.seek($0) }
            let last = try PairKey(number + 1, 0).withBytes { try cursor.seek($0) } == nil
                ? try cursor.move(MDB_LAST)
                : try cursor.move(MDB_PREV)
            guard let first, let last, first.key.count == 16, last.key.count == 16,
                  first.key.readBE(UInt64.self, at: 0) == number, last.key.readBE(UInt64.self, at: 0) == number
            else {
                throw LedgerError(.corrupted, "Stream \(stream) (number \(number)) has no entries in the streams index.", stream: stream)
            }
            return StreamState(
                number: number,
                version: StreamVersion(last.key.readBE(UInt64.self, at: 8)),
                firstPosition: LogPosition(first.value.readLE(UInt64.self, at: 0)),
                lastPosition: LogPosition(last.value.readLE(UInt64.self, at: 0))
            )
        }
    }
}

/// A 16-byte key of two big-endian u64s, built on the stack.
struct PairKey {
    var storage: (UInt64, UInt64)

    init(_ first: UInt64, _ second: UInt64) {
        storage = (first.bigEndian, second.bigEndian)
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage, body)
    }
}

/// An 8-byte big-endian key.
@inline(__always)
func withPositionKey<R>(_ position: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try withUnsafeBytes(of: position.bigEndian, body)
}

@inline(__always)
func withIDKey<R>(_ id: EventID, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try withUnsafeBytes(of: id.uuid.uuid, body)
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func readLE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inline(__always)
    func readBE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func appendBE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}

extension LMDBCursor {
    /// The `log` record at `position`, for a cursor on `log` that last read `previous` (0
    /// when it has read nothing). A stream's events are often next to each other in the
    /// log, so the record right after the previous one is one `MDB_NEXT`; any other is an
    /// exact seek, which LMDB answers inside the current leaf page when the key is on it,
    /// without descending from the root again.
    @inline(__always)
    mutating func record(at position: UInt64, after previous: UInt64) throws -> UnsafeRawBufferPointer? {
        if previous != 0, position == previous &+ 1 {
            if let (key, value) = try move(MDB_NEXT), key.count == 8, key.readBE(UInt64.self, at: 0) == position {
                return value
            }
            return nil
        }
        return try withPositionKey(position) { try seek($0, MDB_SET_KEY) }?.value
    }
}
