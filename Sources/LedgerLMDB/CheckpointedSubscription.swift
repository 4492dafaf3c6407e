public import LedgerCore

extension LMDBEventStore {
    /// A subscription that remembers, in the ledger, how far its host has got: for feeding
    /// another system (a search index, a message queue) at least once, in log order, with
    /// no gaps, across restarts.
    ///
    /// ```swift
    /// let feed = try store.checkpointedSubscription(named: "search-index")
    /// for try await event in feed {
    ///     try await index.put(event)                 // the other system confirmed it
    ///     try await feed.acknowledge(event.position) // so never again after a restart
    /// }
    /// ```
    ///
    /// Iterating starts after the stored checkpoint (at the start of the log when there is
    /// none) and goes on with new events as they are committed. Delivery is not held back
    /// by acknowledgements: the host acknowledges when the other system has the events, one
    /// by one or in batches, and everything after the last acknowledged position is
    /// delivered again after a restart. The checkpoint lives in the ledger's `projections`
    /// database under the name `subscription/` + `name`, version 0 (docs/subscriptions.md).
    ///
    /// Several subscriptions (and iterators) of one name may run at once, in this process or
    /// others: each delivers every event after the checkpoint it started from, and they
    /// share that one checkpoint, which only moves forward.
    ///
    /// - Parameters:
    ///   - name: Who consumes the events: 1–100 bytes of UTF-8 without control characters.
    ///   - filter: The event types to deliver; the others are skipped.
    ///   - batchSize: How many events one read transaction takes at most (at least 1).
    /// - Throws: `LedgerError` with code `invalidInput` for a bad name or batch size.
    public func checkpointedSubscription(
        named name: String,
        filter: EventTypeFilter = .all,
        batchSize: Int = 512
    ) throws(LedgerError) -> CheckpointedSubscription {
        if let problem = CheckpointedSubscription.problem(with: name) {
            throw LedgerError(.invalidInput, "Subscription name \(name.debugDescription) \(problem).")
        }
        guard batchSize >= 1 else {
            throw LedgerError(.invalidInput, "A subscription's batch size must be at least 1, not \(batchSize).")
        }
        return CheckpointedSubscription(store: self, name: name, filter: filter, batchSize: batchSize)
    }
}

/// A catch-up-then-live sequence of events whose position is kept in the ledger. Made by
/// ``LMDBEventStore/checkpointedSubscription(named:filter:batchSize:)``.
///
/// Each iteration starts after the checkpoint stored when its first `next()` runs and
/// delivers every later event (that passes the filter) in log order with no gaps. It ends
/// (returns `nil`) when the consuming task is cancelled, and throws `LedgerError` with code
/// `closed` when the store is or becomes closed.
///
/// The checkpoint moves only through ``acknowledge(_:)`` (forward) and
/// ``resetCheckpoint(to:)`` (anywhere); neither changes where a running iteration is.
public struct CheckpointedSubscription: AsyncSequence, Sendable {
    /// The events, as stored.
    public typealias Element = RecordedEvent

    /// The longest name, in UTF-8 bytes.
    public static let maximumNameLength = 100

    /// The subscription's name, as given.
    public let name: String
    let store: LMDBEventStore
    let filter: EventTypeFilter
    let batchSize: Int

    init(store: LMDBEventStore, name: String, filter: EventTypeFilter, batchSize: Int) {
        self.store = store
        self.name = name
        self.filter = filter
        self.batchSize = batchSize
    }

    /// Where the checkpoint is kept in the `projections` database.
    var storageName: String { "subscription/" + name }
    static let storageVersion: UInt32 = 0

    /// The stored checkpoint: everything up to and including it was acknowledged.
    /// `LogPosition.start` when nothing was.
    ///
    /// - Throws: `LedgerError` with code `closed` when the store is closed.
    public func checkpoint() throws(LedgerError) -> LogPosition {
        let key = storageName
        return try store.readProjections { storage in
            try storage.checkpoint(key, version: Self.storageVersion)
        } ?? .start
    }

    /// Records that the host is done with every event up to and including `position`, so
    /// that after a restart delivery resumes after it.
    ///
    /// The checkpoint is written by the ledger's writer with the ledger's durability: when
    /// this returns on a `.durable` ledger it survives a crash. Acknowledging a position at
    /// or below the stored checkpoint changes nothing (acknowledgements may arrive out of
    /// order; the checkpoint never goes back; use ``resetCheckpoint(to:)`` for that).
    /// Acknowledging a position between the checkpoint and the head that was not delivered
    /// yet skips the events up to it.
    ///
    /// - Throws: `LedgerError` with code `invalidInput` when `position` is past the log's
    ///   head, `closed` when the store is closed.
    public func acknowledge(_ position: LogPosition) async throws(LedgerError) {
        let key = storageName
        try await store.writeProjections { storage in
            try Self.checkWithinHead(position, storage, doing: "Acknowledging", hint: "acknowledge only positions of delivered events")
            let stored = try storage.checkpoint(key, version: Self.storageVersion) ?? .start
            guard position > stored else { return }
            try storage.setCheckpoint(key, version: Self.storageVersion, position)
        }
    }

    /// Sets the checkpoint to `position`, backward (to replay: `LogPosition.start` replays
    /// everything) or forward (to skip). Iterations started afterwards begin after it;
    /// running ones carry on where they are, so stop the consumer first.
    ///
    /// - Throws: `LedgerError` with code `invalidInput` when `position` is past the log's
    ///   head, `closed` when the store is closed.
    public func resetCheckpoint(to position: LogPosition) async throws(LedgerError) {
        let key = storageName
        try await store.writeProjections { storage in
            try Self.checkWithinHead(position, storage, doing: "Resetting", hint: "reset to a position at or below it")
            try storage.setCheckpoint(key, version: Self.storageVersion, position == .start ? nil : position)
        }
    }

    /// A new iteration; it reads the checkpoint when its first `next()` runs.
    public func makeAsyncIterator() -> Iterator {
        Iterator(subscription: self)
    }

    /// Reads the checkpoint on its first `next()`, then delivers like
    /// `EventStore.subscribe(after:filter:batchSize:)` from there.
    public struct Iterator: AsyncIteratorProtocol {
        let subscription: CheckpointedSubscription
        var events: EventSubscription.Iterator?

        /// The next event, waiting for one to be committed when there is none yet; `nil`
        /// once the task is cancelled.
        /// - Throws: `LedgerError` with code `closed` when the store is or becomes closed.
        public mutating func next() async throws -> RecordedEvent? {
            if events == nil {
                if Task.isCancelled { return nil }
                let start = try subscription.checkpoint()
                events = subscription.store
                    .subscribe(after: start, filter: subscription.filter, batchSize: subscription.batchSize)
                    .makeAsyncIterator()
            }
            return try await events!.next()
        }
    }

    private static func checkWithinHead(_ position: LogPosition, _ storage: ProjectionTransaction, doing: String, hint: String) throws {
        let head = try storage.head()
        guard position <= head else {
            throw LedgerError(
                .invalidInput,
                "\(doing) a subscription checkpoint to position \(position) failed: the log's head is \(head); \(hint)."
            )
        }
    }

    static func problem(with name: String) -> String? {
        let length = name.utf8.count
        if length == 0 { return "is empty: give a non-empty name" }
        if length > maximumNameLength {
            return "is \(length) bytes long: subscription names are at most \(maximumNameLength) bytes of UTF-8"
        }
        if name.utf8.contains(0) { return "contains a 0 byte: names must be printable" }
        if hasControlCharacter(name) { return "contains a control character: names must be printable" }
        return nil
    }
}
