public import LedgerCore

extension Ledger {
    /// One customer's state of `projection` as of `asOf`: the fold of the customer's
    /// history (customers merged into it folded in), in log order.
    ///
    /// Custom projections always see events in log order, whether they run on demand, for
    /// the population, persistently or from a snapshot, so every way of running one gives
    /// the same state. Only the customer's own streams are read, and only after the newest
    /// usable snapshot when there is one (``saveSnapshot(of:for:registry:)``).
    /// - Throws: `LedgerError.Code.projectionFailed` when `apply` throws;
    ///   `LedgerError.Code.unsupportedFormat` for an unknown event type under
    ///   ``UnknownEventPolicy/fail``.
    public func project<P: Projection>(
        _ projection: P, for customer: StreamID, asOf: AsOf = .now(), registry: EventTypeRegistry = EventTypeRegistry()
    ) throws(LedgerError) -> P.State {
        if let state = try projectFromSnapshot(projection, for: customer, asOf: asOf, registry: registry) { return state }
        let history = try history(of: customer, asOf: asOf)
        let key = projection.keying == .global ? ProjectionKeying.globalKey : history.customer.rawValue
        var state = projection.initialState()
        try Self.fold(history.records.sorted { $0.position < $1.position }, into: &state, key: key, projection, registry)
        return state
    }

    /// The state of `projection` for every key as of `asOf`, from one pass over the log:
    /// per customer (merged customers under their survivor), or one entry under
    /// ``ProjectionKeying/globalKey``. Memory grows with the number of keys, not events.
    /// - Throws: as ``project(_:for:asOf:registry:)``.
    public func project<P: Projection>(
        _ projection: P, asOf: AsOf = .now(), registry: EventTypeRegistry = EventTypeRegistry()
    ) throws(LedgerError) -> [String: P.State] {
        var states: [String: P.State] = [:]
        do {
            try forEachCustomerEvent(asOf: asOf, filter: projection.eventTypes) { owner, record in
                let key = projection.keying == .global ? ProjectionKeying.globalKey : owner.rawValue
                guard let event = try Self.projected(record, key: key, types: nil, registry) else { return }
                try Self.apply(projection, event, to: &states[key, default: projection.initialState()])
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Running projection \(projection.name)")
        }
        return states
    }

    /// Folds records, in the order given, into `state`.
    static func fold<P: Projection>(
        _ records: some Sequence<CustomerEventRecord>, into state: inout P.State, key: String, _ projection: P, _ registry: EventTypeRegistry
    ) throws(LedgerError) {
        let types = projection.eventTypes.types
        for record in records {
            guard let event = try projected(record, key: key, types: types, registry) else { continue }
            try apply(projection, event, to: &state)
        }
    }

    /// The event a projection sees, or `nil` when it is not of the projection's types or
    /// the registry's unknown-event policy skips it.
    /// `types` is the projection's ``Projection/eventTypes`` (computed once per run, not
    /// per event), or `nil` when the read already left the other types out.
    static func projected(_ record: CustomerEventRecord, key: String, types: Set<String>?, _ registry: EventTypeRegistry) throws(LedgerError) -> ProjectedEvent? {
        if let types, !types.contains(record.event.typeName) { return nil }
        if case .other(let recorded) = record.event, !registry.knows(recorded.type), try registry.resolve(recorded) == nil {
            return nil
        }
        return ProjectedEvent(record: record, key: key, registry: registry)
    }

    /// Runs `apply`, naming the projection and the event when it throws.
    static func apply<P: Projection>(_ projection: P, _ event: ProjectedEvent, to state: inout P.State) throws(LedgerError) {
        do {
            try projection.apply(event, to: &state)
        } catch {
            throw LedgerError(
                .projectionFailed,
                "Projection \(projection.name) version \(projection.version) failed on the \(event.record.event.typeName) event at position \(event.record.position) of \(event.record.customer): \(error)"
            )
        }
    }
}

extension CustomerEvent {
    /// The event's wire name.
    var typeName: String {
        if case .other(let recorded) = self { return recorded.type }
        return payload.map { type(of: $0).eventType } ?? "unknown"
    }
}
