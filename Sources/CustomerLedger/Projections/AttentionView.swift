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

extension Ledger {
    /// Why one customer needs attention as of a point of view (no reasons when it does
    /// not); `nil` when the customer is unknown from it or was forgotten. Reads only its
    /// streams.
    public func attention(of customer: StreamID, asOf: AsOf = .now(), policy: AttentionPolicy = .standard) throws(LedgerError) -> CustomerAttention? {
        let history = try history(of: customer, asOf: asOf)
        guard !history.isEmpty, try !wasForgotten(history) else { return nil }
        var state = AttentionState()
        let records = history.records  // decoded once (the getter is not free)
        for index in records.indices { state.add(records[index]) }
        return CustomerAttention(state: state, customer: history.customer, at: asOf.time, policy: policy)
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

/// The attention view's share of a population pass: an ``AttentionState`` per
/// customer slot.
struct AttentionPopulation: Sendable {
    let asOf: AsOf
    let policy: AttentionPolicy
    /// By owner slot; slots past the end have had no event the rules read.
    private var customers: [AttentionState] = []

    init(asOf: AsOf, policy: AttentionPolicy) {
        self.asOf = asOf
        self.policy = policy
    }

    /// Takes one event that counts.
    mutating func consume(_ owner: PopulationOwner, _ record: CustomerEventRecord) {
        while customers.count <= owner.slot { customers.append(AttentionState()) }
        customers[owner.slot].add(record)
    }

    /// The customers needing attention among every owner the pass met, leaving out the
    /// ones forgotten in the point of view or at any time (`forgottenEver`, by owner in
    /// the view of everything recorded).
    func finish(owners: PopulationOwners, forgottenEver: Set<StreamID>) -> AttentionReport {
        var examined = 0
        var needing: [CustomerAttention] = []
        let empty = AttentionState()
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
