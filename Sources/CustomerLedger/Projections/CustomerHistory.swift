import Foundation
public import LedgerCore
import Synchronization

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
    public var records: [CustomerEventRecord] {
        // The shared purchase activity was folded from the old records.
        didSet { derived = HistoryDerived() }
    }
    /// What the read saw beyond the point of view (not part of the value).
    var readNotes = HistoryReadNotes()
    /// What the views share, folded from `records` once (not part of the value).
    private var derived = HistoryDerived()

    public init(requested: StreamID, customer: StreamID, mergedCustomers: [StreamID], asOf: AsOf, records: [CustomerEventRecord]) {
        self.requested = requested
        self.customer = customer
        self.mergedCustomers = mergedCustomers
        self.asOf = asOf
        self.records = records
    }

    /// Whether the ledger knows the customer at all from this point of view.
    public var isEmpty: Bool { records.isEmpty }

    /// The purchases and refunds that count among `records`, folded once per history
    /// and shared by the views folded from it (the profile and the lifecycle both need
    /// it).
    var purchaseActivity: PurchaseActivity { derived.purchaseActivity(records) }
}

/// Values folded from a history's records, computed on first use and shared by copies
/// of the history until its records change. Not part of the history's value.
struct HistoryDerived: Sendable, Hashable {
    private final class Storage: Sendable {
        let activity = Mutex<PurchaseActivity?>(nil)
    }

    private let storage = Storage()

    func purchaseActivity(_ records: [CustomerEventRecord]) -> PurchaseActivity {
        if let known = storage.activity.withLock({ $0 }) { return known }
        let activity = PurchaseActivity(records: records)
        storage.activity.withLock { $0 = activity }
        return activity
    }

    static func == (lhs: Self, rhs: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}

/// What the read that built a history saw of its streams beyond the point of view. It is
/// not part of the history's value: equality and hashing ignore it.
struct HistoryReadNotes: Sendable, Hashable {
    /// Whether a stream of the history holds a `customer.forgotten`, in the view or not
    /// (the personal data is gone for every point of view); `nil` when the history was
    /// not read from a ledger.
    var forgottenInStreams: Bool?

    static func == (lhs: Self, rhs: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}

/// One customer stream as a history read sees it.
struct CustomerStreamRead {
    /// The events that count from the point of view, in stream order.
    var records: [CustomerEventRecord] = []
    /// Whether `records` is already in history order (by `occurredAt`, then position).
    var inTimeOrder = true
    /// Whether a merge or unmerge is among `records`.
    var hasIdentityEvents = false
    /// Whether the stream holds a `customer.forgotten`, counted or not.
    var forgotten = false
}

extension Ledger {
    /// A customer's history as of a point of view, with merged customers folded in and
    /// a merged id resolved to its survivor.
    ///
    /// One read serves every view of the customer: fold it with
    /// ``CustomerProfile/init(history:forgotten:)``, ``CustomerLifecycle/init(history:policy:)``
    /// and the other `init(history:)`s rather than asking the ledger for each view, which
    /// reads the streams again each time.
    ///
    /// ```swift
    /// let history = try ledger.history(of: "C1")
    /// let profile = CustomerProfile(history: history)
    /// let lifecycle = CustomerLifecycle(history: history)
    /// ```
    ///
    /// Its cost is the customer's own events: events outside the point of view are skipped
    /// before their payload is decoded, and a customer with no merge or unmerge in view
    /// needs no other stream.
    public func history(of customer: StreamID, asOf: AsOf = .now()) throws(LedgerError) -> CustomerHistory {
        let own = try readCustomerStream(customer, asOf: asOf)
        if !own.hasIdentityEvents {
            // Nothing merged into it and it merged into nothing: its own stream is the history.
            var records = own.records
            if !own.inTimeOrder { records.sort(by: Self.happenedBefore) }
            var history = CustomerHistory(requested: customer, customer: customer, mergedCustomers: [], asOf: asOf, records: records)
            history.readNotes.forgottenInStreams = own.forgotten
            return history
        }
        // Follow merges upward to the survivor, then collect the members below it.
        var cache: [StreamID: CustomerStreamRead] = [customer: own]
        func read(_ stream: StreamID) throws(LedgerError) -> CustomerStreamRead {
            if let cached = cache[stream] { return cached }
            let read = try readCustomerStream(stream, asOf: asOf)
            cache[stream] = read
            return read
        }
        var identity = IdentityMap()
        var visited: Set<StreamID> = []
        var pending: [StreamID] = [customer]
        // Identity events live on every stream they concern, so walking the streams they
        // name finds every merge that can touch this customer.
        var identityRecords: [CustomerEventRecord] = []
        while let stream = pending.popLast() {
            guard visited.insert(stream).inserted else { continue }
            let streamRead = try read(stream)
            guard streamRead.hasIdentityEvents else { continue }
            for record in streamRead.records {
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
        let survivorRead = try read(survivor)
        var records = survivorRead.records
        var forgotten = survivorRead.forgotten
        for member in members {
            let memberRead = try read(member)
            forgotten = forgotten || memberRead.forgotten
            records += memberRead.records.filter { record in
                switch record.event {
                case .merged, .unmerged: false
                default: true
                }
            }
        }
        records.sort(by: Self.happenedBefore)
        var history = CustomerHistory(requested: customer, customer: survivor, mergedCustomers: members, asOf: asOf, records: records)
        history.readNotes.forgottenInStreams = forgotten
        return history
    }

    /// One customer stream: the events that count from `asOf` with their typed payloads,
    /// decoded in place from the map. Events outside the view are not decoded (only their
    /// type is looked at, for `customer.forgotten`).
    func readCustomerStream(_ stream: StreamID, asOf: AsOf) throws(LedgerError) -> CustomerStreamRead {
        /// What the read needs to know of a type, found once per type number.
        struct Kind {
            var number: UInt32
            var entry: BuiltInEventType?
            var isForgotten: Bool
            var isIdentity: Bool
        }
        var kinds: [Kind] = []
        var read = CustomerStreamRead()
        read.records.reserveCapacity(32)
        var last: Date?
        // The data key is looked up when the first sealed event is met: a stream without
        // one, or a ledger created without a master key, costs nothing.
        var personal: PersonalRead?
        do {
            try store.readStoredEvents(of: stream) { stored in
                // The kind's index, found without copying a kind (its entry holds closures).
                var index = 0
                while index < kinds.count, kinds[index].number != stored.typeNumber { index += 1 }
                if index == kinds.count {
                    let entry = EventCoding.builtIn[stored.type]
                    kinds.append(Kind(
                        number: stored.typeNumber, entry: entry,
                        isForgotten: entry?.type == CustomerForgotten.self,
                        isIdentity: entry?.type == CustomersMerged.self || entry?.type == CustomersUnmerged.self
                    ))
                }
                if kinds[index].isForgotten { read.forgotten = true }
                let occurredAt = stored.occurredAt
                let recordedAt = stored.recordedAt
                guard asOf.includes(occurredAt: occurredAt, position: stored.position, recordedAt: recordedAt) else { return }
                if kinds[index].isIdentity { read.hasIdentityEvents = true }
                if let last, occurredAt < last { read.inTimeOrder = false }
                last = occurredAt
                var access = PersonalRead.withheld(.locked)
                if kinds[index].entry?.hasPersonalFields ?? true, Self.isSealed(stored) {
                    if personal == nil { personal = try personalKeys.read(stream) }
                    access = personal!
                }
                read.records.append(try CustomerEventRecord(
                    stored, of: stream, as: kinds[index].entry, occurredAt: occurredAt, recordedAt: recordedAt, personal: access
                ))
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading customer \(stream)")
        }
        return read
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
        try withPersonalReads { personal in
            try readLog(from: .start, direction: .forward, filter: filter, limit: .max) { recorded in
                guard asOf.mayInclude(position: recorded.position) else { throw StopScan() }
                guard asOf.includes(occurredAt: recorded.occurredAt, position: recorded.position, recordedAt: recorded.recordedAt) else { return }
                let record = try CustomerEventRecord(recorded, personal: try personal(recorded))
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

    /// Runs `body` with a function that tells how to read each event's personal section,
    /// looking data keys up in one read transaction held for the whole of `body` (for a
    /// pass over the log; a stream's events often come in a run, so the last customer's
    /// answer is kept).
    func withPersonalReads<R>(_ body: (_ personal: (RecordedEvent) throws -> PersonalRead) throws -> R) throws -> R {
        guard personalKeys.mode != .clear else { return try body { _ in .withheld(.locked) } }
        // The body's own errors (a scan's stop among them) pass through unchanged.
        let result: Result<R, any Error> = try store.readProjections { storage in
            var last: (stream: StreamID, read: PersonalRead)?
            return Result {
                try body { recorded in
                    guard Self.isSealed(recorded) else { return .withheld(.locked) }
                    if let last, last.stream == recorded.stream { return last.read }
                    let read = try personalKeys.read(recorded.stream, in: storage)
                    last = (recorded.stream, read)
                    return read
                }
            }
        }
        return try result.get()
    }

    /// Whether a stored event holds a sealed personal section.
    static func isSealed(_ stored: borrowing StoredEvent) -> Bool {
        switch stored.contentType {
        case .ledgerBinary: stored.payload.first == sealedBinaryLayoutVersion
        case .sealedJSON: true
        default: false
        }
    }
}
