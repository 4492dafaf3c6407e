extension EventStore {
    /// The log's events as an `AsyncSequence` that reads `batchSize` events per storage
    /// transaction and holds no transaction while the consumer awaits.
    public func events(
        from position: LogPosition = .start,
        direction: ReadDirection = .forward,
        filter: EventTypeFilter = .all,
        batchSize: Int = 512
    ) -> LogEvents {
        LogEvents(store: self, start: position, direction: direction, filter: filter, batchSize: batchSize)
    }

    /// One stream's events as an `AsyncSequence`, read in batches like ``events(from:direction:filter:batchSize:)``.
    public func events(
        in stream: StreamID,
        from version: StreamVersion = .first,
        direction: ReadDirection = .forward,
        batchSize: Int = 512
    ) -> StreamEvents {
        StreamEvents(store: self, stream: stream, start: version, direction: direction, batchSize: batchSize)
    }
}

/// The log's events, read in batches. Made by ``EventStore/events(from:direction:filter:batchSize:)``.
public struct LogEvents: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent
    let store: any EventStore
    let start: LogPosition
    let direction: ReadDirection
    let filter: EventTypeFilter
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self, cursor: start)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let sequence: LogEvents
        var cursor: LogPosition?
        var buffer = BatchBuffer()

        public mutating func next() async throws -> RecordedEvent? {
            if let event = buffer.next() { return event }
            guard let from = cursor else { return nil }
            try Task.checkCancellation()
            var batch: [RecordedEvent] = []
            batch.reserveCapacity(sequence.batchSize)
            try sequence.store.readLog(
                from: from, direction: sequence.direction, filter: sequence.filter, limit: sequence.batchSize
            ) { batch.append($0) }
            cursor = nextCursor(after: batch.last?.position, batchCount: batch.count)
            buffer.refill(batch)
            return buffer.next()
        }

        private func nextCursor(after last: LogPosition?, batchCount: Int) -> LogPosition? {
            guard let last, batchCount == sequence.batchSize else { return nil }
            switch sequence.direction {
            case .forward: return last.next
            case .backward: return last.rawValue > 1 ? LogPosition(last.rawValue - 1) : nil
            }
        }
    }
}

/// One stream's events, read in batches. Made by ``EventStore/events(in:from:direction:batchSize:)``.
public struct StreamEvents: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent
    let store: any EventStore
    let stream: StreamID
    let start: StreamVersion
    let direction: ReadDirection
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self, cursor: start)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let sequence: StreamEvents
        var cursor: StreamVersion?
        var buffer = BatchBuffer()

        public mutating func next() async throws -> RecordedEvent? {
            if let event = buffer.next() { return event }
            guard let from = cursor else { return nil }
            try Task.checkCancellation()
            var batch: [RecordedEvent] = []
            batch.reserveCapacity(sequence.batchSize)
            try sequence.store.readStream(
                sequence.stream, from: from, direction: sequence.direction, limit: sequence.batchSize
            ) { batch.append($0) }
            if let last = batch.last?.version, batch.count == sequence.batchSize {
                switch sequence.direction {
                case .forward: cursor = StreamVersion(last.rawValue + 1)
                case .backward: cursor = last.rawValue > 1 ? StreamVersion(last.rawValue - 1) : nil
                }
            } else {
                cursor = nil
            }
            buffer.refill(batch)
            return buffer.next()
        }
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
