import Foundation
public import LedgerCore

/// Everything that had happened to one customer from a point of view: the customer's own
/// stream and the streams of customers merged into it, in the order things happened.
///
/// Reading it touches only those streams, so its cost depends on this customer's history,
/// not on the size of the ledger.
public struct CustomerHistory: Sendable, Hashable {
    /// The customer asked for.
    public var requested: StreamID
    /// The customer it stands for: itself, or the survivor it was merged into.
    public var customer: StreamID
    /// Customers merged into ``customer`` and folded into this history.
    public var mergedCustomers: [StreamID]
    /// The point of view.
    public var asOf: AsOf
    /// The events, by `occurredAt` (ties by position). Identity events of merged
    /// customers' own streams are left out (the survivor's copy is kept).
    public var records: [CustomerEventRecord]

    public init(requested: StreamID, customer: StreamID, mergedCustomers: [StreamID], asOf: AsOf, records: [CustomerEventRecord]) {
        self.requested = requested
        self.customer = customer
        self.mergedCustomers = mergedCustomers
        self.asOf = asOf
        self.records = records
    }

    /// Whether the ledger knows the customer at all from this point of view.
    public var isEmpty: Bool { records.isEmpty }
}

extension Ledger {
    /// A customer's history as of a point of view, with merged customers folded in and
    /// a merged id resolved to its survivor.
    public func history(of customer: StreamID, asOf: AsOf = .now()) throws(LedgerError) -> CustomerHistory {
        // Follow merges upward to the survivor, then collect the members below it.
        var cache: [StreamID: [CustomerEventRecord]] = [:]
        func events(of stream: StreamID) throws(LedgerError) -> [CustomerEventRecord] {
            if let cached = cache[stream] { return cached }
            let records = try customerEvents(of: stream).filter(asOf.includes)
            cache[stream] = records
            return records
        }
        var identity = IdentityMap()
        var visited: Set<StreamID> = []
        var pending: [StreamID] = [customer]
        // Identity events live on every stream they concern, so walking the streams they
        // name finds every merge that can touch this customer.
        var identityRecords: [CustomerEventRecord] = []
        while let stream = pending.popLast() {
            guard visited.insert(stream).inserted else { continue }
            for record in try events(of: stream) {
                switch record.event {
                case .merged(let merge):
                    identityRecords.append(record)
                    pending.append(merge.survivor)
                    pending.append(contentsOf: merge.merged)
                case .unmerged(let unmerge):
                    identityRecords.append(record)
                    pending.append(unmerge.survivor)
                    pending.append(contentsOf: unmerge.restored)
                default:
                    break
                }
            }
        }
        for record in identityRecords.sorted(by: Self.happenedBefore) { identity.apply(record.event) }
        let survivor = identity.resolve(customer)
        let members = identity.members(of: survivor)
        var records = try events(of: survivor)
        for member in members {
            records += try events(of: member).filter { record in
                switch record.event {
                case .merged, .unmerged: false
                default: true
                }
            }
        }
        records.sort(by: Self.happenedBefore)
        return CustomerHistory(requested: customer, customer: survivor, mergedCustomers: members, asOf: asOf, records: records)
    }

    /// Order of events in a history: by `occurredAt`, then by position.
    static func happenedBefore(_ lhs: CustomerEventRecord, _ rhs: CustomerEventRecord) -> Bool {
        (lhs.occurredAt, lhs.position) < (rhs.occurredAt, rhs.position)
    }

    /// One pass over the log for population projections: calls `body` with every event
    /// that counts from `asOf` (of the types `filter` lets through), attributed to the
    /// customer it belongs to after merges. Events come in log order, which is not always
    /// the order they happened in. Memory stays proportional to the number of merged
    /// customers; the caller's accumulators decide the rest.
    public func forEachCustomerEvent(
        asOf: AsOf = .now(),
        filter: EventTypeFilter = .all,
        _ body: (_ owner: StreamID, _ record: CustomerEventRecord) throws -> Void
    ) throws {
        do {
            try scanCustomerEvents(asOf: asOf, filter: filter, body)
        } catch is StopScan {}
    }

    private func scanCustomerEvents(
        asOf: AsOf,
        filter: EventTypeFilter,
        _ body: (_ owner: StreamID, _ record: CustomerEventRecord) throws -> Void
    ) throws {
        let identity = try ResolvedIdentity.read(self, asOf: asOf, future: false).asOf
        try readLog(from: .start, direction: .forward, filter: filter, limit: .max) { recorded in
            guard asOf.mayInclude(position: recorded.position) else { throw StopScan() }
            guard asOf.includes(occurredAt: recorded.occurredAt, position: recorded.position, recordedAt: recorded.recordedAt) else { return }
            let record = try CustomerEventRecord(recorded)
            let owner = identity.owner(of: record.customer)
            if owner != record.customer {
                switch record.event {
                case .merged, .unmerged: return  // the survivor's copy counts
                default: break
                }
            }
            try body(owner, record)
        }
    }
}
