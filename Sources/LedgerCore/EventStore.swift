/// An append-only store of events in streams with one global log.
///
/// This is the engine-free contract: the LMDB engine implements it today, and another
/// engine can implement it without changing anything built on top. Reads come in two
/// forms: synchronous closures for hot loops (``readLog(from:direction:filter:limit:_:)``)
/// and `AsyncSequence`s with bounded memory built on them (``events(from:direction:filter:batchSize:)``).
///
/// The closure forms run inside a short storage transaction: do not block or wait in
/// the closure, and copy what you keep (a ``RecordedEvent`` is already a copy).
public protocol EventStore: AnyObject, Sendable {
    /// Appends atomically to one or more streams: all of `appends` are written, or none.
    ///
    /// Each ``StreamAppend`` is checked against its expected version; every event gets the
    /// next global position. An append whose events are all already stored with the same
    /// ids and content returns the original result without writing.
    func append(_ appends: [StreamAppend]) async throws(LedgerError) -> [AppendResult]

    /// Calls `body` with a stream's events from `version` (inclusive) on, in `direction`,
    /// at most `limit` of them.
    func readStream(
        _ stream: StreamID,
        from version: StreamVersion,
        direction: ReadDirection,
        limit: Int,
        _ body: (RecordedEvent) throws -> Void
    ) throws

    /// Calls `body` with the log's events from `position` (inclusive) on, in `direction`,
    /// those that pass `filter`, at most `limit` of them.
    func readLog(
        from position: LogPosition,
        direction: ReadDirection,
        filter: EventTypeFilter,
        limit: Int,
        _ body: (RecordedEvent) throws -> Void
    ) throws

    /// What the store knows about a stream, or `nil` when it has no events.
    func streamInfo(_ stream: StreamID) throws(LedgerError) -> StreamInfo?

    /// Streams in id order (UTF-8 bytes), starting after `stream`, at most `limit`.
    func streams(after stream: StreamID?, limit: Int) throws(LedgerError) -> [StreamInfo]

    /// Counts over the whole store.
    func totals() throws(LedgerError) -> StoreTotals

    /// Returns once the log's head is past `position`, as seen by this process
    /// (including appends from other processes), or throws when the store closes or the
    /// task is cancelled.
    func waitForEvents(after position: LogPosition) async throws
}

extension EventStore {
    /// Appends events to one stream atomically.
    ///
    /// ```swift
    /// let result = try await store.append([event], to: "C20240501001", expecting: .noStream)
    /// ```
    @discardableResult
    public func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expecting expectedVersion: ExpectedVersion = .any
    ) async throws(LedgerError) -> AppendResult {
        let results = try await append([StreamAppend(stream: stream, expectedVersion: expectedVersion, events: events)])
        return results[0]
    }

    /// The newest position in the log (``LogPosition/start`` when empty).
    public func head() throws(LedgerError) -> LogPosition {
        try totals().head
    }
}
