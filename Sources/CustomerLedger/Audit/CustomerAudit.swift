public import LedgerCore

/// A customer replayed from a point of view, with the events behind the result
/// (docs/audit.md): the state views the ledger folds for one customer, every event they
/// were folded from with its actor and correlation metadata, and the customer's events
/// the point of view leaves out.
///
/// ```swift
/// // What did we know about C1 on 1 April, and who put it there?
/// let audit = try ledger.audit("C1", asOf: AsOf(time: april1, knownAt: .recordedAt(april1)))
/// for event in audit.events { print(event.position, event.type, event.actor ?? "-") }
/// ```
public struct CustomerAudit: Sendable, Hashable {
    /// The customer asked for.
    public var requested: StreamID
    /// The customer it stands for: itself, or the survivor it was merged into.
    public var customer: StreamID
    /// Customers merged into ``customer`` whose events are folded in.
    public var mergedCustomers: [StreamID]
    /// The point of view.
    public var asOf: AsOf
    /// The profile; `nil` when no event counts from this point of view.
    public var profile: CustomerProfile?
    /// The lifecycle; `nil` when no event counts from this point of view.
    public var lifecycle: CustomerLifecycle?
    /// Spend, RFM values and lifetime value.
    public var value: CustomerValue
    /// Survey scores and the closed loop.
    public var satisfaction: CustomerSatisfaction
    /// The events every view above was folded from, in the order they are folded: by
    /// `occurredAt`, ties by position.
    public var events: [AuditedEvent]
    /// The events of the same streams that the point of view leaves out, by position.
    public var uncounted: [UncountedEvent]

    /// Whether the ledger knew the customer at all from this point of view.
    public var isEmpty: Bool { events.isEmpty }

    public init(
        requested: StreamID, customer: StreamID, mergedCustomers: [StreamID], asOf: AsOf, profile: CustomerProfile?,
        lifecycle: CustomerLifecycle?, value: CustomerValue, satisfaction: CustomerSatisfaction,
        events: [AuditedEvent], uncounted: [UncountedEvent]
    ) {
        self.requested = requested
        self.customer = customer
        self.mergedCustomers = mergedCustomers
        self.asOf = asOf
        self.profile = profile
        self.lifecycle = lifecycle
        self.value = value
        self.satisfaction = satisfaction
        self.events = events
        self.uncounted = uncounted
    }
}

/// The rules an audit folds the views with; the defaults are the views' own.
public struct AuditPolicies: Sendable, Hashable {
    public var lifecycle: LifecyclePolicy
    public var value: ValuePolicy
    public var satisfaction: SatisfactionPolicy

    public init(lifecycle: LifecyclePolicy = .standard, value: ValuePolicy = .standard, satisfaction: SatisfactionPolicy = .standard) {
        self.lifecycle = lifecycle
        self.value = value
        self.satisfaction = satisfaction
    }
}

extension Ledger {
    /// Replays a customer as of a point of view: its profile, lifecycle, value and
    /// satisfaction exactly as ``profile(of:asOf:)``, ``lifecycle(of:asOf:policy:)``,
    /// ``value(of:asOf:policy:)`` and ``satisfaction(of:asOf:policy:)`` give them, the events
    /// they were folded from, and the customer's events left out of the view.
    ///
    /// `asOf.time` replays what had happened by then (`occurredAt`); `asOf.knownAt` replays
    /// what the ledger had recorded by a position or a `recordedAt` time, so a correction
    /// recorded later shows up among ``CustomerAudit/uncounted`` of an earlier `knownAt`.
    /// A merged id is audited as its survivor, with the merged customers' events.
    public func audit(_ customer: StreamID, asOf: AsOf = .now(), policies: AuditPolicies = AuditPolicies()) throws(LedgerError) -> CustomerAudit {
        let history = try history(of: customer, asOf: asOf)
        let counted = Set(history.records.map(\.position))
        return CustomerAudit(
            requested: customer, customer: history.customer, mergedCustomers: history.mergedCustomers, asOf: asOf,
            profile: CustomerProfile(history: history, forgotten: try wasForgotten(history)),
            lifecycle: CustomerLifecycle(history: history, policy: policies.lifecycle),
            value: CustomerValue(customer: history.customer, activity: history.purchaseActivity, asOf: asOf, policy: policies.value),
            satisfaction: CustomerSatisfaction(history: history, policy: policies.satisfaction),
            events: history.records.map(AuditedEvent.init),
            uncounted: try uncountedEvents(in: [history.customer] + history.mergedCustomers, counted: counted, asOf: asOf)
        )
    }

    /// The events of `streams` outside the point of view, by position. A merge or unmerge
    /// in a merged customer's own stream is not listed: the survivor's copy is.
    func uncountedEvents(in streams: [StreamID], counted: Set<LogPosition>, asOf: AsOf) throws(LedgerError) -> [UncountedEvent] {
        var uncounted: [UncountedEvent] = []
        for (index, stream) in streams.enumerated() {
            do {
                try readStream(stream) { recorded in
                    guard !counted.contains(recorded.position) else { return }
                    let record = try customerEventRecord(recorded)
                    if index > 0 {
                        switch record.event {
                        case .merged, .unmerged: return
                        default: break
                        }
                    }
                    let happenedLater = record.occurredAt > asOf.time
                    let recordedLater = !AsOf(time: record.occurredAt, knownAt: asOf.knownAt).includes(record)
                    guard happenedLater || recordedLater else { return }
                    uncounted.append(UncountedEvent(event: AuditedEvent(record), happenedLater: happenedLater, recordedLater: recordedLater))
                }
            } catch {
                throw LedgerError.wrapping(error, while: "Reading customer \(stream) for an audit")
            }
        }
        return uncounted.sorted { $0.event.position < $1.event.position }
    }
}
