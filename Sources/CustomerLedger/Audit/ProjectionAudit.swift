public import LedgerCore

/// A custom projection replayed for one customer from a point of view, with every event
/// folded into the state (docs/audit.md).
///
/// ```swift
/// let audit = try ledger.audit(RevenuePerAgent(), for: "C1", asOf: AsOf(knownAt: .position(1200)))
/// for step in audit.steps where step.changedState == true {
///     print(step.event.position, step.event.type, step.event.actor ?? "-")
/// }
/// ```
public struct ProjectionAudit<State: Sendable>: Sendable {
    /// One event folded into the state.
    public struct Step: Sendable, Hashable {
        /// The event.
        public var event: AuditedEvent
        /// Whether `apply` changed the state; `nil` when the state is not `Equatable`, so
        /// that it cannot be told.
        public var changedState: Bool?

        public init(event: AuditedEvent, changedState: Bool?) {
            self.event = event
            self.changedState = changedState
        }
    }

    /// The projection's name.
    public var projection: String
    /// The projection's version.
    public var version: UInt32
    /// The customer asked for.
    public var requested: StreamID
    /// The customer it stands for: itself, or the survivor it was merged into.
    public var customer: StreamID
    /// The point of view.
    public var asOf: AsOf
    /// The state: the same as ``Ledger/project(_:for:asOf:registry:)`` gives.
    public var state: State
    /// Every event folded into ``state``, in the order folded (log order). Events the
    /// registry's unknown-event policy skips are not among them.
    public var steps: [Step]
    /// The customer's events the point of view leaves out, by position.
    public var uncounted: [UncountedEvent]

    /// The events folded into the state.
    public var events: [AuditedEvent] { steps.map(\.event) }

    public init(projection: String, version: UInt32, requested: StreamID, customer: StreamID, asOf: AsOf, state: State, steps: [Step], uncounted: [UncountedEvent]) {
        self.projection = projection
        self.version = version
        self.requested = requested
        self.customer = customer
        self.asOf = asOf
        self.state = state
        self.steps = steps
        self.uncounted = uncounted
    }
}

extension Ledger {
    /// Replays `projection` for one customer as of `asOf` and lists the events folded into
    /// the state, with whether each changed it (when the state is `Equatable`).
    ///
    /// The state is the one ``project(_:for:asOf:registry:)`` returns, but always folded
    /// from the customer's first event, never from a snapshot, so that every event behind
    /// it is listed.
    /// - Throws: as ``project(_:for:asOf:registry:)``.
    public func audit<P: Projection>(
        _ projection: P, for customer: StreamID, asOf: AsOf = .now(), registry: EventTypeRegistry = EventTypeRegistry()
    ) throws(LedgerError) -> ProjectionAudit<P.State> {
        let history = try history(of: customer, asOf: asOf)
        let key = projection.keying == .global ? ProjectionKeying.globalKey : history.customer.rawValue
        var state = projection.initialState()
        var steps: [ProjectionAudit<P.State>.Step] = []
        let types = projection.eventTypes.types
        for record in history.records.sorted(by: { $0.position < $1.position }) {
            guard let event = try Self.projected(record, key: key, types: types, registry) else { continue }
            let before = state
            try Self.apply(projection, event, to: &state)
            steps.append(.init(event: AuditedEvent(record), changedState: Self.differs(before, state)))
        }
        return ProjectionAudit(
            projection: projection.name, version: projection.version, requested: customer, customer: history.customer,
            asOf: asOf, state: state, steps: steps,
            uncounted: try uncountedEvents(in: [history.customer] + history.mergedCustomers, counted: Set(history.records.map(\.position)), asOf: asOf)
        )
    }

    /// Whether two states differ, or `nil` when their type is not `Equatable`.
    static func differs<State>(_ before: State, _ after: State) -> Bool? {
        guard let before = before as? any Equatable else { return nil }
        return !Self.equal(before, after)
    }

    private static func equal<Value: Equatable>(_ lhs: Value, _ rhs: Any) -> Bool {
        guard let rhs = rhs as? Value else { return false }
        return lhs == rhs
    }
}
