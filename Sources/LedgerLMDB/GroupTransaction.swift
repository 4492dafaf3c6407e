import CLMDB
import Foundation
import LedgerCore

/// The work of one group commit inside one LMDB write transaction.
///
/// Each request is checked on its own (expected versions, idempotency, recordedAt order)
/// before anything of it is put, so a rejected request leaves no trace and does not
/// affect the others. Storage failures (a full map, a disk error) throw and abort the
/// whole transaction; the writer then retries or fails the whole group.
struct GroupTransaction {
    /// The transaction it writes in (a nested one while inline projections run).
    var transaction: LMDBTransaction
    private let schema: LedgerSchema
    private let types: TypeTable

    private(set) var head: HeadState
    private var nextStreamNumber: UInt64
    private var nextTypeNumber: UInt32
    /// Stream states and the largest id, shared with later transactions (see ``WriterCache``).
    private let cache: WriterCache
    /// Streams created in this transaction, whose numbers `finish()` stores.
    private var createdStreams: [StreamID] = []
    /// Types created in this transaction, cached in `TypeTable` only after commit.
    private(set) var createdTypes: [String: UInt32] = [:]
    private let now: Int64
    private var lastType: (name: String, number: UInt32)?

    init(transaction: LMDBTransaction, schema: LedgerSchema, types: TypeTable, cache: WriterCache) throws {
        self.transaction = transaction
        self.schema = schema
        self.types = types
        self.cache = cache
        head = try Self.readHead(transaction, schema)
        try cache.prepare(for: head.position, transaction: transaction, schema: schema)
        nextStreamNumber = try Self.readMeta(transaction, schema, MetaKey.nextStreamNumber).map { $0.readLE(UInt64.self, at: 0) } ?? 1
        nextTypeNumber = try Self.readMeta(transaction, schema, MetaKey.nextTypeNumber).map { $0.readLE(UInt32.self, at: 0) } ?? 1
        now = Date().microsecondsSince1970
    }

    static func readMeta(_ transaction: LMDBTransaction, _ schema: LedgerSchema, _ key: String) throws -> UnsafeRawBufferPointer? {
        var key = key
        return try key.withUTF8 { bytes throws in try transaction.get(schema.meta, UnsafeRawBufferPointer(bytes)) }
    }

    static func readHead(_ transaction: LMDBTransaction, _ schema: LedgerSchema) throws -> HeadState {
        try readMeta(transaction, schema, MetaKey.head).map(HeadState.init) ?? .empty
    }

    static func writeMeta(_ transaction: LMDBTransaction, _ schema: LedgerSchema, _ key: String, _ value: [UInt8]) throws {
        var key = key
        try key.withUTF8 { keyBytes throws in
            try value.withUnsafeBytes { valueBytes throws in
                try transaction.put(schema.meta, UnsafeRawBufferPointer(keyBytes), valueBytes)
            }
        }
    }

    // MARK: One request

    /// Checks and writes one request. A rejected request comes back as a failure and has
    /// written nothing; a storage failure throws.
    mutating func apply(_ request: AppendRequest) throws -> Result<[AppendResult], LedgerError> {
        // Check everything first. A stream may appear more than once in one request (an
        // import keeps the log's order that way): later parts are checked against the
        // version the earlier parts will leave.
        var plans: [Plan] = []
        plans.reserveCapacity(request.appends.count)
        var plannedVersions: [StreamID: StreamVersion] = [:]
        for append in request.appends {
            let planned = request.streamsRepeat ? plannedVersions[append.stream] : nil
            let current = try planned ?? streamState(append.stream)?.version ?? .none
            switch try plan(append, current: current) {
            case .success(let plan):
                plans.append(plan)
                if request.streamsRepeat, case .write = plan {
                    plannedVersions[append.stream] = StreamVersion(current.rawValue + UInt64(append.count))
                }
            case .failure(let error):
                return .failure(error)
            }
        }
        let stored = plans.filter { if case .alreadyStored = $0 { true } else { false } }.count
        if stored > 0, stored < plans.count {
            return .failure(LedgerError(
                .duplicateEventID,
                "Some streams of this atomic append are already stored and others are not, so it is not a retry of an earlier append. Nothing was written."
            ))
        }
        if stored == 0, let problem = recordedAtProblem(request) { return .failure(problem) }
        // Then write.
        var results: [AppendResult] = []
        results.reserveCapacity(plans.count)
        for (append, plan) in zip(request.appends, plans) {
            switch plan {
            case .alreadyStored(let result): results.append(result)
            case .write: results.append(try write(append))
            }
        }
        return .success(results)
    }

    private enum Plan {
        case alreadyStored(AppendResult)
        case write
    }

    private func plan(_ append: PreparedAppend, current actual: StreamVersion) throws -> Result<Plan, LedgerError> {
        switch try storedCopy(of: append) {
        case .success(let result?): return .success(.alreadyStored(result))
        case .success(nil): break
        case .failure(let error): return .failure(error)
        }
        guard append.expectedVersion.isSatisfied(by: actual) else {
            return .failure(LedgerError(
                .wrongExpectedVersion,
                "Appending to stream \(append.stream) expected \(append.expectedVersion) but found version \(actual). Read the stream again, decide again and retry. Nothing was written.",
                stream: append.stream,
                expectedVersion: append.expectedVersion,
                actualVersion: actual
            ))
        }
        return .success(.write)
    }

    /// Finds out whether the append's events are already stored: `nil` when none is, the
    /// original result when all are with the same content, a failure otherwise.
    private func storedCopy(of append: PreparedAppend) throws -> Result<AppendResult?, LedgerError> {
        var found: [(position: LogPosition, version: StreamVersion)] = []
        for (index, id) in append.ids.enumerated() {
            if cache.isAboveLargest(id) { continue }  // a new UUIDv7: cannot be stored yet
            guard let positionBytes = try withIDKey(id, { key throws in try transaction.get(schema.ids, key) }) else {
                continue
            }
            let position = LogPosition(positionBytes.readLE(UInt64.self, at: 0))
            let record = try withPositionKey(position.rawValue) { key throws in try transaction.get(schema.log, key) }
            guard let record else {
                throw LedgerError(.corrupted, "Event id \(id) points to position \(position), which holds no event.")
            }
            let storedType = try typeName(EventRecord.typeNumber(of: record))
            guard storedType == append.typeNames[index], append.withRecord(index, { EventRecord.sameContent(record, $0) }) else {
                return .failure(LedgerError(
                    .duplicateEventID,
                    "Event id \(id) is already stored at position \(position) with different content. Give the new event its own id. Nothing was written.",
                    stream: append.stream
                ))
            }
            found.append((position, EventRecord.version(of: record)))
        }
        if found.isEmpty { return .success(nil) }
        let consecutive = found.count == append.ids.count && found.indices.allSatisfy { index in
            found[index].position.rawValue == found[0].position.rawValue + UInt64(index)
                && found[index].version.rawValue == found[0].version.rawValue + UInt64(index)
        }
        guard consecutive, let first = found.first, let last = found.last else {
            return .failure(LedgerError(
                .duplicateEventID,
                "\(found.count) of the \(append.ids.count) events for stream \(append.stream) are already stored, but not as one earlier append, so this is not a retry of it. Nothing was written.",
                stream: append.stream
            ))
        }
        return .success(AppendResult(
            stream: append.stream,
            positions: first.position...last.position,
            versions: first.version...last.version,
            wasAlreadyStored: true
        ))
    }

    /// Checks that the request keeps recordedAt non-decreasing along the log: a given time
    /// may not be earlier than the head's or than an earlier event of the same request,
    /// whose time, when not given, will be the later of now and the head's.
    private func recordedAtProblem(_ request: AppendRequest) -> LedgerError? {
        var latest = head.recordedAt
        for append in request.appends {
            guard let givenTimes = append.recordedAt else {
                latest = Swift.max(latest, now)
                continue
            }
            for given in givenTimes {
                guard let given else {
                    latest = Swift.max(latest, now)
                    continue
                }
                if given < latest {
                    return LedgerError(
                        .invalidEvent,
                        "An event of stream \(append.stream) gives recordedAt \(Self.text(given)), earlier than the recordedAt of the event before it in the log (\(Self.text(latest))). recordedAt never decreases along the log: import into a new ledger, or leave recordedAt to the ledger. Nothing was written.",
                        stream: append.stream
                    )
                }
                latest = given
            }
        }
        return nil
    }

    private static func text(_ microseconds: Int64) -> String {
        iso8601Microseconds(microseconds)
    }

    private mutating func write(_ append: PreparedAppend) throws -> AppendResult {
        let existing = try streamState(append.stream)
        var state = existing ?? StreamState(number: nextStreamNumber, version: .none, firstPosition: head.position.next, lastPosition: .start)
        if existing == nil {
            nextStreamNumber += 1
            createdStreams.append(append.stream)
        }
        let firstPosition = head.position.next
        let firstVersion = StreamVersion(state.version.rawValue + 1)
        for index in 0..<append.count {
            let position = head.position.next
            let version = StreamVersion(state.version.rawValue + 1)
            let recordedAt = append.recordedAt?[index] ?? Swift.max(now, head.recordedAt)
            let typeNumber = try typeNumber(append.typeNames[index])
            // The record is hashed where it lands in the map, after the link of the record
            // before it, which the head carries from one event (and transaction) to the next.
            var link = head.hash
            try withPositionKey(position.rawValue) { key in
                try append.withRecord(index) { record in
                    try transaction.putReserved(schema.log, key, size: EventRecord.storedSize(record.count), flags: MDB_APPEND) { destination in
                        link = EventRecord.write(
                            record, into: destination, typeNumber: typeNumber, version: version, recordedAt: recordedAt, after: link
                        )
                    }
                }
            }
            try withUnsafeBytes(of: position.rawValue.littleEndian) { positionValue throws in
                try PairKey(state.number, version.rawValue).withBytes { key throws in
                    try transaction.put(schema.streams, key, positionValue, flags: MDB_NOOVERWRITE)
                }
                try withIDKey(append.ids[index]) { key throws in
                    try transaction.put(schema.ids, key, positionValue, flags: MDB_NOOVERWRITE)
                }
                cache.stored(append.ids[index])
            }
            head = HeadState(position: position, recordedAt: recordedAt, hash: link)
            state.version = version
            state.lastPosition = position
        }
        cache.streams[append.stream] = state
        return AppendResult(
            stream: append.stream,
            positions: firstPosition...head.position,
            versions: firstVersion...state.version,
            wasAlreadyStored: false
        )
    }

    // MARK: Lookups

    private mutating func streamState(_ stream: StreamID) throws -> StreamState? {
        if let cached = cache.streams[stream] { return cached }
        let stored = try StreamState.load(stream, in: transaction, schema: schema)
        if let stored { cache.streams[stream] = stored }
        return stored
    }

    private mutating func typeNumber(_ name: String) throws -> UInt32 {
        // Most appends repeat one type: remember the last answer.
        if let last = lastType, last.name == name { return last.number }
        let number = try lookUpTypeNumber(name)
        lastType = (name, number)
        return number
    }

    private mutating func lookUpTypeNumber(_ name: String) throws -> UInt32 {
        if let number = createdTypes[name] ?? types.number(of: name) { return number }
        var key = [UInt8(ascii: "n")] + Array(name.utf8)
        if let stored = try key.withUnsafeBytes({ bytes throws in try transaction.get(schema.types, bytes) }) {
            return stored.readLE(UInt32.self, at: 0)
        }
        let number = nextTypeNumber
        nextTypeNumber += 1
        try withUnsafeBytes(of: number.littleEndian) { value throws in
            try key.withUnsafeBytes { bytes throws in try transaction.put(schema.types, bytes, value) }
        }
        key = [UInt8(ascii: "i")]
        key.appendBE(number)
        try key.withUnsafeBytes { keyBytes throws in
            try Array(name.utf8).withUnsafeBytes { value throws in try transaction.put(schema.types, keyBytes, value) }
        }
        createdTypes[name] = number
        return number
    }

    private func typeName(_ number: UInt32) throws -> String {
        var key = [UInt8(ascii: "i")]
        key.appendBE(number)
        guard let bytes = try key.withUnsafeBytes({ bytes throws in try transaction.get(schema.types, bytes) }),
              let name = String(validating: bytes, as: UTF8.self)
        else {
            throw LedgerError(.corrupted, "Event type number \(number) has no name in the types database.")
        }
        return name
    }

    // MARK: Finish

    /// Writes the new streams' numbers and the head (with its chain link); call once,
    /// after the last request.
    func finish() throws {
        for stream in createdStreams {
            var name = stream.rawValue
            try name.withUTF8 { key in
                try withUnsafeBytes(of: cache.streams[stream]!.number.littleEndian) { value in
                    try transaction.put(schema.streamInfo, UnsafeRawBufferPointer(key), value, flags: MDB_NOOVERWRITE)
                }
            }
        }
        try Self.writeMeta(transaction, schema, MetaKey.head, head.bytes)
        var streamNumber: [UInt8] = []
        streamNumber.appendLE(nextStreamNumber)
        try Self.writeMeta(transaction, schema, MetaKey.nextStreamNumber, streamNumber)
        if !createdTypes.isEmpty {
            var typeNumber: [UInt8] = []
            typeNumber.appendLE(nextTypeNumber)
            try Self.writeMeta(transaction, schema, MetaKey.nextTypeNumber, typeNumber)
        }
    }
}
