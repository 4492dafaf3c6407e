import Foundation
public import LedgerCore
import LedgerLMDB
import Synchronization

/// A projection whose state lives in the ledger, beside its checkpoint, and keeps up with
/// the log: made by ``Ledger/startProjection(_:mode:registry:progress:)``.
///
/// State and checkpoint are written in one transaction, a batch of events at a time, so
/// after a crash at any moment they agree: the projection resumes after its checkpoint
/// and no event is folded twice or skipped. Reads see the last committed batch.
///
/// ```swift
/// let byChannel = try await ledger.startProjection(PreferredChannel())
/// try await byChannel.waitUntilCaughtUp()
/// let counts = try byChannel.state(for: "C20240501001")
/// ```
public final class PersistentProjection<P: Projection>: Sendable where P.State: Codable {
    /// The projection it runs.
    public let projection: P
    /// Where its state is updated.
    public let mode: ProjectionMode
    let ledger: Ledger
    let registry: EventTypeRegistry
    let progress: (@Sendable (ProjectionProgress) -> Void)?
    let batching: ProjectionBatching
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let failure = Mutex<LedgerError?>(nil)
    /// Set once this version serves reads and, inline, updates inside appends.
    private let following = Mutex(false)

    init(
        _ projection: P, mode: ProjectionMode, ledger: Ledger, registry: EventTypeRegistry,
        progress: (@Sendable (ProjectionProgress) -> Void)?, batching: ProjectionBatching
    ) {
        self.projection = projection
        self.batching = batching
        self.mode = mode
        self.ledger = ledger
        self.registry = registry
        self.progress = progress
    }

    // MARK: Reads

    /// The state of `key` (a customer id, or ``ProjectionKeying/globalKey``) as of the last
    /// batch folded; `nil` when no event touched it.
    /// - Throws: `LedgerError.Code.projectionNotReady` while this version is not the one
    ///   serving reads (still building, or replaced by a newer version).
    public func state(for key: String) throws(LedgerError) -> P.State? {
        try read { storage in
            try Self.decode(storage.state(projection.name, version: projection.version, key: key), of: projection)
        }
    }

    /// The states whose keys come after `key` (from the first when `nil`), in key order:
    /// at most `limit` of them. Page by passing the last key of a page.
    /// - Throws: as ``state(for:)``.
    public func states(after key: String? = nil, limit: Int = 100) throws(LedgerError) -> [(key: String, state: P.State)] {
        guard limit > 0 else { return [] }
        return try read { storage in
            var page: [(key: String, state: P.State)] = []
            try storage.forEachState(projection.name, version: projection.version, from: key, inclusive: false) { key, bytes in
                page.append((key, try Self.decode(Array(bytes), of: projection)!))
                return page.count < limit
            }
            return page
        }
    }

    /// Where this version stands: checkpoint, head, lag, the active version, any failure.
    public func status() throws(LedgerError) -> ProjectionStatus {
        let (active, checkpoint, head) = try ledger.store.readProjections { storage in
            (try storage.activeVersion(projection.name), try storage.checkpoint(projection.name, version: projection.version), try storage.head())
        }
        return ProjectionStatus(
            name: projection.name, version: projection.version, activeVersion: active,
            checkpoint: checkpoint ?? .start, head: head, failure: failure.withLock { $0 }
        )
    }

    /// Returns once this version serves reads and has folded every event appended before
    /// the call; for an inline projection, also once appends update it (so from then on
    /// its state is current when an append returns).
    /// - Throws: the error that stopped the projection, or `LedgerError.Code.closed`.
    public func waitUntilCaughtUp() async throws(LedgerError) {
        let target = try ledger.head()
        while true {
            let status = try status()
            if let failure = status.failure { throw failure }
            if status.isActive, status.checkpoint >= target, following.withLock({ $0 }) { return }
            if let active = status.activeVersion, active > projection.version {
                throw LedgerError(.projectionNotReady, "Projection \(projection.name) version \(projection.version) was replaced by version \(active).")
            }
            do { try await Task.sleep(for: .milliseconds(2)) } catch { throw LedgerError(.closed, "Waiting for projection \(projection.name) was cancelled.") }
        }
    }

    /// Stops following the log; what was committed stays. Starting it again resumes
    /// after its checkpoint.
    public func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        ledger.runningProjections.remove(self, from: ledger.store)
    }

    // MARK: Running

    func start() {
        task.withLock { $0 = Task { await self.follow() } }
    }

    func markFollowing() {
        following.withLock { $0 = true }
    }

    func fail(_ error: LedgerError) {
        failure.withLock { $0 = $0 ?? error }
    }

    private func read<R>(_ body: (ProjectionTransaction) throws -> R) throws(LedgerError) -> R {
        let name = projection.name
        let version = projection.version
        return try ledger.store.readProjections { storage in
                let active = try storage.activeVersion(name)
                guard active == version else {
                    if let active, active > version {
                        throw LedgerError(.projectionNotReady, "Projection \(name) version \(version) was replaced by version \(active): read from that version.")
                    }
                    throw LedgerError(
                        .projectionNotReady,
                        "Projection \(name) version \(version) is still being built\(active.map { " (version \($0) serves reads meanwhile)" } ?? ""): wait with waitUntilCaughtUp()."
                    )
                }
            return try body(storage)
        }
    }

    static func decode(_ bytes: [UInt8]?, of projection: P) throws(LedgerError) -> P.State? {
        guard let bytes else { return nil }
        do {
            return try JSONDecoder().decode(P.State.self, from: Data(bytes))
        } catch {
            throw LedgerError(.corrupted, "A stored state of projection \(projection.name) version \(projection.version) does not decode: \(error).")
        }
    }

    static func encode(_ state: P.State, of projection: P, with encoder: JSONEncoder = JSONEncoder()) throws(LedgerError) -> [UInt8] {
        do {
            return Array(try encoder.encode(state))
        } catch {
            throw LedgerError(.projectionFailed, "A state of projection \(projection.name) does not encode as JSON: \(error).")
        }
    }
}

/// How much a persistent projection folds between two writes of its state and checkpoint.
package struct ProjectionBatching: Sendable {
    /// Most events folded between two writes.
    package var events = 250_000
    /// Most changed states between two writes.
    package var states = 50_000
    /// Most states kept in memory between batches.
    package var cachedStates = 500_000

    package init() {}
}
