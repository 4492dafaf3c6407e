public import LedgerCore

/// The family of an event, for filtering a timeline (domain.md §2).
public enum CustomerEventKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Registered, updated, contacts, owner, tags, consent, forgotten.
    case profile
    /// Customers merged or unmerged.
    case identity
    /// Interactions and completed follow-ups.
    case interaction
    /// Purchases, refunds, cancellations.
    case commerce
    /// Complaints opened and resolved.
    case service
    /// Survey answers.
    case feedback
    /// Host-registered and unknown types.
    case custom
}

extension CustomerEvent {
    /// The family this event belongs to.
    public var kind: CustomerEventKind {
        switch self {
        case .registered, .updated, .contactAdded, .contactRemoved, .ownerAssigned, .tagged, .untagged, .consentChanged, .forgotten: .profile
        case .merged, .unmerged: .identity
        case .interactionRecorded, .followUpCompleted: .interaction
        case .purchaseCompleted, .refundIssued, .orderCancelled: .commerce
        case .complaintOpened, .complaintResolved: .service
        case .surveyAnswered: .feedback
        case .other: .custom
        }
    }
}

/// Which events a timeline shows. `nil` lets everything through.
public struct TimelineFilter: Sendable, Hashable {
    /// Event families to show.
    public var kinds: Set<CustomerEventKind>?
    /// Channels to show. An interaction has its channel; a completed follow-up has its
    /// interaction's; a survey answer or a purchase has one when its free-text channel is
    /// a ``Channel`` name (`email`, `phone`, …). Events without a channel are left out
    /// when this is set.
    public var channels: Set<Channel>?

    /// A filter; `nil` lets every kind or channel through.
    public init(kinds: Set<CustomerEventKind>? = nil, channels: Set<Channel>? = nil) {
        self.kinds = kinds
        self.channels = channels
    }

    /// Every event.
    public static let all = TimelineFilter()
}

/// One customer's events, newest first (domain.md §6).
public struct CustomerTimeline: Sendable, Hashable {
    /// The customer (the survivor when a merged id was asked for).
    public var customer: StreamID
    /// The point of view.
    public var asOf: AsOf
    /// The filter applied.
    public var filter: TimelineFilter
    /// The events shown: by `occurredAt` descending, ties by position descending.
    public var entries: [CustomerEventRecord]
    /// Whether the customer was forgotten: the entries' personal fields and free text are
    /// then removed (optional ones absent, required ones empty). Custom events are shown
    /// as recorded.
    public var personalDataErased: Bool

    /// The timeline of a history (newest first, filtered); `nil` when the history is
    /// empty.
    public init?(history: CustomerHistory, filter: TimelineFilter = .all, forgotten: Bool = false) {
        guard !history.records.isEmpty else { return nil }
        customer = history.customer
        asOf = history.asOf
        self.filter = filter
        let erased = forgotten || history.records.contains { if case .forgotten = $0.event { true } else { false } }
        personalDataErased = erased
        var interactionChannels: [String: Channel] = [:]
        for record in history.records {
            if case .interactionRecorded(let interaction) = record.event { interactionChannels[interaction.interactionId] = interaction.channel }
        }
        func channel(of record: CustomerEventRecord) -> Channel? {
            switch record.event {
            case .interactionRecorded(let interaction): interaction.channel
            case .followUpCompleted(let completion): interactionChannels[completion.interactionId]
            case .surveyAnswered(let answer): answer.channel.flatMap(Channel.init(rawValue:))
            case .purchaseCompleted(let purchase): purchase.channel.flatMap(Channel.init(rawValue:))
            default: nil
            }
        }
        entries = history.records.reversed().filter { record in
            if let kinds = filter.kinds, !kinds.contains(record.event.kind) { return false }
            if let channels = filter.channels {
                guard let channel = channel(of: record), channels.contains(channel) else { return false }
            }
            return true
        }.map { record in
            guard erased else { return record }
            var copy = record
            copy.event = record.event.erasingPersonalData()
            return copy
        }
    }
}

extension CustomerEvent {
    /// The event with its personal fields and free text removed, for a forgotten customer.
    func erasingPersonalData() -> CustomerEvent {
        func erase(_ traits: CustomerTraits) -> CustomerTraits {
            var traits = traits
            traits.name = nil
            traits.contactPerson = nil
            traits.address = nil
            traits.city = nil
            traits.country = nil
            traits.dates = nil
            return traits
        }
        switch self {
        case .registered(var event):
            event.traits = erase(event.traits)
            event.contacts = event.contacts.map { ContactPoint(kind: $0.kind, value: "", isPrimary: $0.isPrimary) }
            return .registered(event)
        case .updated(var event):
            event.traits = erase(event.traits)
            return .updated(event)
        case .contactAdded(var event):
            event.contact.value = ""
            return .contactAdded(event)
        case .contactRemoved(var event):
            event.value = ""
            return .contactRemoved(event)
        case .interactionRecorded(var event):
            event.subject = nil
            event.notes = nil
            event.outcome = nil
            if var next = event.nextAction {
                next.description = ""
                event.nextAction = next
            }
            return .interactionRecorded(event)
        case .followUpCompleted(var event):
            event.outcome = nil
            event.notes = nil
            return .followUpCompleted(event)
        case .complaintOpened(var event):
            event.description = nil
            return .complaintOpened(event)
        case .complaintResolved(var event):
            event.resolution = ""
            return .complaintResolved(event)
        case .surveyAnswered(var event):
            event.comment = nil
            return .surveyAnswered(event)
        case .refundIssued(var event):
            event.reason = nil
            return .refundIssued(event)
        case .orderCancelled(var event):
            event.reason = nil
            return .orderCancelled(event)
        default:
            return self
        }
    }
}

extension Ledger {
    /// A customer's events newest first, filtered by family and channel, as of a point of
    /// view; `nil` when the customer is unknown from it. Reads only the customer's streams.
    public func timeline(of customer: StreamID, asOf: AsOf = .now(), filter: TimelineFilter = .all) throws(LedgerError) -> CustomerTimeline? {
        let history = try history(of: customer, asOf: asOf)
        return CustomerTimeline(history: history, filter: filter, forgotten: try wasForgotten(history))
    }
}
