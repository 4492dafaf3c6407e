public import Foundation
import LedgerCore

/// A customer after merges, as a population pass numbers them: ``slot`` is dense (0, 1,
/// 2, … in the order the pass first meets the customers), so the accumulators keep their
/// per-customer state in arrays indexed by it, and the owner's id is hashed once per event
/// for all of them.
struct PopulationOwner: Sendable {
    var slot: Int
    var id: StreamID
}

/// The owners a population pass has met, each with its slot.
struct PopulationOwners: Sendable {
    private(set) var ids: [StreamID] = []
    private var slots: [StreamID: Int] = [:]
    /// The last owner asked for: a stream's events often come in a run.
    private var last: PopulationOwner?

    var count: Int { ids.count }

    /// The owner `id`, given the next slot the first time.
    mutating func owner(_ id: StreamID) -> PopulationOwner {
        if let last, last.id == id { return last }
        let slot: Int
        if let known = slots[id] {
            slot = known
        } else {
            slot = ids.count
            ids.append(id)
            slots[id] = slot
        }
        let owner = PopulationOwner(slot: slot, id: id)
        last = owner
        return owner
    }
}

/// Who each stream belongs to after merges, resolved once for every merged id so that a
/// pass pays one lookup per event (none when nothing was merged).
struct ResolvedIdentity: Sendable {
    /// Every id merged into another, with the survivor it resolves to.
    private(set) var survivors: [StreamID: StreamID] = [:]

    init() {}

    init(_ map: IdentityMap) { survivors = map.resolvedSurvivors() }

    /// The customer `stream`'s events belong to.
    func owner(of stream: StreamID) -> StreamID {
        survivors.isEmpty ? stream : survivors[stream] ?? stream
    }

    /// The identity events of both views, from one read of the identity events: `asOf`'s,
    /// and (when `future` is set) the one of everything recorded at any time, which the
    /// "forgotten at any time" rule uses.
    static func read(
        _ ledger: Ledger, asOf: AsOf, future: Bool
    ) throws -> (asOf: ResolvedIdentity, future: ResolvedIdentity) {
        var records: [(record: CustomerEventRecord, inView: Bool)] = []
        do {
            try ledger.readLog(from: .start, direction: .forward, filter: IdentityMap.eventTypes, limit: .max) { recorded in
                if !future, !asOf.mayInclude(position: recorded.position) { throw StopScan() }
                let inView = asOf.includes(occurredAt: recorded.occurredAt, position: recorded.position, recordedAt: recorded.recordedAt)
                guard inView || future else { return }
                records.append((try CustomerEventRecord(recorded), inView))
            }
        } catch is StopScan {}
        guard !records.isEmpty else { return (ResolvedIdentity(), ResolvedIdentity()) }
        records.sort { Ledger.happenedBefore($0.record, $1.record) }
        var inView = IdentityMap(), everything = IdentityMap()
        for (record, counts) in records {
            if counts { inView.apply(record.event) }
            everything.apply(record.event)
        }
        return (ResolvedIdentity(inView), future ? ResolvedIdentity(everything) : ResolvedIdentity())
    }
}

/// The stream of each event of a log pass, built once per run of events of one stream (a
/// customer's events often come together in the log).
struct StreamRuns {
    private var last: StreamID?

    mutating func stream(of stored: borrowing StoredEvent) throws(LedgerError) -> StreamID {
        if let last, stored.isInStream(last) { return last }
        let stream = try stored.stream()
        last = stream
        return stream
    }
}

/// Ends a log scan at the last position a point of view can include.
struct StopScan: Error {}

/// Cancelled order ids per owner slot.
struct SlotCancellations: Sendable {
    private var orders: [Int: Set<String>] = [:]

    mutating func insert(_ orderId: String, of owner: PopulationOwner) {
        orders[owner.slot, default: []].insert(orderId)
    }

    func contains(_ orderId: String, of owner: PopulationOwner) -> Bool {
        orders.isEmpty ? false : orders[owner.slot]?.contains(orderId) ?? false
    }
}

/// One population pass: the shared reading of the log behind every population report,
/// feeding whichever accumulators are set. A report asked alone runs it with its own
/// accumulator; ``Ledger/populationReport(asOf:policies:satisfactionPeriod:satisfactionInterval:)``
/// runs it with all of them, so each rule lives in one accumulator type.
///
/// The log is read at most three times, each event of a type that matters decoded once:
/// 1. the identity events (`customers.merged`, `customers.unmerged`) alone, by the
///    engine's type filter;
/// 2. what must be known before the main pass, by type filter: `order.cancelled` (a
///    cancellation can come after its purchase in the log), `survey.answered` (a
///    detractor's follow-up is closed by a contact that can come before the response in
///    the log) and `customer.forgotten` (forgotten at any time, even after the point of
///    view, keeps a customer out of the attention view);
/// 3. everything else, once: events of types no accumulator reads are not decoded, only
///    attributed to their owner (a customer is known from any event).
///
/// Memory is proportional to the customers (a few numbers each, plus the bounded windows
/// and open items the accumulators keep), never to the events.
struct PopulationPass {
    let asOf: AsOf
    var lifecycle: LifecyclePopulation?
    var value: ValueAccumulator?
    var satisfaction: SatisfactionAccumulator?
    var attention: AttentionPopulation?

    private(set) var owners = PopulationOwners()
    /// Customers forgotten at any time, by their owner in the view of everything recorded.
    private(set) var forgottenEver: Set<StreamID> = []
    /// Ids merged into a survivor in the point of view.
    private(set) var mergedCustomers = 0
    private var cancellations = SlotCancellations()

    init(asOf: AsOf) { self.asOf = asOf }

    /// Every known customer counts (lifecycle, attention): the main pass reads every type.
    private var countsEveryCustomer: Bool { lifecycle != nil || attention != nil }
    private var readsCommerce: Bool { lifecycle != nil || value != nil }

    /// What the main pass does with an event type.
    private enum Route {
        /// Read before, or by nobody.
        case skip
        /// Attributed to its owner, not decoded.
        case count
        /// An identity event: counted on the survivor's own stream only (the others hold
        /// copies).
        case countIdentity
        /// Decoded and given to the accumulators.
        case decode(BuiltInEventType)
    }

    mutating func run(on ledger: Ledger) throws {
        let readsForgotten = attention != nil
        let identities = try ResolvedIdentity.read(ledger, asOf: asOf, future: readsForgotten)
        let identity = identities.asOf
        mergedCustomers = identity.survivors.count

        // 2. The pre-pass.
        var early: Set<String> = []
        if readsCommerce { early.insert(OrderCancelled.eventType) }
        if satisfaction != nil || attention != nil { early.insert(SurveyAnswered.eventType) }
        if readsForgotten { early.insert(CustomerForgotten.eventType) }
        var streams = StreamRuns()
        if !early.isEmpty {
            var kinds = ledger.historyKinds.snapshot()
            do {
                try ledger.store.readStoredLog(filter: .only(early)) { stored in
                    if !readsForgotten, !asOf.mayInclude(position: stored.position) { throw StopScan() }
                    let stream = try streams.stream(of: stored)
                    if kinds.flags(stored.typeNumber) == nil { kinds = ledger.historyKinds.learn(stored.typeNumber, type: stored.type) }
                    let entry = kinds.kinds[Int(stored.typeNumber)]!.entry
                    if readsForgotten, entry?.type == CustomerForgotten.self {
                        forgottenEver.insert(identities.future.owner(of: stream))
                    }
                    let occurredAt = stored.occurredAt
                    let recordedAt = stored.recordedAt
                    guard asOf.includes(occurredAt: occurredAt, position: stored.position, recordedAt: recordedAt) else { return }
                    let owner = owners.owner(identity.owner(of: stream))
                    let record = try CustomerEventRecord(
                        stored, of: stream, as: entry, occurredAt: occurredAt, recordedAt: recordedAt, personal: .withheld(.locked)
                    )
                    if case .orderCancelled(let cancellation) = record.event {
                        cancellations.insert(cancellation.orderId, of: owner)
                    } else {
                        satisfaction?.consume(owner, record)
                        attention?.consume(owner, record)
                    }
                }
            } catch is StopScan {}
        }

        // 3. The main pass.
        var decoded: Set<String> = []
        if readsCommerce { decoded.formUnion([PurchaseCompleted.eventType, RefundIssued.eventType]) }
        if attention != nil || satisfaction?.loop.isEmpty == false {
            decoded.formUnion([InteractionRecorded.eventType, FollowUpCompleted.eventType])
        }
        if attention != nil { decoded.formUnion([ComplaintOpened.eventType, ComplaintResolved.eventType]) }
        let countsEveryCustomer = countsEveryCustomer
        guard countsEveryCustomer || !decoded.isEmpty else { return }
        // A handful of type numbers: a linear search.
        var routes: [(number: UInt32, route: Route)] = []
        func route(of stored: borrowing StoredEvent) -> Route {
            for known in routes where known.number == stored.typeNumber { return known.route }
            let type = stored.type
            let route: Route
            if early.contains(type) {
                route = .skip
            } else if decoded.contains(type), let entry = EventCoding.builtIn[type] {
                route = .decode(entry)
            } else if !countsEveryCustomer {
                route = .skip
            } else if type == CustomersMerged.eventType || type == CustomersUnmerged.eventType {
                route = .countIdentity
            } else {
                route = .count
            }
            routes.append((stored.typeNumber, route))
            return route
        }
        do {
            try ledger.store.readStoredLog(filter: countsEveryCustomer ? .all : .only(decoded)) { stored in
                guard asOf.mayInclude(position: stored.position) else { throw StopScan() }
                let occurredAt = stored.occurredAt
                let recordedAt = stored.recordedAt
                guard asOf.includes(occurredAt: occurredAt, position: stored.position, recordedAt: recordedAt) else { return }
                switch route(of: stored) {
                case .skip:
                    return
                case .count:
                    _ = owners.owner(identity.owner(of: try streams.stream(of: stored)))
                case .countIdentity:
                    let stream = try streams.stream(of: stored)
                    let owner = identity.owner(of: stream)
                    if owner == stream { _ = owners.owner(owner) }
                case .decode(let entry):
                    let stream = try streams.stream(of: stored)
                    let owner = owners.owner(identity.owner(of: stream))
                    let record = try CustomerEventRecord(
                        stored, of: stream, as: entry, occurredAt: occurredAt, recordedAt: recordedAt, personal: .withheld(.locked)
                    )
                    consume(owner, record)
                }
            }
        } catch is StopScan {}
    }

    /// Gives a main-pass event to the accumulators; purchases and refunds of cancelled
    /// orders count for nothing.
    private mutating func consume(_ owner: PopulationOwner, _ record: CustomerEventRecord) {
        switch record.event {
        case .purchaseCompleted(let purchase):
            guard !cancellations.contains(purchase.orderId, of: owner) else { return }
            lifecycle?.consume(owner, record)
            value?.consume(owner, record)
        case .refundIssued(let refund):
            guard !cancellations.contains(refund.orderId, of: owner) else { return }
            lifecycle?.consume(owner, record)
            value?.consume(owner, record)
        default:
            satisfaction?.consume(owner, record)
            attention?.consume(owner, record)
        }
    }
}

/// The rules of every population projection in one value.
public struct PopulationPolicies: Sendable, Hashable, Codable {
    /// The lifecycle thresholds (``LifecycleDistribution``).
    public var lifecycle: LifecyclePolicy
    /// The currency and window of RFM (``RFMReport``).
    public var value: ValuePolicy
    /// The satisfaction thresholds (``SatisfactionReport``).
    public var satisfaction: SatisfactionPolicy
    /// The attention thresholds (``AttentionReport``).
    public var attention: AttentionPolicy

    /// Policies; every argument defaults to its documented default.
    public init(
        lifecycle: LifecyclePolicy = .standard, value: ValuePolicy = .standard,
        satisfaction: SatisfactionPolicy = .standard, attention: AttentionPolicy = .standard
    ) {
        self.lifecycle = lifecycle
        self.value = value
        self.satisfaction = satisfaction
        self.attention = attention
    }

    /// The defaults.
    public static let standard = PopulationPolicies()
}

/// Every population projection at one point of view, from one reading of the log: the
/// same values as ``Ledger/lifecycleDistribution(asOf:policy:)``,
/// ``Ledger/rfm(asOf:policy:)``, ``Ledger/satisfactionReport(period:interval:asOf:policy:)``
/// and ``Ledger/customersNeedingAttention(asOf:policy:)`` asked one by one, at about a
/// quarter of the cost.
public struct PopulationReport: Sendable, Hashable {
    /// The point of view.
    public var asOf: AsOf
    /// The rules used.
    public var policies: PopulationPolicies
    /// Customers known from the point of view, after merges (a merged customer counts once,
    /// as its survivor).
    public var customers: Int
    /// Customer ids merged into another customer from the point of view.
    public var mergedCustomers: Int
    /// Known customers that were forgotten (at any time, even after the point of view).
    public var forgottenCustomers: Int
    /// Customers per lifecycle stage.
    public var lifecycle: LifecycleDistribution
    /// RFM scores and segments, with lifetime values.
    public var rfm: RFMReport
    /// Satisfaction over the population.
    public var satisfaction: SatisfactionReport
    /// Customers needing attention.
    public var attention: AttentionReport

    /// A report with its parts (``Ledger/populationReport(asOf:policies:satisfactionPeriod:satisfactionInterval:)``
    /// builds it for you).
    public init(
        asOf: AsOf, policies: PopulationPolicies, customers: Int, mergedCustomers: Int, forgottenCustomers: Int,
        lifecycle: LifecycleDistribution, rfm: RFMReport, satisfaction: SatisfactionReport, attention: AttentionReport
    ) {
        self.asOf = asOf
        self.policies = policies
        self.customers = customers
        self.mergedCustomers = mergedCustomers
        self.forgottenCustomers = forgottenCustomers
        self.lifecycle = lifecycle
        self.rfm = rfm
        self.satisfaction = satisfaction
        self.attention = attention
    }
}

extension Ledger {
    /// The lifecycle distribution, RFM, satisfaction and attention reports of the whole
    /// population in one pass over the log; each part equals the report asked alone.
    ///
    /// Besides the main pass, which reads each event once and decodes only the types some
    /// projection reads, the log is read by type filter for the identity events, and for
    /// the cancellations, survey responses and forgotten customers that must be known
    /// before the main pass (each of those events is decoded once, there). Memory grows
    /// with the number of customers, not of events.
    /// - Parameters:
    ///   - asOf: the point of view.
    ///   - policies: the policies of the four reports.
    ///   - satisfactionPeriod: survey responses whose `occurredAt` falls in it count; `nil`
    ///     for all.
    ///   - satisfactionInterval: the satisfaction trend's bucket size (UTC).
    public func populationReport(
        asOf: AsOf = .now(), policies: PopulationPolicies = .standard,
        satisfactionPeriod: Range<Date>? = nil, satisfactionInterval: SatisfactionInterval = .month
    ) throws(LedgerError) -> PopulationReport {
        var pass = PopulationPass(asOf: asOf)
        pass.lifecycle = LifecyclePopulation(asOf: asOf, policy: policies.lifecycle)
        pass.value = ValueAccumulator(asOf: asOf, policy: policies.value)
        pass.satisfaction = SatisfactionAccumulator(period: satisfactionPeriod, interval: satisfactionInterval, policy: policies.satisfaction)
        pass.attention = AttentionPopulation(asOf: asOf, policy: policies.attention)
        do {
            try pass.run(on: self)
        } catch {
            throw LedgerError.wrapping(error, while: "Reading the population projections")
        }
        let attention = pass.attention!.finish(owners: pass.owners, forgottenEver: pass.forgottenEver)
        return PopulationReport(
            asOf: asOf, policies: policies, customers: pass.owners.count, mergedCustomers: pass.mergedCustomers,
            forgottenCustomers: pass.owners.count - attention.customersExamined,
            lifecycle: pass.lifecycle!.finish(owners: pass.owners),
            rfm: RFMReport(asOf: asOf, policy: policies.value, population: try pass.value!.finish(owners: pass.owners, ledger: self)),
            satisfaction: pass.satisfaction!.report(asOf: asOf),
            attention: attention
        )
    }
}
