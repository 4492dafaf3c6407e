public import Foundation
public import LedgerCore

/// The fold behind the "needs attention" view (``CustomerAttention``), as a
/// ``Projection`` like any host's. The state keeps dates and open items, not the
/// policy's verdicts, so one state serves every ``AttentionPolicy``: build the view with
/// ``CustomerAttention/init(state:customer:at:policy:)``.
public struct AttentionProjection: Projection {
    public let name = "ledger.attention"
    public let version: UInt32 = 1
    public var eventTypes: EventTypeFilter { .only(AttentionState.eventTypes) }

    public init() {}

    public func initialState() -> AttentionState { AttentionState() }

    public func apply(_ event: ProjectedEvent, to state: inout AttentionState) {
        state.add(event.record)
    }
}

/// What the attention rules read about one customer, folded one event at a time in any
/// order: the latest contact, the follow-ups and complaints not matched with their closing
/// event, the latest answer per survey kind and score, and whether it was forgotten.
public struct AttentionState: Sendable, Hashable, Codable {
    /// The latest interaction.
    public private(set) var lastContact: Date?
    /// The latest interaction or completed follow-up: what follows a detractor up.
    public private(set) var lastFollowUpContact: Date?
    /// Whether a `customer.forgotten` was folded in (such a customer is not to be contacted).
    public private(set) var forgotten = false
    /// Open follow-ups: each interaction's newest next action.
    private var followUps: [String: OpenFollowUp] = [:]
    private var completedFollowUps: Set<String> = []
    /// Open complaints: when each was opened.
    private var complaints: [String: Date] = [:]
    private var resolvedComplaints: Set<String> = []
    /// The latest answer per kind and score (``answerSlot(kind:score:)``): a policy's
    /// detractors are among them. Empty until the first answer.
    private var latestAnswers: [EventStamp?] = []

    /// The event types the rules read.
    static let eventTypes: [String] = [
        InteractionRecorded.eventType, FollowUpCompleted.eventType, ComplaintOpened.eventType,
        ComplaintResolved.eventType, SurveyAnswered.eventType, CustomerForgotten.eventType,
    ]

    /// The state before any event.
    public init() {}

    /// Takes in one event of the customer (or of a customer merged into it), in any order.
    public mutating func add(_ record: borrowing CustomerEventRecord) {
        let time = record.occurredAt
        let stamped = EventStamp(occurredAt: time, position: record.position)
        switch record.event {
        case .interactionRecorded(let interaction):
            lastContact = max(lastContact ?? time, time)
            lastFollowUpContact = max(lastFollowUpContact ?? time, time)
            if let next = interaction.nextAction, !completedFollowUps.contains(interaction.interactionId),
               followUps[interaction.interactionId].map({ $0.opened < stamped }) ?? true {
                followUps[interaction.interactionId] = OpenFollowUp(opened: stamped, dueAt: next.dueAt)
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
        case .surveyAnswered(let answer):
            guard let slot = Self.answerSlot(kind: answer.kind, score: answer.score) else { return }
            if latestAnswers.isEmpty { latestAnswers = Array(repeating: nil, count: Self.answerSlots) }
            if latestAnswers[slot].map({ $0 < stamped }) ?? true { latestAnswers[slot] = stamped }
        case .forgotten:
            forgotten = true
        default:
            break
        }
    }

    /// The reasons the customer needs attention at `time` under `policy`, in the order of
    /// ``AttentionReason``'s cases.
    func reasons(at time: Date, policy: AttentionPolicy) -> [AttentionReason] {
        var reasons: [AttentionReason] = []
        let contactLimit = time.addingTimeInterval(-LifecycleRules.days(policy.notContactedDays))
        if let lastContact {
            if lastContact < contactLimit { reasons.append(.notContacted(lastContact: lastContact)) }
        } else {
            reasons.append(.notContacted(lastContact: nil))
        }
        let overdue = followUps.values.map(\.dueAt).filter { $0 < time }
        if let earliest = overdue.min() { reasons.append(.overdueFollowUps(count: overdue.count, earliestDueAt: earliest)) }
        let complaintLimit = time.addingTimeInterval(-LifecycleRules.days(policy.complaintOpenDays))
        let old = complaints.values.filter { $0 < complaintLimit }
        if let oldest = old.min() { reasons.append(.longOpenComplaints(count: old.count, oldestOpenedAt: oldest)) }
        var detractor: (kind: SurveyKind, score: Int, answered: EventStamp)?
        for kind in SurveyKind.allCases {
            for score in kind.scale where policy.isDetractor(score: score, kind: kind) {
                guard let slot = Self.answerSlot(kind: kind, score: score), slot < latestAnswers.count,
                      let answered = latestAnswers[slot], detractor.map({ $0.answered < answered }) ?? true else { continue }
                detractor = (kind, score, answered)
            }
        }
        if let detractor, lastFollowUpContact.map({ $0 < detractor.answered.occurredAt }) ?? true {
            reasons.append(.detractorWithoutFollowUp(respondedAt: detractor.answered.occurredAt, kind: detractor.kind, score: detractor.score))
        }
        return reasons
    }

    /// Slots for every score of every survey kind.
    private static let answerSlots = SurveyKind.allCases.reduce(0) { $0 + $1.scale.count }

    /// The slot of a score of a kind; `nil` off its scale (appends refuse such answers).
    private static func answerSlot(kind: SurveyKind, score: Int) -> Int? {
        guard kind.scale.contains(score) else { return nil }
        switch kind {
        case .nps: return score
        case .csat: return SurveyKind.nps.scale.count + score - 1
        case .ces: return SurveyKind.nps.scale.count + SurveyKind.csat.scale.count + score - 1
        }
    }

    /// The interaction whose next action is open, and when that action is due.
    private struct OpenFollowUp: Sendable, Hashable, Codable {
        var opened: EventStamp
        var dueAt: Date
    }
}

extension CustomerAttention {
    /// The reasons one customer needs attention at `time` under `policy`, from the state
    /// of ``AttentionProjection``.
    public init(state: AttentionState, customer: StreamID, at time: Date, policy: AttentionPolicy = .standard) {
        self.init(customer: customer, reasons: state.reasons(at: time, policy: policy))
    }
}
