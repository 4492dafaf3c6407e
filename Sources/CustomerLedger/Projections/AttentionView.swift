public import Foundation
public import LedgerCore

/// Why a customer needs attention (domain.md §6).
public enum AttentionReason: Sendable, Hashable {
    /// The last interaction is more than `notContactedDays` ago; `nil` when there was
    /// none.
    case notContacted(lastContact: Date?)
    /// Open follow-ups due before now: how many, and the earliest due time.
    case overdueFollowUps(count: Int, earliestDueAt: Date)
    /// Complaints open for more than `complaintOpenDays`: how many, and the oldest
    /// opening time.
    case longOpenComplaints(count: Int, oldestOpenedAt: Date)
    /// The latest detractor answer has had no interaction or completed follow-up at or
    /// after it.
    case detractorWithoutFollowUp(respondedAt: Date, kind: SurveyKind, score: Int)
}

/// One customer and every reason it needs attention (empty when none).
public struct CustomerAttention: Sendable, Hashable {
    /// The customer (after merges).
    public var customer: StreamID
    /// The reasons, in the order of ``AttentionReason``'s cases.
    public var reasons: [AttentionReason]

    /// A customer with its reasons.
    public init(customer: StreamID, reasons: [AttentionReason]) {
        self.customer = customer
        self.reasons = reasons
    }

    /// Whether there is anything to do.
    public var needsAttention: Bool { !reasons.isEmpty }
}

/// Every customer that needs attention, as of a point of view.
public struct AttentionReport: Sendable, Hashable {
    /// The point of view; the rules are evaluated at its time.
    public var asOf: AsOf
    /// The thresholds used.
    public var policy: AttentionPolicy
    /// Customers with at least one reason, by id.
    public var customers: [CustomerAttention]
    /// Customers known and not forgotten (the ones examined).
    public var customersExamined: Int

    /// A report with its parts.
    public init(asOf: AsOf, policy: AttentionPolicy, customers: [CustomerAttention], customersExamined: Int) {
        self.asOf = asOf
        self.policy = policy
        self.customers = customers
        self.customersExamined = customersExamined
    }
}

/// The per-customer state of the attention rules, fed events in any order: the latest
/// contact, the open follow-ups and complaints not yet matched with their closing event,
/// the latest detractor answer and forgotten.
struct AttentionAccumulator: Sendable {
    var lastContact: Date?
    /// Latest interaction or completed follow-up: what follows a detractor up.
    var lastFollowUpContact: Date?
    var latestDetractor: (at: Date, kind: SurveyKind, score: Int)?
    var forgotten = false
    private var followUps: [String: Date] = [:]
    private var completedFollowUps: Set<String> = []
    private var complaints: [String: Date] = [:]
    private var resolvedComplaints: Set<String> = []

    /// The event types the rules read.
    static let eventTypes: [String] = [
        InteractionRecorded.eventType, FollowUpCompleted.eventType, ComplaintOpened.eventType,
        ComplaintResolved.eventType, SurveyAnswered.eventType, CustomerForgotten.eventType,
    ]

    mutating func add(_ record: CustomerEventRecord, policy: AttentionPolicy) {
        let time = record.occurredAt
        switch record.event {
        case .interactionRecorded(let interaction):
            lastContact = max(lastContact ?? time, time)
            lastFollowUpContact = max(lastFollowUpContact ?? time, time)
            if let next = interaction.nextAction, !completedFollowUps.contains(interaction.interactionId) {
                followUps[interaction.interactionId] = next.dueAt
            }
        case .followUpCompleted(let completion):
            lastFollowUpContact = max(lastFollowUpContact ?? time, time)
            completedFollowUps.insert(completion.interactionId)
            followUps[completion.interactionId] = nil
        case .complaintOpened(let complaint):
            if !resolvedComplaints.contains(complaint.complaintId) { complaints[complaint.complaintId] = time }
        case .complaintResolved(let resolution):
            resolvedComplaints.insert(resolution.complaintId)
            complaints[resolution.complaintId] = nil
        case .surveyAnswered(let answer) where policy.isDetractor(answer):
            if latestDetractor.map({ time >= $0.at }) ?? true { latestDetractor = (time, answer.kind, answer.score) }
        case .forgotten:
            forgotten = true
        default:
            break
        }
    }

    func reasons(at time: Date, policy: AttentionPolicy) -> [AttentionReason] {
        var reasons: [AttentionReason] = []
        let contactLimit = time.addingTimeInterval(-LifecycleRules.days(policy.notContactedDays))
        if let lastContact {
            if lastContact < contactLimit { reasons.append(.notContacted(lastContact: lastContact)) }
        } else {
            reasons.append(.notContacted(lastContact: nil))
        }
        let overdue = followUps.values.filter { $0 < time }
        if let earliest = overdue.min() { reasons.append(.overdueFollowUps(count: overdue.count, earliestDueAt: earliest)) }
        let complaintLimit = time.addingTimeInterval(-LifecycleRules.days(policy.complaintOpenDays))
        let old = complaints.values.filter { $0 < complaintLimit }
        if let oldest = old.min() { reasons.append(.longOpenComplaints(count: old.count, oldestOpenedAt: oldest)) }
        if let detractor = latestDetractor, (lastFollowUpContact.map { $0 < detractor.at } ?? true) {
            reasons.append(.detractorWithoutFollowUp(respondedAt: detractor.at, kind: detractor.kind, score: detractor.score))
        }
        return reasons
    }
}

extension Ledger {
    /// Why one customer needs attention as of a point of view (no reasons when it does
    /// not); `nil` when the customer is unknown from it or was forgotten. Reads only its
    /// streams.
    public func attention(of customer: StreamID, asOf: AsOf = .now(), policy: AttentionPolicy = .standard) throws(LedgerError) -> CustomerAttention? {
        let history = try history(of: customer, asOf: asOf)
        guard !history.isEmpty, try !wasForgotten(history) else { return nil }
        var accumulator = AttentionAccumulator()
        for record in history.records { accumulator.add(record, policy: policy) }
        return CustomerAttention(customer: history.customer, reasons: accumulator.reasons(at: asOf.time, policy: policy))
    }

    /// Every customer that needs attention as of a point of view, each with all its
    /// reasons. One pass over the log, keeping per customer a few dates and its follow-ups
    /// and complaints not yet matched with their closing event. Forgotten customers are
    /// left out: they are not to be contacted.
    public func customersNeedingAttention(asOf: AsOf = .now(), policy: AttentionPolicy = .standard) throws(LedgerError) -> AttentionReport {
        var pass = PopulationPass(asOf: asOf)
        pass.attention = AttentionPopulation(asOf: asOf, policy: policy)
        do {
            try pass.run(on: self)
        } catch {
            throw LedgerError.wrapping(error, while: "Reading the attention view")
        }
        return pass.attention!.finish(owners: pass.owners, forgottenEver: pass.forgottenEver)
    }
}

/// The attention view's share of a population pass: an ``AttentionAccumulator`` per
/// customer slot.
struct AttentionPopulation: Sendable {
    let asOf: AsOf
    let policy: AttentionPolicy
    /// By owner slot; slots past the end have had no event the rules read.
    private var customers: [AttentionAccumulator] = []

    init(asOf: AsOf, policy: AttentionPolicy) {
        self.asOf = asOf
        self.policy = policy
    }

    /// Takes one event that counts.
    mutating func consume(_ owner: PopulationOwner, _ record: CustomerEventRecord) {
        while customers.count <= owner.slot { customers.append(AttentionAccumulator()) }
        customers[owner.slot].add(record, policy: policy)
    }

    /// The customers needing attention among every owner the pass met, leaving out the
    /// ones forgotten in the point of view or at any time (`forgottenEver`, by owner in
    /// the view of everything recorded).
    func finish(owners: PopulationOwners, forgottenEver: Set<StreamID>) -> AttentionReport {
        var examined = 0
        var needing: [CustomerAttention] = []
        let empty = AttentionAccumulator()
        for (slot, customer) in owners.ids.enumerated() where !forgottenEver.contains(customer) {
            let accumulator = slot < customers.count ? customers[slot] : empty
            guard !accumulator.forgotten else { continue }
            examined += 1
            let reasons = accumulator.reasons(at: asOf.time, policy: policy)
            if !reasons.isEmpty { needing.append(CustomerAttention(customer: customer, reasons: reasons)) }
        }
        return AttentionReport(asOf: asOf, policy: policy, customers: needing.sorted { $0.customer < $1.customer }, customersExamined: examined)
    }
}
