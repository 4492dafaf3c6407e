public import Foundation
public import LedgerCore

/// The fold behind ``CustomerInteractions`` (channel mix, last contact per channel,
/// follow-ups), as a ``Projection`` like any host's; build the view from its state with
/// ``CustomerInteractions/init(state:customer:asOf:forgotten:)``.
public struct InteractionsProjection: Projection {
    public let name = "ledger.interactions"
    public let version: UInt32 = 1
    public var eventTypes: EventTypeFilter {
        .only([InteractionRecorded.eventType, FollowUpCompleted.eventType, CustomerForgotten.eventType])
    }

    public init() {}

    public func initialState() -> InteractionsState { InteractionsState() }

    public func apply(_ event: ProjectedEvent, to state: inout InteractionsState) {
        state.add(event.record)
    }
}

/// One customer's contacts, folded one event at a time in any order: the channel mix, the
/// latest interaction per channel, each interaction's follow-up (an interaction id used
/// twice keeps the newest next action) and its first completion (a completion recorded
/// before its interaction still closes it).
public struct InteractionsState: Sendable, Hashable, Codable {
    /// Interactions per channel and direction.
    public private(set) var channelMix = ChannelMix()
    /// The latest interaction's `occurredAt` per channel used.
    public private(set) var lastContact: [Channel: Date] = [:]
    /// The latest interaction on any channel.
    public private(set) var lastInteraction: Date?
    /// Whether a `customer.forgotten` was folded in.
    public private(set) var forgotten = false
    /// The newest next action per interaction id.
    private var opened: [String: FollowUp] = [:]
    /// The earliest completion per interaction id.
    private var completions: [String: Completion] = [:]

    /// The state before any event.
    public init() {}

    /// Takes in one event of the customer (or of a customer merged into it), in any order.
    public mutating func add(_ record: borrowing CustomerEventRecord) {
        let time = record.occurredAt
        switch record.event {
        case .interactionRecorded(let interaction):
            channelMix.add(interaction)
            lastContact[interaction.channel] = max(lastContact[interaction.channel] ?? time, time)
            lastInteraction = max(lastInteraction ?? time, time)
            guard let next = interaction.nextAction else { return }
            if let current = opened[interaction.interactionId], (time, record.position) < (current.openedAt, current.position) { return }
            opened[interaction.interactionId] = FollowUp(
                interactionId: interaction.interactionId, customer: record.customer,
                action: Personal(next.description, record.personalData), channel: interaction.channel,
                openedAt: time, dueAt: next.dueAt, position: record.position
            )
        case .followUpCompleted(let completion):
            if let current = completions[completion.interactionId], (current.at, current.position) < (time, record.position) { return }
            completions[completion.interactionId] = Completion(at: time, position: record.position, outcome: completion.outcome)
        case .forgotten:
            forgotten = true
        default:
            break
        }
    }

    /// Every follow-up, open or completed, by due time (ties by position); a completion
    /// naming no follow-up is left out.
    public var followUps: [FollowUp] {
        opened.values.map { followUp in
            var followUp = followUp
            if let completion = completions[followUp.interactionId] {
                followUp.completedAt = completion.at
                followUp.outcome = completion.outcome
            }
            return followUp
        }.sorted { ($0.dueAt, $0.position) < ($1.dueAt, $1.position) }
    }

    private struct Completion: Sendable, Hashable, Codable {
        var at: Date
        var position: LogPosition
        var outcome: String?
    }
}
