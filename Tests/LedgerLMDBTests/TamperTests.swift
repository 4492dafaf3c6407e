import CLMDB
import Foundation
import LedgerCore
import LedgerLMDB
import Testing

/// Someone with access to the folder changes, deletes or moves stored events in a copy of
/// a closed ledger, with bare LMDB or by editing data.mdb; `verify` must name the position.
@Suite struct TamperTests {
    @Test func aChangedByteInsideAStoredEventIsNamed() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 20)
        let copy = try copyLedger(folder.path)
        // Find event 13 by its unique payload bytes in the file and change one of them. The
        // bytes can also sit in pages LMDB freed (copies from before later writes): change
        // every occurrence, so the live one is surely among them.
        let changed = try changeFileBytes(in: copy, marker: marker(13))
        #expect(changed >= 1)

        let store = try LMDBEventStore.open(at: copy)
        defer { store.close() }
        let report = try store.verify()
        #expect(report.problem?.kind == .hashMismatch)
        #expect(report.problem?.position == 13)
        #expect(report.lastVerified == 12)
        #expect(report.eventsVerified == 12)
        #expect(report.problem?.message.contains("position 13") == true)
        // The change is in the live record: the event reads back with the changed byte.
        #expect(try store.allEvents()[12].payload.contains(Array("Marker-0013".utf8)))

        // The original is untouched and verifies.
        let original = try LMDBEventStore.open(at: folder.path)
        defer { original.close() }
        #expect(try original.verify().isIntact)
    }

    @Test(arguments: [7, 1, 20])
    func aDeletedEventIsNamed(_ position: UInt64) async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 20)
        let copy = try copyLedger(folder.path)
        try RawLedgerFiles(copy).write { transaction in
            let deleted = try transaction.delete("log", key: positionKey(position))
            #expect(deleted)
        }
        let store = try LMDBEventStore.open(at: copy)
        defer { store.close() }
        let report = try store.verify()
        #expect(report.problem?.kind == .missingEvent)
        #expect(report.problem?.position == LogPosition(position))
        #expect(report.lastVerified == LogPosition(position - 1))
    }

    @Test func twoReorderedEventsAreNamed() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 20)
        let copy = try copyLedger(folder.path)
        try RawLedgerFiles(copy).write { transaction in
            let fifth = try #require(try transaction.get("log", key: positionKey(5)))
            let ninth = try #require(try transaction.get("log", key: positionKey(9)))
            try transaction.put("log", key: positionKey(5), value: ninth)
            try transaction.put("log", key: positionKey(9), value: fifth)
        }
        let store = try LMDBEventStore.open(at: copy)
        defer { store.close() }
        let report = try store.verify()
        #expect(report.problem?.kind == .hashMismatch)
        #expect(report.problem?.position == 5)
        // What the chain expected at 5 is the original fifth event's link; what it found is
        // the ninth's.
        let links = try RawLedgerFiles(folder.path).write { transaction in
            try [5, 9].map { try #require(try transaction.get("log", key: positionKey($0))).suffix(32) }
        }
        #expect(report.problem?.found == hex(Array(links[1])))
        #expect(report.problem?.expected != hex(Array(links[0])))  // recomputed over the moved bytes
    }

    @Test func aRecordThatDoesNotParseIsNamed() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 20)
        let copy = try copyLedger(folder.path)
        try RawLedgerFiles(copy).write { transaction in
            var record = try #require(try transaction.get("log", key: positionKey(11)))
            record.removeLast(40)  // the lengths no longer add up
            try transaction.put("log", key: positionKey(11), value: record)
        }
        let store = try LMDBEventStore.open(at: copy)
        defer { store.close() }
        let report = try store.verify()
        #expect(report.problem?.kind == .unreadableRecord)
        #expect(report.problem?.position == 11)
    }

    @Test func aHeadThatDoesNotMatchTheLastEventIsNamed() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 20)
        let copy = try copyLedger(folder.path)
        try RawLedgerFiles(copy).write { transaction in
            var head = try #require(try transaction.get("meta", key: Array("head".utf8)))
            head[20] ^= 0x01  // a bit of the head's link
            try transaction.put("meta", key: Array("head".utf8), value: head)
        }
        let store = try LMDBEventStore.open(at: copy)
        defer { store.close() }
        let report = try store.verify()
        #expect(report.problem?.kind == .headMismatch)
        #expect(report.problem?.position == 20)
        #expect(report.eventsVerified == 20)
        #expect(throws: LedgerError.self) { try store.digest() }
    }

    @Test func anEarlierDigestVerifiesAfterMoreAppends() async throws {
        let folder = TemporaryFolder()
        let digest = try await ledgerWithDigest(at: folder.path, digestAfter: 10, total: 25)
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let full = try store.verify(against: digest)
        #expect(full.isIntact)
        #expect(full.startPosition == .start)
        #expect(full.eventsVerified == 25)
        let incremental = try store.verify(against: digest, incrementally: true, recordsPerTransaction: 4)
        #expect(incremental.isIntact)
        #expect(incremental.startPosition == 10)
        #expect(incremental.eventsVerified == 15)
        #expect(incremental.lastHash == full.lastHash)
        // The digest of the head verifies too, and one of an empty ledger is the genesis.
        #expect(try store.verify(against: try store.digest(), incrementally: true).eventsVerified == 0)
        #expect(try store.verify(against: LedgerDigest(position: .start, hash: .genesis, time: Date())).isIntact)
    }

    @Test func aDigestFailsAfterTamperingBelowItsPosition() async throws {
        let folder = TemporaryFolder()
        let digest = try await ledgerWithDigest(at: folder.path, digestAfter: 10, total: 25)

        // A change that leaves the stored links alone: the full walk finds it below the
        // digest. The incremental check trusts what is below the digest's position once the
        // link there matches, so it does not: that is what it trades for its speed.
        let edited = try copyLedger(folder.path, as: "edited")
        #expect(try changeFileBytes(in: edited, marker: marker(4)) >= 1)
        do {
            let store = try LMDBEventStore.open(at: edited)
            defer { store.close() }
            let report = try store.verify(against: digest)
            #expect(report.problem?.kind == .hashMismatch)
            #expect(report.problem?.position == 4)
            #expect(try store.verify(against: digest, incrementally: true).isIntact)
        }

        // A change whose author also rebuilt every link after it, so the chain holds again
        // (here by stripping the links and letting the format-1 migration chain the edited
        // log): only the digest can tell.
        let rechained = try copyLedger(folder.path, as: "rechained")
        #expect(try changeFileBytes(in: rechained, marker: marker(4)) >= 1)
        try downgradeToFormat1(rechained)
        let store = try LMDBEventStore.open(at: rechained)
        defer { store.close() }
        #expect(try store.verify().isIntact)
        for incrementally in [false, true] {
            let report = try store.verify(against: digest, incrementally: incrementally)
            #expect(report.problem?.kind == .digestMismatch)
            #expect(report.problem?.position == 10)
            #expect(report.problem?.expected == digest.hash.hex)
        }
    }

    @Test func aDigestFailsWhenTheLogLostItsNewestEvents() async throws {
        let folder = TemporaryFolder()
        let digest = try await ledgerWithDigest(at: folder.path, digestAfter: 20, total: 20)
        let copy = try copyLedger(folder.path)
        // Cut the log to 18 events and make the head agree, as a careful editor would.
        try RawLedgerFiles(copy).write { transaction in
            let eighteenth = try #require(try transaction.get("log", key: positionKey(18)))
            var head = try #require(try transaction.get("meta", key: Array("head".utf8)))
            try transaction.delete("log", key: positionKey(19))
            try transaction.delete("log", key: positionKey(20))
            head.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(18).littleEndian) { Array($0) })
            head.replaceSubrange(16..<48, with: eighteenth.suffix(32))
            try transaction.put("meta", key: Array("head".utf8), value: head)
        }
        let store = try LMDBEventStore.open(at: copy)
        defer { store.close() }
        #expect(try store.verify().isIntact)
        for incrementally in [false, true] {
            let report = try store.verify(against: digest, incrementally: incrementally)
            #expect(report.problem?.kind == .digestBeyondHead)
            #expect(report.problem?.position == 20)
        }
    }

    @Test func aDigestOfAnotherLedgerDoesNotVerify() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 5)
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let foreign = LedgerDigest(position: 3, hash: ChainHash(bytes: [UInt8](repeating: 7, count: 32))!, time: Date())
        #expect(try store.verify(against: foreign).problem?.kind == .digestMismatch)
        #expect(try store.verify(against: foreign, incrementally: true).problem?.kind == .digestMismatch)
        let empty = LedgerDigest(position: .start, hash: foreign.hash, time: Date())
        #expect(try store.verify(against: empty).problem?.kind == .digestMismatch)
    }
}

// MARK: Fixtures

/// The text that only event `number`'s payload holds.
func marker(_ number: Int) -> String {
    "marker-" + String(repeating: "0", count: 4 - String(number).count) + String(number)
}

/// A closed ledger of `count` events over four customers; event n (position n) has
/// ``marker(_:)`` n in its payload. Appended in several transactions.
func makeMarkedLedger(at path: String, count: Int, from first: Int = 1) async throws {
    let store = try LMDBEventStore.open(at: path)
    defer { store.close() }
    try await appendMarked(to: store, (first..<(first + count)))
}

func appendMarked(to store: LMDBEventStore, _ numbers: Range<Int>) async throws {
    for chunk in stride(from: numbers.lowerBound, to: numbers.upperBound, by: 3) {
        for number in chunk..<min(chunk + 3, numbers.upperBound) {
            let customer = StreamID(validated: "C\(number % 4)")
            try await store.append([sampleEvent(body: #"{"note":"\#(marker(number))-end"}"#)], to: customer)
        }
    }
}

/// A closed ledger of `total` events and the digest taken after the first `digestAfter`.
func ledgerWithDigest(at path: String, digestAfter: Int, total: Int) async throws -> LedgerDigest {
    let store = try LMDBEventStore.open(at: path)
    defer { store.close() }
    try await appendMarked(to: store, 1..<(digestAfter + 1))
    let digest = try store.digest()
    #expect(digest.position == LogPosition(UInt64(digestAfter)))
    try await appendMarked(to: store, (digestAfter + 1)..<(total + 1))
    return digest
}

/// Copies a closed ledger's folder beside it; returns the copy's path.
func copyLedger(_ path: String, as name: String = "copy") throws -> String {
    let copy = (path as NSString).deletingLastPathComponent + "/" + name
    try FileManager.default.copyItem(atPath: path, toPath: copy)
    return copy
}

/// Turns the first byte of every occurrence of `marker` in the ledger's data.mdb to upper
/// case; returns how many it changed.
@discardableResult
func changeFileBytes(in path: String, marker: String) throws -> Int {
    let url = URL(fileURLWithPath: path + "/data.mdb")
    var bytes = [UInt8](try Data(contentsOf: url))
    let needle = Array(marker.utf8)
    var changed = 0
    var index = 0
    while index + needle.count <= bytes.count {
        if bytes[index] == needle[0], Array(bytes[index..<(index + needle.count)]) == needle {
            bytes[index] = UInt8(ascii: "M")
            changed += 1
            index += needle.count
        } else {
            index += 1
        }
    }
    try Data(bytes).write(to: url)
    return changed
}

/// Rewrites a closed format-2 ledger as format 1 wrote it: records without their links and
/// with layout byte 1, a 16-byte head, format version 1.
func downgradeToFormat1(_ path: String) throws {
    try RawLedgerFiles(path).write { transaction in
        for (key, value) in try transaction.entries("log") {
            var record = Array(value.dropLast(32))
            record[0] = 1
            try transaction.put("log", key: key, value: record)
        }
        if let head = try transaction.get("meta", key: Array("head".utf8)) {  // none before the first append
            try transaction.put("meta", key: Array("head".utf8), value: Array(head.prefix(16)))
        }
        try transaction.put("meta", key: Array("formatVersion".utf8), value: withUnsafeBytes(of: UInt32(1).littleEndian) { Array($0) })
    }
}

func positionKey(_ position: UInt64) -> [UInt8] {
    withUnsafeBytes(of: position.bigEndian) { Array($0) }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

/// A closed ledger's files opened with bare LMDB, as anyone with access to the folder can.
struct RawLedgerFiles {
    let path: String

    init(_ path: String) {
        self.path = path
    }

    struct Failure: Error, CustomStringConvertible {
        var code: Int32
        var doing: String
        var description: String { "\(doing): \(String(cString: mdb_strerror(code)))" }
    }

    static func check(_ code: Int32, _ doing: String) throws {
        if code != 0 { throw Failure(code: code, doing: doing) }
    }

    /// Runs `body` in one write transaction, committed when it returns.
    func write<R>(_ body: (Transaction) throws -> R) throws -> R {
        var environment: OpaquePointer?
        try Self.check(mdb_env_create(&environment), "mdb_env_create")
        defer { mdb_env_close(environment) }
        try Self.check(mdb_env_set_maxdbs(environment, 16), "mdb_env_set_maxdbs")
        try Self.check(mdb_env_open(environment, path, 0, 0o600), "mdb_env_open")
        var transaction: OpaquePointer?
        try Self.check(mdb_txn_begin(environment, nil, 0, &transaction), "mdb_txn_begin")
        let result: R
        do {
            result = try body(Transaction(pointer: transaction!))
        } catch {
            mdb_txn_abort(transaction)
            throw error
        }
        try Self.check(mdb_txn_commit(transaction), "mdb_txn_commit")
        return result
    }

    struct Transaction {
        let pointer: OpaquePointer

        func database(_ name: String) throws -> MDB_dbi {
            var database: MDB_dbi = 0
            try RawLedgerFiles.check(mdb_dbi_open(pointer, name, 0, &database), "mdb_dbi_open \(name)")
            return database
        }

        func get(_ name: String, key: [UInt8]) throws -> [UInt8]? {
            let database = try database(name)
            var key = key
            return try key.withUnsafeMutableBytes { keyBytes in
                var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
                var value = MDB_val()
                let code = mdb_get(pointer, database, &keyValue, &value)
                if code == MDB_NOTFOUND { return nil }
                try RawLedgerFiles.check(code, "mdb_get")
                return Array(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
            }
        }

        func put(_ name: String, key: [UInt8], value: [UInt8]) throws {
            let database = try database(name)
            var key = key
            var value = value
            try key.withUnsafeMutableBytes { keyBytes in
                try value.withUnsafeMutableBytes { valueBytes in
                    var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
                    var dataValue = MDB_val(mv_size: valueBytes.count, mv_data: valueBytes.baseAddress)
                    try RawLedgerFiles.check(mdb_put(pointer, database, &keyValue, &dataValue, 0), "mdb_put")
                }
            }
        }

        @discardableResult
        func delete(_ name: String, key: [UInt8]) throws -> Bool {
            let database = try database(name)
            var key = key
            return try key.withUnsafeMutableBytes { keyBytes in
                var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
                let code = mdb_del(pointer, database, &keyValue, nil)
                if code == MDB_NOTFOUND { return false }
                try RawLedgerFiles.check(code, "mdb_del")
                return true
            }
        }

        /// Every entry of a database, copied, in key order.
        func entries(_ name: String) throws -> [(key: [UInt8], value: [UInt8])] {
            let database = try database(name)
            var cursor: OpaquePointer?
            try RawLedgerFiles.check(mdb_cursor_open(pointer, database, &cursor), "mdb_cursor_open")
            defer { mdb_cursor_close(cursor) }
            var result: [(key: [UInt8], value: [UInt8])] = []
            var key = MDB_val()
            var value = MDB_val()
            var code = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
            while code == 0 {
                result.append((
                    Array(UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)),
                    Array(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
                ))
                code = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
            }
            if code != MDB_NOTFOUND { try RawLedgerFiles.check(code, "mdb_cursor_get") }
            return result
        }
    }
}
