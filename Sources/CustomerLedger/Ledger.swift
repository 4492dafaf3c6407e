@_exported public import LedgerCore
@_exported public import LedgerLMDB

/// A customer ledger in a local folder: the entry point a service opens.
///
/// ```swift
/// import CustomerLedger
///
/// let ledger = try Ledger.open(at: "./ledger-data")
/// defer { ledger.close() }
/// try await ledger.append(
///     [ProposedEvent(type: "customer.registered", payload: Data(#"{"name":"Ada"}"#.utf8))],
///     to: "C20240501001",
///     expecting: .noStream
/// )
/// for try await event in ledger.events(in: "C20240501001") { print(event.type) }
/// ```
///
/// Each customer's events form one stream named by the customer's id; every event also
/// has a place in the one global log. `Ledger` is an `EventStore`: everything the
/// protocol offers (appends, reads, subscriptions) works on it directly.
public final class Ledger: EventStore {
    /// The folder `ledger` and `open(at:options:)` use when none is given.
    public static let defaultPath = "./ledger-data"

    /// The storage engine underneath.
    public let store: LMDBEventStore
    /// The rules the ledger itself applies when it records (the tier and lifecycle stage
    /// it snapshots into a survey response). Projections take their own policy argument.
    public let policies: Policies
    /// The persistent projections this process runs.
    let runningProjections = RunningProjections()

    /// Opens the ledger in `path`, creating it when missing.
    public static func open(
        at path: String = defaultPath,
        options: LMDBEventStore.Options = .init(),
        policies: Policies = Policies()
    ) throws(LedgerError) -> Ledger {
        Ledger(store: try LMDBEventStore.open(at: path, options: options), policies: policies)
    }

    init(store: LMDBEventStore, policies: Policies) {
        self.store = store
        self.policies = policies
    }

    /// The rules a ledger applies while recording.
    public struct Policies: Sendable, Hashable {
        /// Decides the lifecycle stage snapshot of a survey response.
        public var lifecycle: LifecyclePolicy
        /// Decides the tier snapshot of a survey response.
        public var tier: TierPolicy

        public init(lifecycle: LifecyclePolicy = .standard, tier: TierPolicy = .standard) {
            self.lifecycle = lifecycle
            self.tier = tier
        }
    }

    /// Finishes queued appends, syncs and closes.
    public func close() {
        store.close()
    }

    public func append(_ appends: [StreamAppend]) async throws(LedgerError) -> [AppendResult] {
        try await store.append(appends)
    }

    public func readStream(
        _ stream: StreamID,
        from version: StreamVersion = .first,
        direction: ReadDirection = .forward,
        limit: Int = .max,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        try store.readStream(stream, from: version, direction: direction, limit: limit, body)
    }

    public func readLog(
        from position: LogPosition = .start,
        direction: ReadDirection = .forward,
        filter: EventTypeFilter = .all,
        limit: Int = .max,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        try store.readLog(from: position, direction: direction, filter: filter, limit: limit, body)
    }

    public func streamInfo(_ stream: StreamID) throws(LedgerError) -> StreamInfo? {
        try store.streamInfo(stream)
    }

    public func streams(after stream: StreamID? = nil, limit: Int = .max) throws(LedgerError) -> [StreamInfo] {
        try store.streams(after: stream, limit: limit)
    }

    public func totals() throws(LedgerError) -> StoreTotals {
        try store.totals()
    }

    public func waitForEvents(after position: LogPosition) async throws {
        try await store.waitForEvents(after: position)
    }
}
