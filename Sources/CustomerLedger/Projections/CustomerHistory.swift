import Foundation
public import LedgerCore

/// Everything that had happened to one customer from a point of view: the customer's own
/// stream and the streams of customers merged into it, in the order things happened.
///
/// Reading it touches only those streams, so its work depends on this customer's history,
/// not on the size of the ledger. Its time does, through the processor's cache, when the
/// customer's events are spread over the log (the repository's `docs/performance.md`).
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
    ///
    /// A history read from a ledger decodes its records in full the first time they are
    /// asked for; the profile and the lifecycle fold what the read already took from each
    /// payload and never need them.
    public var records: [CustomerEventRecord] {
        get { contents.records }
        set { contents = HistoryContents(records: newValue) }
    }
    /// What the read saw beyond the point of view (not part of the value).
    var readNotes = HistoryReadNotes()
    /// The events, shared by copies of the history until its records change.
    private(set) var contents: HistoryContents

    public init(requested: StreamID, customer: StreamID, mergedCustomers: [StreamID], asOf: AsOf, records: [CustomerEventRecord]) {
        self.init(requested: requested, customer: customer, mergedCustomers: mergedCustomers, asOf: asOf, contents: HistoryContents(records: records))
    }

    init(requested: StreamID, customer: StreamID, mergedCustomers: [StreamID], asOf: AsOf, contents: HistoryContents) {
        self.requested = requested
        self.customer = customer
        self.mergedCustomers = mergedCustomers
        self.asOf = asOf
        self.contents = contents
    }

    /// Whether the ledger knows the customer at all from this point of view.
    public var isEmpty: Bool { contents.isEmpty }

    /// The purchases and refunds that count among `records`, folded once per history
    /// and shared by the views folded from it (the profile and the lifecycle both need
    /// it).
    var purchaseActivity: PurchaseActivity { contents.purchaseActivity }

    /// ``ProfileState`` of the history's events, with the shared purchases.
    var profileState: ProfileState {
        contents.hasFacts
            ? ProfileState(events: contents.events, sources: contents.sources, counts: contents.counts, purchases: purchaseActivity)
            : ProfileState(records: records, purchases: purchaseActivity)
    }

    /// ``LifecycleState`` of the history's events, with the shared purchases; `nil` when
    /// it has none.
    var lifecycleState: LifecycleState? {
        // The earliest event is the first: the events are in history order.
        if let first = contents.events.first {
            let firstEvent = LifecycleState.FirstEvent(
                occurredAt: first.occurredAt, position: first.position, id: first.id, type: contents.type(of: first)
            )
            return LifecycleState(firstEvent: firstEvent, purchases: purchaseActivity)
        }
        guard let first = records.first else { return nil }
        return LifecycleState(firstEvent: LifecycleState.FirstEvent(first), purchases: purchaseActivity)
    }
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
    /// The events that count from the point of view, in stream order (their `source` is 0).
    var events: [HistoryEvent] = []
    /// What their records are decoded from.
    var source: HistorySource
    /// Whether `events` is already in history order (by `occurredAt`, then position).
    var inTimeOrder = true
    /// The facts among `events`, by kind.
    var counts = FactCounts()
    /// Whether a merge or unmerge is among `events`.
    var hasIdentityEvents = false
    /// Whether the stream holds a `customer.forgotten`, counted or not.
    var forgotten = false

    /// The merges and unmerges among `events`, with their records.
    var identityRecords: [CustomerEventRecord] {
        events.compactMap { event in
            guard case .decoded(let index) = event.fact else { return nil }
            switch source.eager[index].event {
            case .merged, .unmerged: return source.eager[index]
            default: return nil
            }
        }
    }
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
    /// needs no other stream. Every payload is decoded and checked during the read (a
    /// damaged one throws here), but only the fields the profile and the lifecycle read
    /// are kept; ``CustomerHistory/records`` builds the full records on first use.
    public func history(of customer: StreamID, asOf: AsOf = .now()) throws(LedgerError) -> CustomerHistory {
        let own = try readCustomerStream(customer, asOf: asOf)
        if !own.hasIdentityEvents {
            // Nothing merged into it and it merged into nothing: its own stream is the history.
            var events = own.events
            if !own.inTimeOrder { events.sort(by: HistoryEvent.happenedBefore) }
            var history = CustomerHistory(
                requested: customer, customer: customer, mergedCustomers: [], asOf: asOf,
                contents: HistoryContents(events: events, sources: [own.source], counts: own.counts)
            )
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
            for record in streamRead.identityRecords {
                identityRecords.append(record)
                switch record.event {
                case .merged(let merge):
                    pending.append(merge.survivor)
                    pending.append(contentsOf: merge.merged)
                case .unmerged(let unmerge):
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
        var events = survivorRead.events
        var sources = [survivorRead.source]
        var forgotten = survivorRead.forgotten
        for member in members {
            let memberRead = try read(member)
            forgotten = forgotten || memberRead.forgotten
            let source = sources.count
            sources.append(memberRead.source)
            for var event in memberRead.events {
                // The survivor's copy of a merge or unmerge counts.
                if case .decoded(let index) = event.fact {
                    switch memberRead.source.eager[index].event {
                    case .merged, .unmerged: continue
                    default: break
                    }
                }
                event.source = source
                events.append(event)
            }
        }
        events.sort(by: HistoryEvent.happenedBefore)
        var history = CustomerHistory(
            requested: customer, customer: survivor, mergedCustomers: members, asOf: asOf,
            contents: HistoryContents(events: events, sources: sources, counts: FactCounts(events))
        )
        history.readNotes.forgottenInStreams = forgotten
        return history
    }

    /// One customer stream: the events that count from `asOf`, each decoded in place from
    /// the map. A clear payload of a frequent type (interactions, purchases, surveys…)
    /// keeps its fact and its bytes; any other event is decoded into its record now.
    /// Events outside the view are not decoded (only their type is looked at, for
    /// `customer.forgotten`).
    func readCustomerStream(_ stream: StreamID, asOf: AsOf) throws(LedgerError) -> CustomerStreamRead {
        var table = historyKinds.snapshot()
        var read = CustomerStreamRead(source: HistorySource(customer: stream))
        // One allocation each for a typical customer (tens of events of ~60 bytes).
        read.events.reserveCapacity(64)
        read.source.bytes.reserveCapacity(4_096)
        var last: Date?
        // The data key is looked up when the first sealed event is met: a stream without
        // one, or a ledger created without a master key, costs nothing.
        var personal: PersonalRead?
        do {
            try store.readStoredEvents(of: stream) { stored in
                let number = stored.typeNumber
                if table.flags(number) == nil { table = historyKinds.learn(number, type: stored.type) }
                let kind = table.flags(number)!
                let index = Int(number)
                if kind.isForgotten { read.forgotten = true }
                let occurredAt = stored.occurredAt
                let recordedAt = stored.recordedAt
                guard asOf.includes(occurredAt: occurredAt, position: stored.position, recordedAt: recordedAt) else { return }
                if kind.isIdentity { read.hasIdentityEvents = true }
                if let last, occurredAt < last { read.inTimeOrder = false }
                last = occurredAt
                let sealed = Self.isSealed(stored)
                if let fact = kind.fact, !sealed, stored.contentType == .ledgerBinary,
                   stored.schemaVersion == kind.schemaVersion, !stored.hasMetadata {
                    let payload = stored.payload
                    let decoded: EventFact
                    do throws(LedgerError) {
                        decoded = try fact.fact(of: payload)
                    } catch {
                        throw LedgerError(error.code, "The \(stored.type) event at position \(stored.position) does not decode: \(error.message)")
                    }
                    read.counts.count(decoded)
                    let start = read.source.bytes.count
                    read.source.bytes.append(contentsOf: payload)
                    read.events.append(HistoryEvent(
                        occurredAt: occurredAt, position: stored.position, id: stored.id, fact: decoded, source: 0, kind: index,
                        record: .payload(start: start, end: read.source.bytes.count, version: stored.version, recordedAt: recordedAt),
                        personalData: .readable
                    ))
                    return
                }
                var access = PersonalRead.withheld(.locked)
                if kind.hasPersonalFields, sealed {
                    if personal == nil { personal = try personalKeys.read(stream) }
                    access = personal!
                }
                let record = try CustomerEventRecord(
                    stored, of: stream, as: table.kinds[index]!.entry, occurredAt: occurredAt, recordedAt: recordedAt, personal: access
                )
                let eager = read.source.eager.count
                let fact = EventFact(record.event, index: eager)
                read.counts.count(fact)
                read.events.append(HistoryEvent(
                    occurredAt: occurredAt, position: record.position, id: record.id, fact: fact, source: 0, kind: index,
                    record: .eager(index: eager), personalData: record.personalData
                ))
                read.source.eager.append(record)
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading customer \(stream)")
        }
        read.source.kinds = table.kinds
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
