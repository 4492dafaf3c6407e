public import Foundation
public import LedgerCore

/// A phone number or email address in a profile.
public struct ProfileContact: Sendable, Hashable {
    /// Phone or email.
    public var kind: ContactPoint.Kind
    /// The number or address (erased when the customer was forgotten).
    public var value: Personal<String>
    /// Whether it is the primary contact of its kind: the one last added as primary, or,
    /// when none is, the earliest added.
    public var isPrimary: Bool
    /// When it was last added.
    public var addedAt: Date
    /// The position of the event that last added it.
    public var position: LogPosition

    /// A contact as the profile shows it.
    public init(kind: ContactPoint.Kind, value: Personal<String>, isPrimary: Bool, addedAt: Date, position: LogPosition) {
        self.kind = kind
        self.value = value
        self.isPrimary = isPrimary
        self.addedAt = addedAt
        self.position = position
    }
}

/// Consent for one channel, as last changed.
public struct ProfileConsent: Sendable, Hashable {
    /// The channel the consent is for (`email`, `sms`, `phone`, …).
    public var channel: String
    /// Granted or withdrawn.
    public var status: ConsentChanged.Status
    /// The lawful basis recorded with the change.
    public var lawfulBasis: ConsentChanged.LawfulBasis
    /// Where the consent came from.
    public var source: String?
    /// When it changed.
    public var occurredAt: Date
    /// The position of the event that changed it.
    public var position: LogPosition

    /// Consent as the profile shows it.
    public init(channel: String, status: ConsentChanged.Status, lawfulBasis: ConsentChanged.LawfulBasis, source: String?, occurredAt: Date, position: LogPosition) {
        self.channel = channel
        self.status = status
        self.lawfulBasis = lawfulBasis
        self.source = source
        self.occurredAt = occurredAt
        self.position = position
    }
}

/// The most recent interaction of a customer.
public struct ProfileInteraction: Sendable, Hashable {
    /// The host's id of the interaction.
    public var interactionId: String
    /// The channel used.
    public var channel: Channel
    /// Inbound or outbound.
    public var direction: Direction
    /// When it happened.
    public var occurredAt: Date
    /// Its position in the log.
    public var position: LogPosition

    /// An interaction as the profile shows it.
    public init(interactionId: String, channel: Channel, direction: Direction, occurredAt: Date, position: LogPosition) {
        self.interactionId = interactionId
        self.channel = channel
        self.direction = direction
        self.occurredAt = occurredAt
        self.position = position
    }
}

/// A customer's record as of a point of view (domain.md §1): every trait with the event
/// that last set it, and the figures derived from commerce, interactions and complaints.
///
/// Rules (docs/domain-rules/profile.md): the newest `occurredAt` wins per field, ties
/// going to the higher position; a field given in an update changes, the others stay;
/// after `customer.forgotten` the personal fields (name, contact person, phones, emails,
/// address, city, country, date traits, free text) read as ``Personal/erased``.
public struct CustomerProfile: Sendable, Hashable {
    /// The customer (the survivor when a merged id was asked for).
    public var customer: StreamID
    /// The id asked for.
    public var requested: StreamID
    /// Customers merged into this one and folded in.
    public var mergedCustomers: [StreamID]
    /// The point of view.
    public var asOf: AsOf

    /// Person or company.
    public var kind: ProfileField<CustomerKind>?
    /// A person's name or a company's full name (personal).
    public var name: ProfileField<Personal<String>>?
    /// A company's industry.
    public var industry: ProfileField<String>?
    /// A company's main contact.
    public var contactPerson: ProfileField<Personal<ContactPerson>>?
    /// Phone numbers, in the order they were added.
    public var phones: [ProfileContact]
    /// Email addresses, in the order they were added.
    public var emails: [ProfileContact]
    /// Postal address (personal).
    public var address: ProfileField<Personal<String>>?
    /// City (personal).
    public var city: ProfileField<Personal<String>>?
    /// Country (personal).
    public var country: ProfileField<Personal<String>>?
    /// When the relationship started: the `firstContact` trait when given (newest wins),
    /// else the first event's `occurredAt`.
    public var firstContact: ProfileField<Date>
    /// The account manager.
    public var owner: ProfileField<String>?
    /// Tags, each with the event that last added it, by tag.
    public var tags: [String: ProfileField<String>]
    /// Consent per channel.
    public var consent: [String: ProfileConsent]
    /// A company's yearly contracted amount.
    public var contractValue: ProfileField<Money>?
    /// Date traits by name (`birthday`, `contractRenewal`, …).
    public var dates: [String: ProfileField<Personal<CalendarDate>>]

    /// Net spend (purchases minus refunds) per currency; it can be negative.
    public var lifetimeNetSpend: [Currency: Money]
    /// Purchases that count (cancelled orders do not).
    public var orderCount: Int
    /// Refunds that count.
    public var refundCount: Int
    /// Their total per currency.
    public var refundTotal: [Currency: Money]
    /// The first counted purchase.
    public var firstPurchase: Date?
    /// The latest counted purchase.
    public var lastPurchase: Date?
    /// The most recent `interaction.recorded`, any channel or direction.
    public var lastInteraction: ProfileInteraction?
    /// Follow-ups not completed.
    public var openFollowUps: Int
    /// Complaints not resolved.
    public var openComplaints: Int
    /// When the customer was forgotten, if it was (the personal fields read as erased).
    public var forgottenAt: Date?

    /// The sorted tag names.
    public var tagNames: [String] { tags.keys.sorted() }
    /// The primary phone, if any.
    public var primaryPhone: ProfileContact? { phones.first(where: \.isPrimary) }
    /// The primary email, if any.
    public var primaryEmail: ProfileContact? { emails.first(where: \.isPrimary) }

    /// The profile folded from a history; `nil` when the history is empty (the customer
    /// is unknown from that point of view).
    ///
    /// A history read by ``Ledger/history(of:asOf:)`` knows whether the customer was
    /// forgotten after its point of view, and the personal fields then read as erased, as
    /// from ``Ledger/profile(of:asOf:)``.
    ///
    /// - Parameters:
    ///   - history: the customer's events from one point of view.
    ///   - forgotten: whether to erase the personal fields even without a
    ///     `customer.forgotten` in the history (for a history built by hand).
    public init?(history: CustomerHistory, forgotten: Bool = false) {
        // The same state as folding every record, with the purchases the history folded once.
        self.init(
            state: history.profileState, customer: history.customer, requested: history.requested, mergedCustomers: history.mergedCustomers,
            asOf: history.asOf, forgotten: forgotten || history.readNotes.forgottenInStreams == true
        )
    }

    /// The profile built from the state of ``ProfileProjection``; `nil` when the state has
    /// seen no event.
    ///
    /// - Parameters:
    ///   - state: the projection's state for the customer.
    ///   - customer: the customer the state is for (the survivor, when merged customers
    ///     were folded in).
    ///   - requested: the id asked for (`customer` when `nil`).
    ///   - mergedCustomers: the customers merged into it and folded into the state.
    ///   - asOf: the point of view the state was folded from.
    ///   - forgotten: whether to erase the personal fields even without a
    ///     `customer.forgotten` in the state (forgotten after the point of view).
    public init?(
        state: ProfileState, customer: StreamID, requested: StreamID? = nil, mergedCustomers: [StreamID] = [],
        asOf: AsOf = .now(), forgotten: Bool = false
    ) {
        guard let first = state.firstEvent else { return nil }
        self.customer = customer
        self.requested = requested ?? customer
        self.mergedCustomers = mergedCustomers
        self.asOf = asOf
        let erased = forgotten || state.forgottenAt != nil
        func personal<Value>(_ field: ProfileField<Personal<Value>>?) -> ProfileField<Personal<Value>>? {
            erased ? field?.map { _ in .erased } : field
        }
        kind = state.kind
        name = personal(state.name)
        industry = state.industry
        contactPerson = personal(state.contactPerson)
        address = personal(state.address)
        city = personal(state.city)
        country = personal(state.country)
        firstContact = state.firstContactTrait ?? ProfileField(value: first.occurredAt, occurredAt: first.occurredAt, position: first.position)
        owner = state.owner
        tags = state.tags
        consent = state.consent
        contractValue = state.contractValue
        dates = erased ? state.dates.mapValues { $0.map { _ in .erased } } : state.dates
        var contacts = state.contacts
        if erased {
            for index in contacts.indices { contacts[index].value = .erased }
        }
        phones = contacts.filter { $0.kind == .phone }
        emails = contacts.filter { $0.kind == .email }

        let activity = state.purchases
        lifetimeNetSpend = activity.netSpend
        orderCount = activity.purchases.count
        refundCount = activity.refunds.count
        refundTotal = activity.refundTotal
        firstPurchase = activity.purchases.first?.occurredAt
        lastPurchase = activity.purchases.last?.occurredAt
        lastInteraction = state.lastInteraction
        openFollowUps = state.openFollowUps
        openComplaints = state.openComplaints
        forgottenAt = state.forgottenAt
    }
}

extension ProfileContact: Codable {}
extension ProfileConsent: Codable {}
extension ProfileInteraction: Codable {}

extension Ledger {
    /// A customer's profile as of a point of view; `nil` when the ledger did not know the
    /// customer from it (no event counts, for example as of before its first event). A
    /// merged id gives the survivor's profile. Reads only the customer's streams (and
    /// those merged into it).
    ///
    /// A customer forgotten at any time reads with its personal fields erased, even as of
    /// before it was forgotten: the data is gone, not just hidden.
    public func profile(of customer: StreamID, asOf: AsOf = .now()) throws(LedgerError) -> CustomerProfile? {
        let history = try history(of: customer, asOf: asOf)
        return CustomerProfile(history: history, forgotten: try wasForgotten(history))
    }

    /// Whether any stream of a history holds a `customer.forgotten`, whatever the point of
    /// view (only streams the history does not already show in full are read again).
    func wasForgotten(_ history: CustomerHistory) throws(LedgerError) -> Bool {
        if history.records.contains(where: { if case .forgotten = $0.event { true } else { false } }) { return true }
        // A history the ledger read saw every event of its streams, in the view or not.
        if let forgotten = history.readNotes.forgottenInStreams { return forgotten }
        if case .everything = history.asOf.knownAt, history.asOf.time >= Date() { return false }
        for stream in [history.customer] + history.mergedCustomers {
            if try customerEvents(of: stream).contains(where: { if case .forgotten = $0.event { true } else { false } }) { return true }
        }
        return false
    }
}
