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
    /// The personal-data layer: the master key, the customers' data keys (docs/privacy.md).
    let personalKeys: PersonalDataKeys
    /// What history reads know of each event type of this ledger.
    let historyKinds = HistoryKinds()

    /// Opens the ledger in `path`, creating it when missing.
    ///
    /// - Parameters:
    ///   - path: the ledger's folder.
    ///   - options: the storage engine's options (durability, map size, …).
    ///   - policies: the rules the ledger applies while recording.
    ///   - masterKey: the key that protects personal data (docs/privacy.md). A
    ///     ledger created with one encrypts the personal fields of every event with a data
    ///     key per customer, and ``forget(_:occurredAt:reason:metadata:)`` can erase them.
    ///     Opened without it, such a ledger serves every non-personal read, shows personal
    ///     fields as ``PersonalDataStatus/locked`` and refuses new personal data. A ledger
    ///     created without one stores personal data in clear, and cannot be given one later.
    /// - Throws: `LedgerError.Code.wrongMasterKey` when `masterKey` is not the ledger's;
    ///   `invalidInput` for a master key given to a ledger created without one.
    public static func open(
        at path: String = defaultPath,
        options: LMDBEventStore.Options = .init(),
        policies: Policies = Policies(),
        masterKey: MasterKey? = nil
    ) throws(LedgerError) -> Ledger {
        let store = try LMDBEventStore.open(at: path, options: options)
        do {
            return Ledger(store: store, policies: policies, personalKeys: try PersonalDataKeys.open(store, masterKey: masterKey))
        } catch {
            store.close()
            throw error
        }
    }

    init(store: LMDBEventStore, policies: Policies, personalKeys: PersonalDataKeys) {
        self.store = store
        self.policies = policies
        self.personalKeys = personalKeys
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

    /// Appends atomically. On a ledger created with a master key, the personal fields of
    /// built-in events and of host types that declare
    /// ``CustomerEventPayload/personalFields`` are sealed first with each customer's data
    /// key; a `customer.forgotten` destroys the keys of its customer before it is appended
    /// (docs/privacy.md).
    public func append(_ appends: [StreamAppend]) async throws(LedgerError) -> [AppendResult] {
        try await store.append(try await sealingPersonalData(appends))
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
