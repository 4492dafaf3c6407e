extension EventStore {
    /// The log's events as an `AsyncSequence` that reads `batchSize` events per storage
    /// transaction and holds no transaction while the consumer awaits.
    public func events(
        from position: LogPosition = .start,
        direction: ReadDirection = .forward,
        filter: EventTypeFilter = .all,
        batchSize: Int = 512
    ) -> LogEvents {
        LogEvents(store: self, start: position, direction: direction, filter: filter, batchSize: Swift.max(1, batchSize))
    }

    /// One stream's events as an `AsyncSequence`, read in batches like ``events(from:direction:filter:batchSize:)``.
    public func events(
        in stream: StreamID,
        from version: StreamVersion = .first,
        direction: ReadDirection = .forward,
        batchSize: Int = 512
    ) -> StreamEvents {
        StreamEvents(store: self, stream: stream, start: version, direction: direction, batchSize: Swift.max(1, batchSize))
    }
}

/// The log's events, read in batches. Made by ``EventStore/events(from:direction:filter:batchSize:)``.
public struct LogEvents: AsyncSequence, Sendable, BatchSource {
    public typealias Element = RecordedEvent
    let store: any EventStore
    let start: LogPosition
    let direction: ReadDirection
    let filter: EventTypeFilter
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(batches: BatchReader(source: self, start: start.rawValue))
    }

    func readBatch(from start: UInt64, into batch: inout [RecordedEvent]) throws -> UInt64? {
        try store.readLog(from: LogPosition(start), direction: direction, filter: filter, limit: batchSize) { batch.append($0) }
        return batch.last?.position.rawValue
    }

    public struct Iterator: AsyncIteratorProtocol {
        var batches: BatchReader<LogEvents>

        public mutating func next() async throws -> RecordedEvent? {
            try batches.next()
        }
    }
}

/// One stream's events, read in batches. Made by ``EventStore/events(in:from:direction:batchSize:)``.
public struct StreamEvents: AsyncSequence, Sendable, BatchSource {
    public typealias Element = RecordedEvent
    let store: any EventStore
    let stream: StreamID
    let start: StreamVersion
    let direction: ReadDirection
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(batches: BatchReader(source: self, start: start.rawValue))
    }

    func readBatch(from start: UInt64, into batch: inout [RecordedEvent]) throws -> UInt64? {
        try store.readStream(stream, from: StreamVersion(start), direction: direction, limit: batchSize) { batch.append($0) }
        return batch.last?.version.rawValue
    }

    public struct Iterator: AsyncIteratorProtocol {
        var batches: BatchReader<StreamEvents>

        public mutating func next() async throws -> RecordedEvent? {
            try batches.next()
        }
    }
}

/// Something read one batch per storage transaction, counted by position or version.
protocol BatchSource: Sendable {
    var direction: ReadDirection { get }
    var batchSize: Int { get }
    /// Appends one batch starting at `start` and returns the last event's count.
    func readBatch(from start: UInt64, into batch: inout [RecordedEvent]) throws -> UInt64?
}

/// Hands out a ``BatchSource``'s events one at a time, reading the next batch when the
/// last is used up; the log and stream sequences differ only in their source.
struct BatchReader<Source: BatchSource>: Sendable {
    private let source: Source
    private var cursor: UInt64?
    private var buffer = BatchBuffer()

    init(source: Source, start: UInt64) {
        self.source = source
        self.cursor = start
    }

    mutating func next() throws -> RecordedEvent? {
        if let event = buffer.next() { return event }
        guard let from = cursor else { return nil }
        try Task.checkCancellation()
        var batch: [RecordedEvent] = []
        batch.reserveCapacity(source.batchSize)
        let last = try source.readBatch(from: from, into: &batch)
        if let last, batch.count == source.batchSize {
            switch source.direction {
            case .forward: cursor = last + 1
            case .backward: cursor = last > 1 ? last - 1 : nil
            }
        } else {
            cursor = nil
        }
        buffer.refill(batch)
        return buffer.next()
    }
}

/// A batch read from storage, handed out one event at a time.
struct BatchBuffer: Sendable {
    private var events: [RecordedEvent] = []
    private var index = 0

    mutating func next() -> RecordedEvent? {
        guard index < events.count else { return nil }
        defer { index += 1 }
        return events[index]
    }

    mutating func refill(_ batch: [RecordedEvent]) {
        events = batch
        index = 0
    }
}
