extension EventStore {
    /// Every event after `position`, in log order with no gaps: first those already
    /// stored (catch-up), then new ones as they are committed (live), until the task is
    /// cancelled or the store closes.
    ///
    /// ```swift
    /// for try await event in store.subscribe(after: checkpoint) {
    ///     try await index(event)
    ///     checkpoint = event.position
    /// }
    /// ```
    ///
    /// Appends in this process wake the subscription at once; appends by another process
    /// on the same ledger are noticed within the engine's poll interval.
    public func subscribe(
        after position: LogPosition = .start,
        filter: EventTypeFilter = .all,
        batchSize: Int = 512
    ) -> EventSubscription {
        EventSubscription(store: self, start: position, filter: filter, batchSize: batchSize)
    }
}

/// A catch-up-then-live sequence of events. Made by ``EventStore/subscribe(after:filter:batchSize:)``.
///
/// It ends (returns `nil`) when the consuming task is cancelled, and throws
/// ``LedgerError/Code-swift.struct/closed`` when the store closes.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent
    let store: any EventStore
    let start: LogPosition
    let filter: EventTypeFilter
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self, seen: start)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let sequence: EventSubscription
        /// Everything up to here was delivered or filtered out.
        var seen: LogPosition
        var buffer = BatchBuffer()

        public mutating func next() async throws -> RecordedEvent? {
            while true {
                if let event = buffer.next() { return event }
                if Task.isCancelled { return nil }
                // Everything up to `head` is scanned by a read that returns less than a full
                // batch, so `seen` can move past events the filter left out.
                let head = try sequence.store.head()
                guard head > seen else {
                    do {
                        try await sequence.store.waitForEvents(after: seen)
                    } catch is CancellationError {
                        return nil
                    }
                    continue
                }
                var batch: [RecordedEvent] = []
                try sequence.store.readLog(
                    from: seen.next, direction: .forward, filter: sequence.filter, limit: sequence.batchSize
                ) { batch.append($0) }
                let scannedTo = batch.count == sequence.batchSize ? batch[batch.count - 1].position : Swift.max(head, batch.last?.position ?? head)
                seen = scannedTo
                buffer.refill(batch)
            }
        }
    }
}
