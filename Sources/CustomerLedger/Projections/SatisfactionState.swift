public import Foundation
public import LedgerCore

/// The fold behind ``CustomerSatisfaction``, as a ``Projection`` like any host's. The
/// state keeps the answers and the contacts, not the policy's verdicts, so one state
/// serves every ``SatisfactionPolicy``: build the view with
/// ``CustomerSatisfaction/init(state:customer:asOf:policy:)``.
public struct SatisfactionProjection: Projection {
    public let name = "ledger.satisfaction"
    public let version: UInt32 = 1
    public var eventTypes: EventTypeFilter {
        .only([SurveyAnswered.eventType, InteractionRecorded.eventType, FollowUpCompleted.eventType])
    }

    public init() {}

    public func initialState() -> SatisfactionState { SatisfactionState() }

    public func apply(_ event: ProjectedEvent, to state: inout SatisfactionState) {
        state.add(event.record)
    }
}

/// One customer's survey answers and the contacts that can close a detractor's
/// follow-up, folded one event at a time in any order; both lists stay in
/// (occurredAt, position) order.
public struct SatisfactionState: Sendable, Hashable, Codable {
    /// One survey answer.
    public struct Answer: Sendable, Hashable, Codable {
        /// The survey answered.
        public var surveyId: String
        /// NPS, CSAT or CES.
        public var kind: SurveyKind
        /// The score.
        public var score: Int
        /// When the customer answered.
        public var occurredAt: Date
        /// The answer's position in the log.
        public var position: LogPosition
        /// The answer event's id.
        public var id: EventID
    }

    /// An `interaction.recorded` or `followUp.completed`: a contact with the customer.
    struct Contact: Sendable, Hashable, Codable {
        var occurredAt: Date
        var position: LogPosition
        var id: EventID
    }

    /// Every answer, by `occurredAt` (ties by position).
    public private(set) var answers: [Answer] = []
    /// Every contact, by `occurredAt` (ties by position).
    private(set) var contacts: [Contact] = []

    /// The state before any event.
    public init() {}

    /// Takes in one event of the customer (or of a customer merged into it), in any order.
    public mutating func add(_ record: borrowing CustomerEventRecord) {
        switch record.event {
        case .surveyAnswered(let answer):
            answers.insert(Answer(
                surveyId: answer.surveyId, kind: answer.kind, score: answer.score,
                occurredAt: record.occurredAt, position: record.position, id: record.id
            ), inOrderOf: { ($0.occurredAt, $0.position) })
        case .interactionRecorded, .followUpCompleted:
            contacts.insert(Contact(occurredAt: record.occurredAt, position: record.position, id: record.id), inOrderOf: {
                ($0.occurredAt, $0.position)
            })
        default:
            break
        }
    }

    /// The first contact at or after `time`.
    func firstContact(atOrAfter time: Date) -> Contact? {
        var low = contacts.startIndex, high = contacts.endIndex
        while low < high {
            let middle = (low + high) / 2
            if contacts[middle].occurredAt < time { low = middle + 1 } else { high = middle }
        }
        return low < contacts.endIndex ? contacts[low] : nil
    }
}
