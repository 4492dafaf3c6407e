public import Foundation
public import LedgerCore

/// The fold behind ``CustomerProfile``, as a ``Projection`` like any host's: run it on
/// demand, keep it persistent, or snapshot it, and build the profile from its state with
/// ``CustomerProfile/init(state:customer:requested:mergedCustomers:asOf:forgotten:)``.
///
/// ```swift
/// let state = try ledger.project(ProfileProjection(), for: "C20240501001")
/// let owner = state.owner?.value
/// ```
public struct ProfileProjection: Projection {
    public let name = "ledger.profile"
    public let version: UInt32 = 1

    public init() {}

    public func initialState() -> ProfileState { ProfileState() }

    public func apply(_ event: ProjectedEvent, to state: inout ProfileState) {
        state.add(event.record)
    }
}

/// Everything a customer's profile is built from, folded one event at a time in any
/// order: the same events give the same state whether they come in log order (a
/// persistent or population run) or in the order they happened (a history).
///
/// Each trait keeps the value of the newest event that set it; tags, consent and contacts
/// keep the newest change per tag, channel and address; follow-ups, complaints and
/// purchases are kept as sets. The personal values keep what their event's record could
/// open (a value, or locked or erased); ``CustomerProfile`` erases them all for a
/// forgotten customer.
public struct ProfileState: Sendable, Hashable, Codable {
    /// The earliest event: the customer is known from then.
    public private(set) var firstEvent: ProfileField<EventID>?
    /// Person or company.
    public private(set) var kind: ProfileField<CustomerKind>?
    /// A person's name or a company's full name.
    public private(set) var name: ProfileField<Personal<String>>?
    /// A company's industry.
    public private(set) var industry: ProfileField<String>?
    /// A company's main contact.
    public private(set) var contactPerson: ProfileField<Personal<ContactPerson>>?
    /// Postal address.
    public private(set) var address: ProfileField<Personal<String>>?
    /// City.
    public private(set) var city: ProfileField<Personal<String>>?
    /// Country.
    public private(set) var country: ProfileField<Personal<String>>?
    /// The `firstContact` trait, when an event gave it.
    public private(set) var firstContactTrait: ProfileField<Date>?
    /// A company's yearly contracted amount.
    public private(set) var contractValue: ProfileField<Money>?
    /// The account manager.
    public private(set) var owner: ProfileField<String>?
    /// Date traits by name.
    public private(set) var dates: [String: ProfileField<Personal<CalendarDate>>] = [:]
    /// Consent per channel, as last changed.
    public private(set) var consent: [String: ProfileConsent] = [:]
    /// The most recent interaction.
    public private(set) var lastInteraction: ProfileInteraction?
    /// When the customer was first forgotten, if it was.
    public private(set) var forgottenAt: Date?
    /// The purchases and refunds that count.
    public private(set) var purchases = PurchaseActivity(purchases: [])

    /// The newest tag or untag per tag.
    private var tagChanges: [String: TagChange] = [:]
    /// The newest add and remove per readable contact, and every contact whose value the
    /// record could not open (such a contact cannot be matched, so each is listed as added).
    private var contactChanges: [ContactChange] = []
    /// The newest add as primary per kind, whichever contact it was: it takes the primary
    /// mark from every contact added before it.
    private var newestPrimary: [ContactPoint.Kind: EventStamp] = [:]
    /// Interaction ids with a next action, and those completed (with repeats: a customer
    /// has a few, and comparing a few ids is cheaper than hashing them into sets).
    private var followUps: [String] = []
    private var completedFollowUps: [String] = []
    /// Complaint ids opened, and those resolved.
    private var complaints: [String] = []
    private var resolvedComplaints: [String] = []

    /// The state before any event.
    public init() {}

    /// The state of a history's records, with the purchases the history already folded.
    init(records: [CustomerEventRecord], purchases: PurchaseActivity) {
        // Through a buffer: an array's subscript would copy each record (a retain per field).
        records.withUnsafeBufferPointer { buffer in
            for index in buffer.indices { add(buffer[index], purchases: false) }
        }
        self.purchases = purchases
    }

    /// Takes in one event of the customer (or of a customer merged into it), in any order.
    public mutating func add(_ record: borrowing CustomerEventRecord) {
        add(record, purchases: true)
    }

    /// Inlined into the loop over a history's records: a call copied each record (a retain
    /// per field) to switch over its event.
    @inline(__always)
    private mutating func add(_ record: borrowing CustomerEventRecord, purchases foldPurchases: Bool) {
        let stamp = EventStamp(occurredAt: record.occurredAt, position: record.position)
        let status = record.personalData
        noteFirst(record.id, stamp)
        switch record.event {
        case .registered(let registration):
            apply(registration.traits, stamp, status)
            for (index, contact) in registration.contacts.enumerated() {
                add(contact, EventStamp(occurredAt: stamp.occurredAt, position: stamp.position, item: index), status)
            }
            if let value = registration.owner { Self.set(&owner, value, stamp) }
            for tag in registration.tags { change(tag, present: true, stamp) }
        case .updated(let update):
            apply(update.traits, stamp, status)
        case .contactAdded(let added):
            add(added.contact, stamp, status)
        case .contactRemoved(let removed):
            guard status == .readable else { return }
            let index = contactIndex(removed.kind, removed.value)
            if contactChanges[index].removed.map({ $0 < stamp }) ?? true { contactChanges[index].removed = stamp }
        case .ownerAssigned(let assignment):
            Self.set(&owner, assignment.owner, stamp)
        case .tagged(let tagged):
            change(tagged.tag, present: true, stamp)
        case .untagged(let untagged):
            change(untagged.tag, present: false, stamp)
        case .consentChanged(let change):
            if consent[change.channel].map({ EventStamp(occurredAt: $0.occurredAt, position: $0.position) < stamp }) ?? true {
                consent[change.channel] = ProfileConsent(
                    channel: change.channel, status: change.status, lawfulBasis: change.lawfulBasis,
                    source: change.source, occurredAt: stamp.occurredAt, position: stamp.position
                )
            }
        case .forgotten:
            forgottenAt = min(forgottenAt ?? stamp.occurredAt, stamp.occurredAt)
        case .interactionRecorded(let interaction):
            noteInteraction(interaction.interactionId, interaction.channel, interaction.direction, opensFollowUp: interaction.nextAction != nil, stamp)
        case .followUpCompleted(let completion):
            completedFollowUps.append(completion.interactionId)
        case .complaintOpened(let complaint):
            complaints.append(complaint.complaintId)
        case .complaintResolved(let resolution):
            resolvedComplaints.append(resolution.complaintId)
        case .purchaseCompleted, .refundIssued, .orderCancelled:
            if foldPurchases { purchases.add(record) }
        default:
            break
        }
    }

    /// The same state from the facts a history read took (``HistoryContents``): the events
    /// the profile reads in full come as records, the others as their facts.
    /// `events` are in history order (by `occurredAt`, then position), as a history keeps
    /// them: the first is the earliest, and the last interaction the newest.
    init(events: [HistoryEvent], sources: [HistorySource], counts: FactCounts, purchases: PurchaseActivity) {
        // The id lists in one allocation each.
        followUps.reserveCapacity(counts.followUpsOpened)
        completedFollowUps.reserveCapacity(counts.followUpsCompleted)
        events.withUnsafeBufferPointer { buffer in
            guard let first = buffer.baseAddress else { return }
            noteFirst(first.pointee.id, EventStamp(occurredAt: first.pointee.occurredAt, position: first.pointee.position))
            var newestInteraction: Int?
            for index in buffer.indices {
                // Through a pointer: the element itself would be copied (a retain per text).
                let event = first + index
                switch event.pointee.fact {
                case .interaction(let id, _, _, let opensFollowUp):
                    newestInteraction = index  // built once, after the loop
                    if opensFollowUp { followUps.append(id) }
                case .followUpCompleted(let interactionId):
                    completedFollowUps.append(interactionId)
                case .complaintOpened(let complaintId):
                    complaints.append(complaintId)
                case .complaintResolved(let complaintId):
                    resolvedComplaints.append(complaintId)
                case .decoded(let record):
                    sources[event.pointee.source].eager.withUnsafeBufferPointer { records in
                        add(records[record], purchases: false)
                    }
                case .purchase, .refund, .cancellation, .unused:
                    break
                }
            }
            if let index = newestInteraction, case let .interaction(id, channel, direction, _) = first[index].fact {
                let stamp = EventStamp(occurredAt: first[index].occurredAt, position: first[index].position)
                noteInteraction(id, channel, direction, opensFollowUp: false, stamp)
            }
        }
        self.purchases = purchases
    }

    @inline(__always)
    private mutating func noteFirst(_ id: EventID, _ stamp: EventStamp) {
        if firstEvent.map({ stamp < EventStamp(occurredAt: $0.occurredAt, position: $0.position) }) ?? true {
            firstEvent = ProfileField(value: id, occurredAt: stamp.occurredAt, position: stamp.position)
        }
    }

    @inline(__always)
    private mutating func noteInteraction(_ id: String, _ channel: Channel, _ direction: Direction, opensFollowUp: Bool, _ stamp: EventStamp) {
        if lastInteraction.map({ EventStamp(occurredAt: $0.occurredAt, position: $0.position) < stamp }) ?? true {
            lastInteraction = ProfileInteraction(
                interactionId: id, channel: channel, direction: direction, occurredAt: stamp.occurredAt, position: stamp.position
            )
        }
        if opensFollowUp { followUps.append(id) }
    }

    /// The tags present, each with the event that last added it.
    public var tags: [String: ProfileField<String>] {
        var tags: [String: ProfileField<String>] = [:]
        for (tag, change) in tagChanges where change.present {
            tags[tag] = ProfileField(value: tag, occurredAt: change.stamp.occurredAt, position: change.stamp.position)
        }
        return tags
    }

    /// The contacts present, in the order they were (last) added; per kind the primary is
    /// the one last added as primary when no other was added as primary after it, else
    /// the earliest added.
    public var contacts: [ProfileContact] {
        guard !contactChanges.isEmpty else { return [] }
        var present = contactChanges.filter { change in
            change.added.map { added in change.removed.map { $0 < added.stamp } ?? true } ?? false
        }
        present.sort { $0.added!.stamp < $1.added!.stamp }
        var contacts = present.map { change in
            let added = change.added!
            return ProfileContact(
                kind: change.kind, value: change.value, isPrimary: added.isPrimary && newestPrimary[change.kind] == added.stamp,
                addedAt: added.stamp.occurredAt, position: added.stamp.position
            )
        }
        for kind in ContactPoint.Kind.allCases where !contacts.contains(where: { $0.kind == kind && $0.isPrimary }) {
            if let index = contacts.firstIndex(where: { $0.kind == kind }) { contacts[index].isPrimary = true }
        }
        return contacts
    }

    /// Follow-ups opened by an interaction and not completed.
    public var openFollowUps: Int { Self.openCount(followUps, closed: completedFollowUps) }
    /// Complaints opened and not resolved.
    public var openComplaints: Int { Self.openCount(complaints, closed: resolvedComplaints) }

    private mutating func apply(_ traits: CustomerTraits, _ stamp: EventStamp, _ status: PersonalDataStatus) {
        if let value = traits.kind { Self.set(&kind, value, stamp) }
        if let value = traits.name { Self.set(&name, Personal(value, status), stamp) }
        if let value = traits.industry { Self.set(&industry, value, stamp) }
        if let value = traits.contactPerson { Self.set(&contactPerson, Personal(value, status), stamp) }
        if let value = traits.address { Self.set(&address, Personal(value, status), stamp) }
        if let value = traits.city { Self.set(&city, Personal(value, status), stamp) }
        if let value = traits.country { Self.set(&country, Personal(value, status), stamp) }
        if let value = traits.firstContact { Self.set(&firstContactTrait, value, stamp) }
        if let value = traits.contractValue { Self.set(&contractValue, value, stamp) }
        for (dateName, text) in traits.dates ?? [:] {
            let value: Personal<CalendarDate>
            if status != .readable {
                value = status == .erased ? .erased : .locked
            } else if let date = CalendarDate(text) {
                value = .value(date)
            } else {
                continue
            }
            Self.set(&dates[dateName], value, stamp)
        }
    }

    private mutating func add(_ contact: ContactPoint, _ stamp: EventStamp, _ status: PersonalDataStatus) {
        if contact.isPrimary, newestPrimary[contact.kind].map({ $0 < stamp }) ?? true { newestPrimary[contact.kind] = stamp }
        let added = ContactChange.Added(stamp: stamp, isPrimary: contact.isPrimary)
        guard status == .readable else {
            contactChanges.append(ContactChange(kind: contact.kind, value: Personal(contact.value, status), added: added))
            return
        }
        let index = contactIndex(contact.kind, contact.value)
        if contactChanges[index].added.map({ $0.stamp < stamp }) ?? true { contactChanges[index].added = added }
    }

    /// The index of the readable contact `value` of `kind`, added when new.
    private mutating func contactIndex(_ kind: ContactPoint.Kind, _ value: String) -> Int {
        if let index = contactChanges.firstIndex(where: { $0.kind == kind && $0.value == .value(value) }) { return index }
        contactChanges.append(ContactChange(kind: kind, value: .value(value)))
        return contactChanges.count - 1
    }

    private mutating func change(_ tag: String, present: Bool, _ stamp: EventStamp) {
        if tagChanges[tag].map({ $0.stamp < stamp }) ?? true { tagChanges[tag] = TagChange(present: present, stamp: stamp) }
    }

    /// Sets `field` to `value` unless an event newer than `stamp` set it.
    private static func set<Value>(_ field: inout ProfileField<Value>?, _ value: Value, _ stamp: EventStamp) {
        if let current = field, stamp < EventStamp(occurredAt: current.occurredAt, position: current.position) { return }
        field = ProfileField(value: value, occurredAt: stamp.occurredAt, position: stamp.position)
    }

    /// How many distinct ids of `opened` are not among `closed`.
    static func openCount(_ opened: [String], closed: [String]) -> Int {
        if opened.count <= 32, closed.count <= 32 {
            var count = 0
            for index in opened.indices where !closed.contains(opened[index]) && !opened[..<index].contains(opened[index]) {
                count += 1
            }
            return count
        }
        let closedSet = Set(closed)
        return Set(opened).count { !closedSet.contains($0) }
    }
}

/// The newest tag or untag of one tag.
private struct TagChange: Sendable, Hashable, Codable {
    var present: Bool
    var stamp: EventStamp
}

/// The newest add and remove of one contact.
private struct ContactChange: Sendable, Hashable, Codable {
    struct Added: Sendable, Hashable, Codable {
        var stamp: EventStamp
        var isPrimary: Bool
    }

    var kind: ContactPoint.Kind
    var value: Personal<String>
    var added: Added?
    var removed: EventStamp?
}
