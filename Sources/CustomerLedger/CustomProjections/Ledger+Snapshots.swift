import Foundation
public import LedgerCore
import LedgerLMDB

extension Ledger {
    /// Stores `projection`'s state of `customer` at the customer's current stream version,
    /// so that later ``project(_:for:asOf:registry:)`` calls fold only the events after it.
    ///
    /// A snapshot belongs to one projection version: another version ignores it. It is
    /// used only when it cannot change the result: when the point of view includes every
    /// event in it, and no merge or unmerge came after it. Otherwise the full history is
    /// folded, so a snapshot can make a read faster, never different.
    /// - Returns: the stream version the snapshot was taken at.
    /// - Throws: `LedgerError.Code.invalidInput` for a global projection, a state that is
    ///   not `Codable`, a customer without events, or one with merges (their histories span
    ///   several streams and are always folded whole).
    @discardableResult
    public func saveSnapshot<P: Projection>(
        of projection: P, for customer: StreamID, registry: EventTypeRegistry = EventTypeRegistry()
    ) async throws(LedgerError) -> StreamVersion {
        try Self.validateProjectionName(projection.name)
        guard projection.keying == .customer else {
            throw LedgerError(.invalidInput, "Projection \(projection.name) is global: snapshots are of one customer's state.")
        }
        let history = try history(of: customer, asOf: AsOf(time: .distantFuture))
        let hasIdentityEvents = history.records.contains { record in
            switch record.event {
            case .merged, .unmerged: true
            default: false
            }
        }
        guard history.customer == customer, history.mergedCustomers.isEmpty, !hasIdentityEvents else {
            throw LedgerError(.invalidInput, "Customer \(customer) has merges: its history spans several streams and is not snapshotted.")
        }
        let records = history.records.sorted { $0.position < $1.position }
        guard let last = records.last else {
            throw LedgerError(.invalidInput, "Customer \(customer) has no events to snapshot.")
        }
        var state = projection.initialState()
        try Self.fold(records, into: &state, key: customer.rawValue, projection, registry)
        guard let encodable = state as? any Encodable else {
            throw LedgerError(.invalidInput, "Projection \(projection.name)'s state is not Codable, so it cannot be snapshotted.")
        }
        let snapshot: [UInt8]
        do {
            snapshot = SnapshotHeader(
                streamVersion: last.version, lastPosition: last.position,
                latestOccurredAt: records.map(\.occurredAt).max()!.microsecondsSince1970,
                lastRecordedAt: last.recordedAt.microsecondsSince1970
            ).bytes + Array(try JSONEncoder().encode(encodable))
        } catch {
            throw LedgerError(.invalidInput, "Projection \(projection.name)'s state does not encode as JSON: \(error).")
        }
        let name = projection.name
        let version = projection.version
        try await store.writeProjections { storage in
            try storage.setSnapshot(name, version: version, customer: customer.rawValue, snapshot)
        }
        return last.version
    }

    /// The state from the newest usable snapshot plus the events after it, or `nil` when
    /// there is no snapshot that gives exactly the full fold's result.
    func projectFromSnapshot<P: Projection>(
        _ projection: P, for customer: StreamID, asOf: AsOf, registry: EventTypeRegistry
    ) throws(LedgerError) -> P.State? {
        guard projection.keying == .customer, let decodable = P.State.self as? any Decodable.Type else { return nil }
        guard let stored = try store.readProjections({ try $0.snapshot(projection.name, version: projection.version, customer: customer.rawValue) }),
              let header = SnapshotHeader(stored)
        else { return nil }
        // Every event in the snapshot must count from this point of view.
        guard asOf.includes(
            occurredAt: Date(microsecondsSince1970: header.latestOccurredAt), position: header.lastPosition,
            recordedAt: Date(microsecondsSince1970: header.lastRecordedAt)
        ) else { return nil }
        var tail: [CustomerEventRecord] = []
        var mergedSince = false
        do {
            try store.readStream(customer, from: StreamVersion(header.streamVersion.rawValue + 1)) { recorded in
                let record = try CustomerEventRecord(recorded)
                switch record.event {
                case .merged, .unmerged: mergedSince = true
                default: if asOf.includes(record) { tail.append(record) }
                }
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading customer \(customer) after its snapshot")
        }
        guard !mergedSince else { return nil }
        guard var state = (try? JSONDecoder().decode(decodable, from: Data(stored[SnapshotHeader.size...]))) as? P.State else {
            return nil  // unreadable: the full fold answers instead
        }
        try Self.fold(tail, into: &state, key: customer.rawValue, projection, registry)
        return state
    }
}

/// What a snapshot records beside the state: where it was taken and what it contains.
struct SnapshotHeader {
    static let size = 32
    var streamVersion: StreamVersion
    var lastPosition: LogPosition
    var latestOccurredAt: Int64
    var lastRecordedAt: Int64

    init(streamVersion: StreamVersion, lastPosition: LogPosition, latestOccurredAt: Int64, lastRecordedAt: Int64) {
        self.streamVersion = streamVersion
        self.lastPosition = lastPosition
        self.latestOccurredAt = latestOccurredAt
        self.lastRecordedAt = lastRecordedAt
    }

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.size else { return nil }
        func field(_ index: Int) -> UInt64 {
            bytes[(index * 8)..<(index * 8 + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        streamVersion = StreamVersion(field(0))
        lastPosition = LogPosition(field(1))
        latestOccurredAt = Int64(bitPattern: field(2))
        lastRecordedAt = Int64(bitPattern: field(3))
    }

    var bytes: [UInt8] {
        [streamVersion.rawValue, lastPosition.rawValue, UInt64(bitPattern: latestOccurredAt), UInt64(bitPattern: lastRecordedAt)]
            .flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
    }
}
