public import Foundation

/// Where a detractor's follow-up stands at the as-of time.
public enum FollowUpStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Not closed, not yet due.
    case open
    /// Not closed and past its due time.
    case overdue
    /// Closed at or before its due time.
    case closedInTime
    /// Closed after its due time.
    case closedLate
}

/// The follow-up a detractor's response opens (domain.md §5): due a policy number of
/// hours after the response, closed by the customer's first `interaction.recorded` or
/// `followUp.completed` at or after the response.
public struct DetractorFollowUp: Sendable, Hashable {
    /// The customer (the survivor when customers were merged).
    public var customer: StreamID
    /// The response's survey, kind and score.
    public var surveyId: String
    /// The survey kind answered.
    public var kind: SurveyKind
    /// The detractor's score.
    public var score: Int
    /// When the customer answered.
    public var respondedAt: Date
    /// The response event's id.
    public var responseID: EventID
    /// When the follow-up is due.
    public var dueAt: Date
    /// When the first contact after the response happened, if any by the as-of time.
    public var closedAt: Date?
    /// The event that closed it.
    public var closedBy: EventID?
    /// Its status at the as-of time.
    public var status: FollowUpStatus

    /// Builds the value from its parts (projections build it for you).
    public init(
        customer: StreamID, surveyId: String, kind: SurveyKind, score: Int, respondedAt: Date, responseID: EventID,
        dueAt: Date, closedAt: Date?, closedBy: EventID?, status: FollowUpStatus
    ) {
        self.customer = customer
        self.surveyId = surveyId
        self.kind = kind
        self.score = score
        self.respondedAt = respondedAt
        self.responseID = responseID
        self.dueAt = dueAt
        self.closedAt = closedAt
        self.closedBy = closedBy
        self.status = status
    }
}

/// The closed loop on detractors: every detractor response's follow-up and the counts.
public struct ClosedLoopSummary: Sendable, Hashable {
    /// The follow-ups, by response time (ties by customer).
    public var followUps: [DetractorFollowUp]

    /// Builds the value from its parts (projections build it for you).
    public init(followUps: [DetractorFollowUp]) {
        self.followUps = followUps
    }

    /// Not closed, overdue ones included.
    public var open: Int { followUps.count { $0.status == .open || $0.status == .overdue } }
    /// Not closed and past due.
    public var overdue: Int { followUps.count { $0.status == .overdue } }
    /// Closed, in time or late.
    public var closed: Int { followUps.count { $0.status == .closedInTime || $0.status == .closedLate } }
    /// Closed at or before the due time.
    public var closedInTime: Int { followUps.count { $0.status == .closedInTime } }

    /// Closed in time as a percentage (0–100) of the follow-ups whose outcome is known:
    /// the closed ones and the overdue ones (open ones not yet due are left out); `nil`
    /// when there are none.
    public var percentClosedInTime: Double? {
        let decided = closed + overdue
        return decided == 0 ? nil : 100 * Double(closedInTime) / Double(decided)
    }
}

/// Collects detractor responses, then the contacts that close them, in any order.
struct ClosedLoopTracker: Sendable {
    struct Item: Sendable {
        var customer: StreamID
        var response: SurveyAnswered
        var respondedAt: Date
        var responseID: EventID
        var closedAt: Date?
        var closedBy: EventID?
        var closedPosition: LogPosition?
    }

    /// By owner slot (a population pass's, or 0 for one customer).
    private(set) var items: [Int: [Item]] = [:]
    let policy: SatisfactionPolicy

    init(policy: SatisfactionPolicy) { self.policy = policy }

    var isEmpty: Bool { items.isEmpty }

    /// The contact types that close a follow-up.
    static let contactTypes: EventTypeFilter = .only([InteractionRecorded.eventType, FollowUpCompleted.eventType])

    /// Notes a response; only a detractor's opens a follow-up.
    mutating func noteResponse(_ response: SurveyAnswered, of owner: PopulationOwner, record: CustomerEventRecord) {
        guard policy.isDetractor(response.score, kind: response.kind) else { return }
        items[owner.slot, default: []].append(Item(customer: owner.id, response: response, respondedAt: record.occurredAt, responseID: record.id))
    }

    /// Notes an event; a contact closes the customer's follow-ups opened at or before it.
    mutating func noteContact(_ record: CustomerEventRecord, of owner: PopulationOwner) {
        switch record.event {
        case .interactionRecorded, .followUpCompleted: break
        default: return
        }
        guard !items.isEmpty, let index = items.index(forKey: owner.slot) else { return }
        // In place: a copy of the list per contact would allocate for every contact of a
        // customer with a detractor response.
        for item in items.values[index].indices where items.values[index][item].respondedAt <= record.occurredAt {
            let earlier = items.values[index][item].closedAt.map { (record.occurredAt, record.position) < ($0, items.values[index][item].closedPosition!) } ?? true
            if earlier {
                items.values[index][item].closedAt = record.occurredAt
                items.values[index][item].closedBy = record.id
                items.values[index][item].closedPosition = record.position
            }
        }
    }

    /// The follow-ups and their status at `time`.
    func summary(at time: Date) -> ClosedLoopSummary {
        let followUps = items.values.joined().map { item in
            Self.followUp(
                customer: item.customer, surveyId: item.response.surveyId, kind: item.response.kind, score: item.response.score,
                respondedAt: item.respondedAt, responseID: item.responseID, closedAt: item.closedAt,
                closedBy: item.closedBy, policy: policy, at: time
            )
        }.sorted { ($0.respondedAt, $0.customer) < ($1.respondedAt, $1.customer) }
        return ClosedLoopSummary(followUps: followUps)
    }

    /// A detractor response's follow-up: due `followUpHours` after the response, its
    /// status at `time`.
    static func followUp(
        customer: StreamID, surveyId: String, kind: SurveyKind, score: Int, respondedAt: Date, responseID: EventID,
        closedAt: Date?, closedBy: EventID?, policy: SatisfactionPolicy, at time: Date
    ) -> DetractorFollowUp {
        let dueAt = respondedAt.addingTimeInterval(TimeInterval(policy.followUpHours) * 3600)
        let status: FollowUpStatus = if let closedAt {
            closedAt <= dueAt ? .closedInTime : .closedLate
        } else {
            time > dueAt ? .overdue : .open
        }
        return DetractorFollowUp(
            customer: customer, surveyId: surveyId, kind: kind, score: score, respondedAt: respondedAt,
            responseID: responseID, dueAt: dueAt, closedAt: closedAt, closedBy: closedBy, status: status
        )
    }
}
