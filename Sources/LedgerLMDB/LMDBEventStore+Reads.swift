import CLMDB
import Foundation
public import LedgerCore

extension LMDBEventStore {
    public func readLog(
        from position: LogPosition,
        direction: ReadDirection = .forward,
        filter: EventTypeFilter = .all,
        limit: Int = .max,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        guard limit > 0 else { return }
        try environment.read { transaction in
            var names = types.names()
            let wanted = try filter.types.map { try typeNumbers(of: $0, in: transaction) }
            if let wanted, wanted.isEmpty { return }
            try transaction.withCursor(schema.log) { cursor in
                var entry = try startEntry(&cursor, at: position, direction: direction)
                let step = direction == .forward ? MDB_NEXT : MDB_PREV
                var delivered = 0
                while let (key, value) = entry {
                    if wanted?.contains(EventRecord.typeNumber(of: value)) ?? true {
                        let type = try typeName(EventRecord.typeNumber(of: value), names: &names, in: transaction)
                        let event = try EventRecord.decode(value, position: LogPosition(key.readBE(UInt64.self, at: 0)), type: type)
                        try body(event)
                        delivered += 1
                        if delivered == limit { return }
                    }
                    entry = try cursor.move(step)
                }
            }
        }
    }

    /// Every event of the log from `position` on, oldest first, of the types `filter` lets
    /// through, lent without copying (see ``StoredEvent``): the hot path of a pass over the
    /// whole log (population projections). Errors thrown by `body` are rethrown as they
    /// are; throw to stop early.
    public func readStoredLog(from position: LogPosition = .start, filter: EventTypeFilter = .all, _ body: (borrowing StoredEvent) throws -> Void) throws {
        try environment.read { transaction in
            var lent = LentTypes(names: types.typeNames())
            let wanted = try filter.types.map { try typeNumbers(of: $0, in: transaction) }
            if let wanted, wanted.isEmpty { return }
            try transaction.withCursor(schema.log) { cursor in
                var entry = try startEntry(&cursor, at: position, direction: .forward)
                while let (key, value) = entry {
                    let typeNumber = EventRecord.typeNumber(of: value)
                    if wanted?.contains(typeNumber) ?? true {
                        try body(try storedEvent(value, at: key.readBE(UInt64.self, at: 0), typeNumber: typeNumber, &lent, in: transaction))
                    }
                    entry = try cursor.move(MDB_NEXT)
                }
            }
        }
    }

    public func readStream(
        _ stream: StreamID,
        from version: StreamVersion = .first,
        direction: ReadDirection = .forward,
        limit: Int = .max,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        guard limit > 0 else { return }
        try environment.read { transaction in
            guard let state = try streamState(stream, in: transaction) else { return }
            var names = types.names()
            let startVersion: UInt64
            switch direction {
            case .forward: startVersion = max(version.rawValue, 1)
            case .backward: startVersion = min(version.rawValue, state.version.rawValue)
            }
            guard startVersion >= 1, startVersion <= state.version.rawValue else { return }
            try transaction.withCursor(schema.streams) { cursor in
              try transaction.withCursor(schema.log) { logCursor in
                var entry = try PairKey(state.number, startVersion).withBytes { try cursor.seek($0, MDB_SET_KEY) }
                let step = direction == .forward ? MDB_NEXT : MDB_PREV
                var delivered = 0
                var previous: UInt64 = 0
                // As in readStoredEvents: the index page, and within a run of adjacent
                // records the log page below, are asked for ahead.
                var indexPages = MapPrefetch()
                var logPages = MapPrefetch()
                if let (key, _) = entry, let base = key.baseAddress { indexPages.page(of: base) }
                while let (key, value) = entry, key.count == 16, key.readBE(UInt64.self, at: 0) == state.number {
                    let position = value.readLE(UInt64.self, at: 0)
                    guard let record = try logCursor.record(at: position, after: direction == .forward ? previous : 0) else {
                        throw LedgerError(.corrupted, "Stream \(stream) points to position \(position), which holds no event.", stream: stream)
                    }
                    if direction == .forward, position == previous &+ 1, let base = record.baseAddress { logPages.pageBelow(base) }
                    previous = position
                    let type = try typeName(EventRecord.typeNumber(of: record), names: &names, in: transaction)
                    let event = try EventRecord.decode(record, position: LogPosition(position), type: type)
                    try body(event)
                    delivered += 1
                    if delivered == limit { return }
                    entry = try cursor.move(step)
                    if let (key, _) = entry, let base = key.baseAddress { indexPages.page(of: base) }
                }
              }
            }
        }
    }

    /// Every event of a stream, oldest first, lent without copying (see ``StoredEvent``):
    /// the hot path of reading one customer. It looks up the stream's number and walks its
    /// index entries, one `log` get each — nothing else. Errors thrown by `body` are
    /// rethrown as they are.
    public func readStoredEvents(of stream: StreamID, _ body: (borrowing StoredEvent) throws -> Void) throws {
        try environment.read { transaction in
            var name = stream.rawValue
            let stored = try name.withUTF8 { key in try transaction.get(schema.streamInfo, UnsafeRawBufferPointer(key)) }
            guard let stored else { return }
            guard stored.count == 8 else {
                throw LedgerError(.corrupted, "The streamInfo entry of stream \(stream) has \(stored.count) bytes instead of 8.", stream: stream)
            }
            let number = stored.readLE(UInt64.self, at: 0)
            var lent = LentTypes(names: types.typeNames())
            try transaction.withCursor(schema.streams) { cursor in
              try transaction.withCursor(schema.log) { logCursor in
                // The records are found a run at a time, then lent: a walk that only finds
                // them lets the processor wait for many of their cache misses at once,
                // where one interleaved with decoding waits for each in turn.
                // 32 entries of 24 bytes stay on the stack (64 went to the heap).
                try withUnsafeTemporaryAllocation(of: (position: UInt64, record: UnsafeRawBufferPointer).self, capacity: 32) { run in
                    // The stream's index entries are next to each other, and a customer's
                    // events often are too (a batch, a session): their pages are asked for
                    // whole, so walking them with MDB_NEXT does not wait for each entry.
                    var indexPages = MapPrefetch()
                    var logPages = MapPrefetch()
                    var entry = try PairKey(number, 1).withBytes { try cursor.seek($0) }
                    if let (key, _) = entry, let base = key.baseAddress { indexPages.page(of: base) }
                    var previous: UInt64 = 0
                    while entry != nil {
                        var found = 0
                        while found < run.count, let (key, value) = entry, key.count == 16, key.readBE(UInt64.self, at: 0) == number {
                            let position = value.readLE(UInt64.self, at: 0)
                            guard let record = try logCursor.record(at: position, after: previous) else {
                                throw LedgerError(.corrupted, "Stream \(stream) points to position \(position), which holds no event.", stream: stream)
                            }
                            previous = position
                            // Every line of the record is on its way while the walk goes on.
                            MapPrefetch.lines(of: record)
                            run[found] = (position, record)
                            found += 1
                            entry = try cursor.move(MDB_NEXT)
                            if let (key, value) = entry, value.count == 8, let next = key.baseAddress {
                                indexPages.page(of: next)
                                // The next position is the next record of the log, below this one.
                                if value.readLE(UInt64.self, at: 0) == position &+ 1, let base = record.baseAddress {
                                    logPages.pageBelow(base)
                                }
                            }
                        }
                        if found < run.count { entry = nil }  // the stream's entries ended
                        for index in 0..<found {
                            let (position, record) = run[index]
                            try body(try storedEvent(record, at: position, typeNumber: EventRecord.typeNumber(of: record), &lent, in: transaction))
                        }
                    }
                }
              }
            }
        }
    }

    public func streamInfo(_ stream: StreamID) throws(LedgerError) -> StreamInfo? {
        try readTransaction { transaction in try streamState(stream, in: transaction)?.info(for: stream) }
    }

    public func streams(after stream: StreamID? = nil, limit: Int = .max) throws(LedgerError) -> [StreamInfo] {
        guard limit > 0 else { return [] }
        return try readTransaction { transaction in
            try transaction.withCursor(schema.streamInfo) { cursor in
                var result: [StreamInfo] = []
                var entry: LMDBCursor.Entry?
                if let stream {
                    var name = stream.rawValue
                    entry = try name.withUTF8 { try cursor.seek(UnsafeRawBufferPointer($0)) }
                    if let found = entry, found.key.elementsEqual(stream.rawValue.utf8) { entry = try cursor.move(MDB_NEXT) }
                } else {
                    entry = try cursor.move(MDB_FIRST)
                }
                while let (key, value) = entry, result.count < limit {
                    guard let name = String(validating: key, as: UTF8.self) else {
                        throw LedgerError(.corrupted, "A streamInfo key is not UTF-8.")
                    }
                    guard value.count == 8 else { throw LedgerError(.corrupted, "The streamInfo entry of stream \(name) is not a stream number.") }
                    let stream = StreamID(validated: name)
                    result.append(try StreamState.load(number: value.readLE(UInt64.self, at: 0), of: stream, in: transaction, schema: schema).info(for: stream))
                    entry = try cursor.move(MDB_NEXT)
                }
                return result
            }
        }
    }

    public func totals() throws(LedgerError) -> StoreTotals {
        try readTransaction { transaction in
            let head = try GroupTransaction.readHead(transaction, schema)
            return StoreTotals(
                eventCount: head.position.rawValue,
                streamCount: try transaction.count(schema.streamInfo),
                head: head.position,
                lastRecordedAt: head.position == .start ? nil : Date(microsecondsSince1970: head.recordedAt)
            )
        }
    }

    /// Facts about the files, for `ledger stats` and monitoring.
    public func storageInfo() throws(LedgerError) -> StorageInfo {
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int) ?? 0
        return StorageInfo(
            formatVersion: LedgerSchema.formatVersion,
            mapSize: environment.mapSize,
            maximumMapSize: options.maximumMapSize,
            fileSize: fileSize,
            durability: options.durability
        )
    }

    // MARK: Helpers

    /// Runs a read transaction, keeping the ledger's typed errors.
    func readTransaction<R>(_ body: (LMDBTransaction) throws -> R) throws(LedgerError) -> R {
        do {
            return try environment.read(body)
        } catch {
            throw LedgerError.wrapping(error, while: "Reading the ledger")
        }
    }

    private func streamState(_ stream: StreamID, in transaction: LMDBTransaction) throws -> StreamState? {
        try StreamState.load(stream, in: transaction, schema: schema)
    }

    private func startEntry(_ cursor: inout LMDBCursor, at position: LogPosition, direction: ReadDirection) throws -> LMDBCursor.Entry? {
        switch direction {
        case .forward:
            return try withPositionKey(max(position.rawValue, 1)) { key in try cursor.seek(key) }
        case .backward:
            guard position != .end, let found = try withPositionKey(position.rawValue, { key in try cursor.seek(key) }) else {
                return try cursor.move(MDB_LAST)
            }
            return found.key.readBE(UInt64.self, at: 0) == position.rawValue ? found : try cursor.move(MDB_PREV)
        }
    }

    /// The lent event of `record`, its type number checked to have a name (each number once
    /// per read), the types loaded again when the shared names do not have it yet.
    private func storedEvent(
        _ record: UnsafeRawBufferPointer, at position: UInt64, typeNumber: UInt32, _ lent: inout LentTypes, in transaction: LMDBTransaction
    ) throws -> StoredEvent {
        if typeNumber >= 64 || lent.checked & (1 << typeNumber) == 0 {
            if !lent.names.names(typeNumber) {
                _ = try types.reload(from: transaction, schema: schema)
                lent.names = types.typeNames()
                guard lent.names.names(typeNumber) else {
                    throw LedgerError(.corrupted, "An event has type number \(typeNumber), which the types database does not name.")
                }
            }
            if typeNumber < 64 { lent.checked |= 1 << typeNumber }
        }
        return try StoredEvent(position: LogPosition(position), typeNames: lent.names, typeNumber: typeNumber, bytes: record)
    }

    @inline(__always)
    private func typeName(_ number: UInt32, names: inout [String], in transaction: LMDBTransaction) throws -> String {
        let index = Int(number) - 1
        if index >= 0, index < names.count, !names[index].isEmpty { return names[index] }
        names = try types.reload(from: transaction, schema: schema)
        if index >= 0, index < names.count, !names[index].isEmpty { return names[index] }
        throw LedgerError(.corrupted, "An event has type number \(number), which the types database does not name.")
    }

    private func typeNumbers(of names: Set<String>, in transaction: LMDBTransaction) throws -> Set<UInt32> {
        var numbers = Set<UInt32>()
        for name in names {
            if let number = types.number(of: name) {
                numbers.insert(number)
            } else if let stored = try Array(("n" + name).utf8).withUnsafeBytes({ try transaction.get(schema.types, $0) }) {
                numbers.insert(stored.readLE(UInt32.self, at: 0))
            }
        }
        return numbers
    }
}

/// Facts about a ledger's files.
public struct StorageInfo: Hashable, Sendable {
    /// The on-disk format version.
    public var formatVersion: UInt32
    /// The memory map's current size in bytes.
    public var mapSize: Int
    /// The most the map may grow to.
    public var maximumMapSize: Int
    /// The data file's size in bytes.
    public var fileSize: Int
    /// Synced at every commit, or relaxed.
    public var durability: LMDBEventStore.Durability
}

/// What a read that lends events keeps: the type names its events name their types through
/// (held for the whole read, so no lent event retains a name unless asked), and the type
/// numbers below 64 it has already found named (a ledger has a few).
private struct LentTypes {
    var names: StoredEvent.TypeNames
    var checked: UInt64 = 0
}
