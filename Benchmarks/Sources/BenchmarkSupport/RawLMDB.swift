import CLMDBRaw
public import Foundation

// The baselines: the same LMDB work as the engine, as bare C calls. Keys and values have
// the engine's layout and sizes (Sources/LedgerLMDB/LedgerSchema.swift, EventRecord.swift,
// GroupTransaction.swift); nothing is encoded beyond patching a few bytes of a template.

@inline(__always)
func mdbCheck(_ code: Int32, _ doing: StaticString) {
    if code != 0 { fatalError("\(doing): \(String(cString: mdb_strerror(code)))") }
}

/// A bare LMDB environment in one folder, opened like the engine's (`MDB_NOTLS`, synced).
final class RawEnvironment {
    let env: OpaquePointer

    init(folder: URL, readOnly: Bool) {
        if !readOnly { mkdir(folder.path, 0o700) }
        var env: OpaquePointer?
        mdbCheck(mdb_env_create(&env), "mdb_env_create")
        mdbCheck(mdb_env_set_maxdbs(env, 8), "mdb_env_set_maxdbs")
        mdbCheck(mdb_env_set_mapsize(env, 8 << 30), "mdb_env_set_mapsize")
        var flags = UInt32(MDB_NOTLS)
        if readOnly { flags |= UInt32(MDB_RDONLY) }
        mdbCheck(mdb_env_open(env, folder.path, flags, 0o600), "mdb_env_open")
        self.env = env!
    }

    /// Opens named databases in one transaction and commits it, so the handles stay valid.
    func open(_ names: [String], create: Bool) -> [MDB_dbi] {
        var txn: OpaquePointer?
        mdbCheck(mdb_txn_begin(env, nil, create ? 0 : UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
        let handles = names.map { name -> MDB_dbi in
            var dbi: MDB_dbi = 0
            mdbCheck(mdb_dbi_open(txn, name, create ? UInt32(MDB_CREATE) : 0, &dbi), "mdb_dbi_open")
            return dbi
        }
        mdbCheck(mdb_txn_commit(txn), "mdb_txn_commit")
        return handles
    }

    func close() { mdb_env_close(env) }
}

/// The raw append loop: per event the `log` record (MDB_APPEND), the `streams` entry
/// number‖version → position and the `ids` entry id → position; per customer touched the
/// `streamInfo` entry (in key order, as the engine writes it); per transaction the head.
public final class RawAppender {
    private let environment: RawEnvironment
    private let log: MDB_dbi
    private let streams: MDB_dbi
    private let streamInfo: MDB_dbi
    private let ids: MDB_dbi
    private let meta: MDB_dbi

    private var position: UInt64 = 0
    private let versions: UnsafeMutablePointer<UInt64>
    private let firstPositions: UnsafeMutablePointer<UInt64>
    private let lastPositions: UnsafeMutablePointer<UInt64>
    /// Customer ids, 12 bytes each, back to back.
    private let customerKeys: UnsafeMutablePointer<UInt8>
    /// One record: 60-byte header, 12-byte stream id, no metadata, 200-byte payload.
    private let record: UnsafeMutableRawPointer
    private let recordSize = 60 + Workload.customerIDLength + 200
    private let idBase: UInt64
    /// Key and value bytes for the puts, at fixed offsets, so every MDB_val points at
    /// memory that outlives the call.
    private let scratch: UnsafeMutableRawPointer

    public init(folder: URL) {
        environment = RawEnvironment(folder: folder, readOnly: false)
        let handles = environment.open(["log", "streams", "streamInfo", "ids", "types", "meta"], create: true)
        (log, streams, streamInfo, ids, meta) = (handles[0], handles[1], handles[2], handles[3], handles[5])
        let count = Workload.customerCount
        versions = .allocate(capacity: count)
        versions.initialize(repeating: 0, count: count)
        firstPositions = .allocate(capacity: count)
        firstPositions.initialize(repeating: 0, count: count)
        lastPositions = .allocate(capacity: count)
        lastPositions.initialize(repeating: 0, count: count)
        customerKeys = .allocate(capacity: count * Workload.customerIDLength)
        for index in 0..<count {
            let bytes = Array(Workload.customerID(index).utf8)
            precondition(bytes.count == Workload.customerIDLength)
            (customerKeys + index * Workload.customerIDLength).update(from: bytes, count: bytes.count)
        }
        let record = UnsafeMutableRawPointer.allocate(byteCount: recordSize, alignment: 8)
        self.record = record
        record.initializeMemory(as: UInt8.self, repeating: 0, count: recordSize)
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        record.storeBytes(of: 1, toByteOffset: 0, as: UInt8.self)  // layout
        record.storeBytes(of: 1, toByteOffset: 1, as: UInt8.self)  // json
        record.storeBytes(of: UInt16(1).littleEndian, toByteOffset: 2, as: UInt16.self)
        record.storeBytes(of: UInt32(1).littleEndian, toByteOffset: 4, as: UInt32.self)
        record.storeBytes(of: now.littleEndian, toByteOffset: 16, as: Int64.self)
        record.storeBytes(of: UInt16(Workload.customerIDLength).littleEndian, toByteOffset: 48, as: UInt16.self)
        record.storeBytes(of: UInt32(200).littleEndian, toByteOffset: 56, as: UInt32.self)
        Workload.payload.withUnsafeBytes { payload in
            (record + 60 + Workload.customerIDLength).copyMemory(from: payload.baseAddress!, byteCount: 200)
        }
        idBase = UInt64(now / 1000) << 16
        scratch = .allocate(byteCount: 128, alignment: 8)
        scratch.storeBytes(of: (0x68, 0x65, 0x61, 0x64) as (UInt8, UInt8, UInt8, UInt8), toByteOffset: Scratch.headName, as: (UInt8, UInt8, UInt8, UInt8).self)
    }

    private enum Scratch {
        static let positionKey = 0  // 8
        static let positionValue = 8  // 8
        static let pairKey = 16  // 16
        static let idKey = 32  // 16
        static let streamState = 48  // 8: a new stream's number
        static let head = 88  // 16
        static let headName = 104  // "head"
    }

    deinit {
        environment.close()
        versions.deallocate()
        firstPositions.deallocate()
        lastPositions.deallocate()
        customerKeys.deallocate()
        record.deallocate()
        scratch.deallocate()
    }

    /// One durable transaction: `order` holds each event's customer, `touched` each
    /// customer once in key order.
    public func append(order: [Int32], touched: [Int32]) {
        let recordedAt = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let firstPositionBefore = position  // streams first seen after this were created now
        record.storeBytes(of: recordedAt.littleEndian, toByteOffset: 24, as: Int64.self)
        var txn: OpaquePointer?
        mdbCheck(mdb_txn_begin(environment.env, nil, 0, &txn), "mdb_txn_begin")
        order.withUnsafeBufferPointer { order in
            for customer in order {
                let c = Int(customer)
                position += 1
                let version = versions[c] + 1
                versions[c] = version
                if version == 1 { firstPositions[c] = position }
                lastPositions[c] = position
                // Patch the record: version, id, stream id.
                record.storeBytes(of: version.littleEndian, toByteOffset: 8, as: UInt64.self)
                scratch.storeBytes(of: (idBase &+ position).bigEndian, toByteOffset: Scratch.idKey, as: UInt64.self)
                scratch.storeBytes(of: splitMix(position), toByteOffset: Scratch.idKey + 8, as: UInt64.self)
                (record + 32).copyMemory(from: scratch + Scratch.idKey, byteCount: 16)
                (record + 60).copyMemory(from: customerKeys + c * Workload.customerIDLength, byteCount: Workload.customerIDLength)

                scratch.storeBytes(of: position.bigEndian, toByteOffset: Scratch.positionKey, as: UInt64.self)
                scratch.storeBytes(of: position.littleEndian, toByteOffset: Scratch.positionValue, as: UInt64.self)
                var key = MDB_val(mv_size: 8, mv_data: scratch + Scratch.positionKey)
                var value = MDB_val(mv_size: recordSize, mv_data: record)
                mdbCheck(mdb_put(txn, log, &key, &value, UInt32(MDB_APPEND)), "put log")

                scratch.storeBytes(of: UInt64(c + 1).bigEndian, toByteOffset: Scratch.pairKey, as: UInt64.self)
                scratch.storeBytes(of: version.bigEndian, toByteOffset: Scratch.pairKey + 8, as: UInt64.self)
                key = MDB_val(mv_size: 16, mv_data: scratch + Scratch.pairKey)
                value = MDB_val(mv_size: 8, mv_data: scratch + Scratch.positionValue)
                mdbCheck(mdb_put(txn, streams, &key, &value, UInt32(MDB_NOOVERWRITE)), "put streams")

                key = MDB_val(mv_size: 16, mv_data: scratch + Scratch.idKey)
                value = MDB_val(mv_size: 8, mv_data: scratch + Scratch.positionValue)
                mdbCheck(mdb_put(txn, ids, &key, &value, UInt32(MDB_NOOVERWRITE)), "put ids")
            }
        }
        // Like the ledger: a stream's number goes into streamInfo once, when it is created;
        // its version and positions live in the streams index.
        touched.withUnsafeBufferPointer { touched in
            for customer in touched where firstPositions[Int(customer)] > firstPositionBefore {
                let c = Int(customer)
                let number = scratch + Scratch.streamState
                number.storeBytes(of: UInt64(c + 1).littleEndian, toByteOffset: 0, as: UInt64.self)
                var key = MDB_val(mv_size: Workload.customerIDLength, mv_data: customerKeys + c * Workload.customerIDLength)
                var value = MDB_val(mv_size: 8, mv_data: number)
                mdbCheck(mdb_put(txn, streamInfo, &key, &value, UInt32(MDB_NOOVERWRITE)), "put streamInfo")
            }
        }
        scratch.storeBytes(of: position.littleEndian, toByteOffset: Scratch.head, as: UInt64.self)
        scratch.storeBytes(of: recordedAt.littleEndian, toByteOffset: Scratch.head + 8, as: Int64.self)
        var key = MDB_val(mv_size: 4, mv_data: scratch + Scratch.headName)
        var value = MDB_val(mv_size: 16, mv_data: scratch + Scratch.head)
        mdbCheck(mdb_put(txn, meta, &key, &value, 0), "put meta")
        mdbCheck(mdb_txn_commit(txn), "mdb_txn_commit")
    }

    /// One event per customer in customer order, 10,000 per transaction: the ledger's prefill.
    public func prefill() {
        for start in stride(from: 0, to: Workload.customerCount, by: 10_000) {
            let customers = (Int32(start)..<Int32(min(start + 10_000, Workload.customerCount))).map { $0 }
            append(order: customers, touched: customers)
        }
    }
}

@inline(__always)
private func splitMix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// The id of the last committed write transaction in a (closed) ledger's files: the
/// difference over a run is the number of commits, so events / commits = group size.
public func lastTransactionID(folder: URL) -> Int {
    let environment = RawEnvironment(folder: folder, readOnly: true)
    defer { environment.close() }
    var info = MDB_envinfo()
    mdbCheck(mdb_env_info(environment.env, &info), "mdb_env_info")
    return info.me_last_txnid
}

/// A read-only view of a ledger's files for the raw cursor scan.
public final class RawLogScanner {
    private let environment: RawEnvironment
    private let log: MDB_dbi

    public init(folder: URL) {
        environment = RawEnvironment(folder: folder, readOnly: true)
        log = environment.open(["log"], create: false)[0]
    }

    deinit { environment.close() }

    /// MDB_FIRST/MDB_NEXT over the whole `log` database in one read transaction, touching
    /// each key and value length; returns the entry count and a checksum.
    public func scan() -> (count: Int, checksum: UInt64) {
        var txn: OpaquePointer?
        mdbCheck(mdb_txn_begin(environment.env, nil, UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
        defer { mdb_txn_abort(txn) }
        var cursor: OpaquePointer?
        mdbCheck(mdb_cursor_open(txn, log, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var value = MDB_val()
        var count = 0
        var checksum: UInt64 = 0
        var code = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
        while code == 0 {
            checksum &+= UInt64(key.mv_data.load(fromByteOffset: 7, as: UInt8.self)) &+ UInt64(value.mv_size)
            count += 1
            code = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        }
        if code != MDB_NOTFOUND { mdbCheck(code, "mdb_cursor_get") }
        return (count, checksum)
    }
}

/// A read-only view of a ledger's files for the raw one-customer read: what
/// `readStream` must do at least, as bare C calls.
public final class RawStreamReader {
    private let environment: RawEnvironment
    private let log: MDB_dbi
    private let streams: MDB_dbi
    private let streamInfo: MDB_dbi

    public init(folder: URL) {
        environment = RawEnvironment(folder: folder, readOnly: true)
        let handles = environment.open(["log", "streams", "streamInfo"], create: false)
        (log, streams, streamInfo) = (handles[0], handles[1], handles[2])
    }

    deinit { environment.close() }

    /// In one read transaction: the `streamInfo` get (stream id → number), a cursor seek to
    /// number‖1 in `streams`, then for every entry of the stream its `log` record through a
    /// second cursor (`MDB_NEXT` when the position follows the previous one, else
    /// `MDB_SET_KEY`, as the ledger reads), touching the record's header and length.
    /// Returns the event count and a checksum.
    public func read(_ stream: String) -> (count: Int, checksum: UInt64) {
        var txn: OpaquePointer?
        mdbCheck(mdb_txn_begin(environment.env, nil, UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
        defer { mdb_txn_abort(txn) }
        var name = stream
        let number: UInt64? = name.withUTF8 { utf8 in
            var key = MDB_val(mv_size: utf8.count, mv_data: UnsafeMutableRawPointer(mutating: utf8.baseAddress))
            var value = MDB_val()
            let code = mdb_get(txn, streamInfo, &key, &value)
            if code == MDB_NOTFOUND { return nil }
            mdbCheck(code, "get streamInfo")
            return UInt64(littleEndian: value.mv_data.loadUnaligned(as: UInt64.self))
        }
        guard let number else { return (0, 0) }
        var cursor: OpaquePointer?
        mdbCheck(mdb_cursor_open(txn, streams, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var logCursor: OpaquePointer?
        mdbCheck(mdb_cursor_open(txn, log, &logCursor), "mdb_cursor_open")
        defer { mdb_cursor_close(logCursor) }
        var previous: UInt64 = 0
        var start = (number.bigEndian, UInt64(1).bigEndian)
        var count = 0
        var checksum: UInt64 = 0
        withUnsafeMutableBytes(of: &start) { startBytes in
            var key = MDB_val(mv_size: 16, mv_data: startBytes.baseAddress)
            var value = MDB_val()
            var code = mdb_cursor_get(cursor, &key, &value, MDB_SET_KEY)
            while code == 0, key.mv_size == 16, UInt64(bigEndian: key.mv_data.loadUnaligned(as: UInt64.self)) == number {
                let number = UInt64(littleEndian: value.mv_data.loadUnaligned(as: UInt64.self))
                var position = number.bigEndian
                withUnsafeMutableBytes(of: &position) { positionBytes in
                    var logKey = MDB_val(mv_size: 8, mv_data: positionBytes.baseAddress)
                    var record = MDB_val()
                    let adjacent = previous != 0 && number == previous &+ 1
                    mdbCheck(mdb_cursor_get(logCursor, &logKey, &record, adjacent ? MDB_NEXT : MDB_SET_KEY), "get log")
                    checksum &+= UInt64(record.mv_data.load(fromByteOffset: 8, as: UInt8.self)) &+ UInt64(record.mv_size)
                }
                previous = number
                count += 1
                code = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
            }
            if code != 0, code != MDB_NOTFOUND { mdbCheck(code, "mdb_cursor_get") }
        }
        return (count, checksum)
    }
}
