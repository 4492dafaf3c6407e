import CLMDB
import Foundation
import LedgerCore

/// The named databases of a ledger and their key encodings (see docs/format.md).
///
/// Keys are big-endian so that LMDB's byte order is numeric order; values are
/// little-endian, the native order of the machines this runs on.
struct LedgerSchema: Sendable {
    /// The on-disk format this library writes and the newest it reads.
    static let formatVersion: UInt32 = 1

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

    static let databaseNames = ["log", "streams", "streamInfo", "ids", "types", "meta"]

    init(environment: LMDBEnvironment, transaction: LMDBTransaction, create: Bool) throws {
        log = try environment.openDatabase("log", in: transaction, create: create)
        streams = try environment.openDatabase("streams", in: transaction, create: create)
        streamInfo = try environment.openDatabase("streamInfo", in: transaction, create: create)
        ids = try environment.openDatabase("ids", in: transaction, create: create)
        types = try environment.openDatabase("types", in: transaction, create: create)
        meta = try environment.openDatabase("meta", in: transaction, create: create)
    }
}

/// Keys of the `meta` database.
enum MetaKey {
    /// u32 LE: the format version the ledger was written with.
    static let formatVersion = "formatVersion"
    /// `HeadState`: the newest position and when it was recorded.
    static let head = "head"
    /// u64 LE: the number the next new stream gets.
    static let nextStreamNumber = "nextStreamNumber"
    /// u32 LE: the number the next new event type gets.
    static let nextTypeNumber = "nextTypeNumber"
}

/// The log's head as stored under `MetaKey/head`: position u64 LE ‖ recordedAt µs i64 LE.
struct HeadState: Equatable, Sendable {
    var position: LogPosition
    var recordedAt: Int64

    static let empty = HeadState(position: .start, recordedAt: 0)

    init(position: LogPosition, recordedAt: Int64) {
        self.position = position
        self.recordedAt = recordedAt
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        position = LogPosition(bytes.readLE(UInt64.self, at: 0))
        recordedAt = bytes.readLE(Int64.self, at: 8)
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.appendLE(position.rawValue)
        out.appendLE(recordedAt)
        return out
    }
}

/// A stream's entry in `streamInfo`: number, version, count, first and last position,
/// five u64 LE.
struct StreamState: Equatable, Sendable {
    var number: UInt64
    var version: StreamVersion
    var count: UInt64
    var firstPosition: LogPosition
    var lastPosition: LogPosition

    static let encodedSize = 40

    init(number: UInt64, version: StreamVersion, count: UInt64, firstPosition: LogPosition, lastPosition: LogPosition) {
        self.number = number
        self.version = version
        self.count = count
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
    }

    init(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count == Self.encodedSize else {
            throw LedgerError(.corrupted, "A streamInfo entry has \(bytes.count) bytes instead of \(Self.encodedSize).")
        }
        number = bytes.readLE(UInt64.self, at: 0)
        version = StreamVersion(bytes.readLE(UInt64.self, at: 8))
        count = bytes.readLE(UInt64.self, at: 16)
        firstPosition = LogPosition(bytes.readLE(UInt64.self, at: 24))
        lastPosition = LogPosition(bytes.readLE(UInt64.self, at: 32))
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.encodedSize)
        out.appendLE(number)
        out.appendLE(version.rawValue)
        out.appendLE(count)
        out.appendLE(firstPosition.rawValue)
        out.appendLE(lastPosition.rawValue)
        return out
    }

    func info(for stream: StreamID) -> StreamInfo {
        StreamInfo(stream: stream, version: version, eventCount: count, firstPosition: firstPosition, lastPosition: lastPosition)
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
