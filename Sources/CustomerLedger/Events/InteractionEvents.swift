public import Foundation
public import LedgerCore

/// The channels of the multi-channel contact log.
public enum Channel: String, Codable, Sendable, Hashable, CaseIterable {
    case phone, email, sms, chat, social, visit, meeting, event, other
}

/// Inbound (the customer reached out) or outbound.
public enum Direction: String, Codable, Sendable, Hashable, CaseIterable {
    case inbound, outbound
}

/// What to do next, and by when: opens a follow-up.
public struct NextAction: Codable, Sendable, Hashable {
    public var description: String
    public var dueAt: Date
    public init(description: String, dueAt: Date) {
        self.description = description
        self.dueAt = dueAt
    }
}

/// `interaction.recorded`: a contact with the customer on some channel.
public struct InteractionRecorded: CustomerEventPayload {
    public static let eventType = "interaction.recorded"
    /// The host's id for this interaction; a follow-up names it when completed.
    public var interactionId: String
    public var channel: Channel
    public var direction: Direction
    public var subject: String?
    public var notes: String?
    public var agent: String?
    public var outcome: String?
    public var nextAction: NextAction?

    public init(
        interactionId: String, channel: Channel, direction: Direction, subject: String? = nil,
        notes: String? = nil, agent: String? = nil, outcome: String? = nil, nextAction: NextAction? = nil
    ) {
        self.interactionId = interactionId
        self.channel = channel
        self.direction = direction
        self.subject = subject
        self.notes = notes
        self.agent = agent
        self.outcome = outcome
        self.nextAction = nextAction
    }

    public func validate() throws(LedgerError) {
        try requireText(interactionId, Self.eventType, "interactionId")
        if let nextAction {
            try requireText(nextAction.description, Self.eventType, "nextAction.description")
            try requireStorable(nextAction.dueAt, Self.eventType, "nextAction.dueAt")
        }
    }
}

/// `followUp.completed`: closes the follow-up an interaction's next action opened.
public struct FollowUpCompleted: CustomerEventPayload {
    public static let eventType = "followUp.completed"
    public var interactionId: String
    public var outcome: String?
    public var notes: String?

    public init(interactionId: String, outcome: String? = nil, notes: String? = nil) {
        self.interactionId = interactionId
        self.outcome = outcome
        self.notes = notes
    }

    public func validate() throws(LedgerError) { try requireText(interactionId, Self.eventType, "interactionId") }
}
