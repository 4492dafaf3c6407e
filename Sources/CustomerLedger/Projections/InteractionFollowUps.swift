public import Foundation
public import LedgerCore

/// A follow-up: opened by an interaction's next action, closed by a `followUp.completed`
/// naming the interaction (domain.md §2, §6).
public struct FollowUp: Sendable, Hashable {
    /// The interaction whose next action opened it; a completion names it.
    public var interactionId: String
    /// The customer whose stream holds the interaction (a merged customer's own id).
    public var customer: StreamID
    /// What to do (free text: erased when the customer was forgotten).
    public var action: Personal<String>
    /// The channel of the interaction that opened it.
    public var channel: Channel
    /// When the interaction happened.
    public var openedAt: Date
    /// When the action is due.
    public var dueAt: Date
    /// The interaction's position.
    public var position: LogPosition
    /// When it was completed, if it was.
    public var completedAt: Date?
    /// The completion's outcome.
    public var outcome: String?

    /// A follow-up with its parts.
    public init(
        interactionId: String, customer: StreamID, action: Personal<String>, channel: Channel, openedAt: Date,
        dueAt: Date, position: LogPosition, completedAt: Date? = nil, outcome: String? = nil
    ) {
        self.interactionId = interactionId
        self.customer = customer
        self.action = action
        self.channel = channel
        self.openedAt = openedAt
        self.dueAt = dueAt
        self.position = position
        self.completedAt = completedAt
        self.outcome = outcome
    }

    /// Whether no completion for it is known.
    public var isOpen: Bool { completedAt == nil }

    /// Whether it is open and its due time is before `time` (due exactly at `time` is not
    /// overdue yet).
    public func isOverdue(at time: Date) -> Bool { isOpen && dueAt < time }

    /// The follow-ups among `records`, by due time (ties by position). A completion
    /// closes the follow-up of its interaction id whatever their order (a completion
    /// recorded before the interaction still closes it); a completion naming no follow-up
    /// is ignored; an interaction id used twice keeps the later next action.
    public static func fold(_ records: some Sequence<CustomerEventRecord>, erased: Bool = false) -> [FollowUp] {
        var state = InteractionsState()
        for record in records { state.add(record) }
        return state.followUps.map { followUp in
            var followUp = followUp
            if erased { followUp.action = .erased }
            return followUp
        }
    }
}

extension FollowUp: Codable {}
