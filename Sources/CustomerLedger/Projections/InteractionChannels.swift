public import Foundation
public import LedgerCore

/// Counts of `interaction.recorded` events per channel and direction (domain.md §6).
public struct ChannelMix: Sendable, Hashable, Codable {
    /// Interactions per channel; every channel is present, 0 when unused.
    public var byChannel: [Channel: Int]
    /// Interactions per direction; both directions are present.
    public var byDirection: [Direction: Int]
    /// All interactions.
    public var total: Int

    /// An empty mix.
    public init() {
        byChannel = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, 0) })
        byDirection = Dictionary(uniqueKeysWithValues: Direction.allCases.map { ($0, 0) })
        total = 0
    }

    /// Counts one interaction.
    public mutating func add(_ interaction: InteractionRecorded) {
        byChannel[interaction.channel, default: 0] += 1
        byDirection[interaction.direction, default: 0] += 1
        total += 1
    }

    /// Each channel's share of all interactions (0 when there are none).
    public func share(of channel: Channel) -> Double {
        total == 0 ? 0 : Double(byChannel[channel] ?? 0) / Double(total)
    }
}

/// One customer's contact log summarised (domain.md §6): channel mix, last contact per
/// channel, and its follow-ups.
public struct CustomerInteractions: Sendable, Hashable {
    /// The customer (the survivor when a merged id was asked for).
    public var customer: StreamID
    /// The point of view; overdue is judged at `asOf.time`.
    public var asOf: AsOf
    /// Interactions per channel and direction.
    public var channelMix: ChannelMix
    /// The latest interaction's `occurredAt` per channel used.
    public var lastContact: [Channel: Date]
    /// The latest interaction on any channel.
    public var lastInteraction: Date?
    /// Every follow-up, open or completed, by due time.
    public var followUps: [FollowUp]

    /// Follow-ups not completed.
    public var openFollowUps: [FollowUp] { followUps.filter(\.isOpen) }
    /// Open follow-ups due before `asOf.time`.
    public var overdueFollowUps: [FollowUp] { followUps.filter { $0.isOverdue(at: asOf.time) } }

    /// The summary of a history; `nil` when the history is empty.
    public init?(history: CustomerHistory, forgotten: Bool = false) {
        guard !history.records.isEmpty else { return nil }
        var state = InteractionsState()
        let records = history.records  // decoded once (the getter is not free)
        for index in records.indices { state.add(records[index]) }
        self.init(state: state, customer: history.customer, asOf: history.asOf, forgotten: forgotten)
    }

    /// The summary built from the state of ``InteractionsProjection``; overdue is judged
    /// at `asOf.time`. Follow-up actions read as erased when the state saw a
    /// `customer.forgotten` or `forgotten` is set.
    public init(state: InteractionsState, customer: StreamID, asOf: AsOf = .now(), forgotten: Bool = false) {
        self.customer = customer
        self.asOf = asOf
        channelMix = state.channelMix
        lastContact = state.lastContact
        lastInteraction = state.lastInteraction
        let erased = forgotten || state.forgotten
        followUps = state.followUps.map { followUp in
            var followUp = followUp
            if erased { followUp.action = .erased }
            return followUp
        }
    }
}

/// The channel mix of every customer together.
public struct ChannelMixReport: Sendable, Hashable {
    /// The point of view.
    public var asOf: AsOf
    /// All interactions of all customers.
    public var mix: ChannelMix
    /// Customers with at least one interaction on each channel (every channel present).
    public var customersByChannel: [Channel: Int]
    /// Customers with at least one interaction.
    public var customersContacted: Int

    /// A report with its parts.
    public init(asOf: AsOf, mix: ChannelMix, customersByChannel: [Channel: Int], customersContacted: Int) {
        self.asOf = asOf
        self.mix = mix
        self.customersByChannel = customersByChannel
        self.customersContacted = customersContacted
    }
}

/// Open follow-ups of every customer.
public struct FollowUpReport: Sendable, Hashable {
    /// The point of view.
    public var asOf: AsOf
    /// Open follow-ups by due time, each with its customer after merges in ``owners``.
    public var open: [FollowUp]
    /// The customer each open follow-up belongs to after merges, in the order of ``open``.
    public var owners: [StreamID]
    /// How many open follow-ups are overdue at `asOf.time`.
    public var overdueCount: Int

    /// A report with its parts.
    public init(asOf: AsOf, open: [FollowUp], owners: [StreamID], overdueCount: Int) {
        self.asOf = asOf
        self.open = open
        self.owners = owners
        self.overdueCount = overdueCount
    }

    /// The open follow-ups due before `asOf.time`.
    public var overdue: [FollowUp] { open.filter { $0.isOverdue(at: asOf.time) } }
}

extension Ledger {
    /// A customer's channel mix, last contact per channel and follow-ups, as of a point of
    /// view; `nil` when the customer is unknown from it. Reads only its streams.
    public func interactions(of customer: StreamID, asOf: AsOf = .now()) throws(LedgerError) -> CustomerInteractions? {
        let history = try history(of: customer, asOf: asOf)
        return CustomerInteractions(history: history, forgotten: try wasForgotten(history))
    }

    /// The channel mix over all customers: one pass over `interaction.recorded` events,
    /// keeping the set of channels used per customer.
    public func channelMix(asOf: AsOf = .now()) throws(LedgerError) -> ChannelMixReport {
        var mix = ChannelMix()
        var channels: [StreamID: Set<Channel>] = [:]
        do {
            try forEachCustomerEvent(asOf: asOf, filter: .only([InteractionRecorded.eventType])) { owner, record in
                guard case .interactionRecorded(let interaction) = record.event else { return }
                mix.add(interaction)
                channels[owner, default: []].insert(interaction.channel)
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading interactions for the channel mix")
        }
        var customersByChannel = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, 0) })
        for used in channels.values {
            for channel in used { customersByChannel[channel, default: 0] += 1 }
        }
        return ChannelMixReport(asOf: asOf, mix: mix, customersByChannel: customersByChannel, customersContacted: channels.count)
    }

    /// Every open follow-up, by due time: one pass over interactions and completions,
    /// keeping only follow-ups not yet matched with their completion. Follow-ups of
    /// forgotten customers read with their action erased.
    public func openFollowUps(asOf: AsOf = .now()) throws(LedgerError) -> FollowUpReport {
        struct Key: Hashable { var owner: StreamID; var interactionId: String }
        var pending: [Key: FollowUp] = [:]
        var completed: Set<Key> = []
        var forgotten: Set<StreamID> = []
        let types = [InteractionRecorded.eventType, FollowUpCompleted.eventType, CustomerForgotten.eventType]
        do {
            try forEachCustomerEvent(asOf: .init(time: .distantFuture, knownAt: .everything), filter: .only([CustomerForgotten.eventType])) { owner, _ in
                forgotten.insert(owner)
            }
            try forEachCustomerEvent(asOf: asOf, filter: .only(types)) { owner, record in
                switch record.event {
                case .interactionRecorded(let interaction):
                    guard let next = interaction.nextAction else { return }
                    let key = Key(owner: owner, interactionId: interaction.interactionId)
                    guard !completed.contains(key) else { return }
                    if let existing = pending[key], (existing.openedAt, existing.position) > (record.occurredAt, record.position) { return }
                    pending[key] = FollowUp(
                        interactionId: interaction.interactionId, customer: record.customer, action: Personal(next.description, record.personalData),
                        channel: interaction.channel, openedAt: record.occurredAt, dueAt: next.dueAt, position: record.position
                    )
                case .followUpCompleted(let completion):
                    let key = Key(owner: owner, interactionId: completion.interactionId)
                    completed.insert(key)
                    pending[key] = nil
                default:
                    break
                }
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading follow-ups")
        }
        let open = pending.sorted { ($0.value.dueAt, $0.value.position) < ($1.value.dueAt, $1.value.position) }
        let followUps = open.map { entry in
            var followUp = entry.value
            if forgotten.contains(entry.key.owner) { followUp.action = .erased }
            return followUp
        }
        return FollowUpReport(
            asOf: asOf, open: followUps, owners: open.map(\.key.owner),
            overdueCount: followUps.count { $0.isOverdue(at: asOf.time) }
        )
    }
}
