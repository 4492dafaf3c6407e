public import Foundation
public import LedgerCore

/// Whether a customer is a person or a company.
public enum CustomerKind: String, Codable, Sendable, Hashable, CaseIterable {
    case person, company
}

/// A company's main contact.
public struct ContactPerson: Codable, Sendable, Hashable {
    public var name: String
    public var title: String?
    public init(name: String, title: String? = nil) {
        self.name = name
        self.title = title
    }
}

/// A way to reach a customer.
public struct ContactPoint: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable { case phone, email }
    public var kind: Kind
    public var value: String
    public var isPrimary: Bool

    public init(kind: Kind, value: String, isPrimary: Bool = false) {
        self.kind = kind
        self.value = value
        self.isPrimary = isPrimary
    }

    enum CodingKeys: String, CodingKey { case kind, value, isPrimary = "primary" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        value = try container.decode(String.self, forKey: .value)
        isPrimary = try container.decodeIfPresent(Bool.self, forKey: .isPrimary) ?? false
    }
}

/// The traits a registration or an update sets. Every field is optional in an update
/// (only the fields given change); a registration needs `kind` and `name`.
public struct CustomerTraits: Codable, Sendable, Hashable {
    public var kind: CustomerKind?
    public var name: String?
    public var industry: String?
    public var contactPerson: ContactPerson?
    public var address: String?
    public var city: String?
    public var country: String?
    /// When the relationship started, when not the first event's time.
    public var firstContact: Date?
    /// Yearly contracted amount (companies).
    public var contractValue: Money?
    /// Date traits for care reminders, such as `birthday` or `contractRenewal`, as
    /// `yyyy-MM-dd`. `birthday` and `anniversary` recur every year.
    public var dates: [String: String]?

    public init(
        kind: CustomerKind? = nil, name: String? = nil, industry: String? = nil,
        contactPerson: ContactPerson? = nil, address: String? = nil, city: String? = nil,
        country: String? = nil, firstContact: Date? = nil, contractValue: Money? = nil,
        dates: [String: String]? = nil
    ) {
        self.kind = kind
        self.name = name
        self.industry = industry
        self.contactPerson = contactPerson
        self.address = address
        self.city = city
        self.country = country
        self.firstContact = firstContact
        self.contractValue = contractValue
        self.dates = dates
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, industry, contactPerson, address, city, country, firstContact
        case contractValue, contractCurrency, dates
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decodeIfPresent(CustomerKind.self, forKey: .kind)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        industry = try container.decodeIfPresent(String.self, forKey: .industry)
        contactPerson = try container.decodeIfPresent(ContactPerson.self, forKey: .contactPerson)
        address = try container.decodeIfPresent(String.self, forKey: .address)
        city = try container.decodeIfPresent(String.self, forKey: .city)
        country = try container.decodeIfPresent(String.self, forKey: .country)
        firstContact = try container.decodeIfPresent(Date.self, forKey: .firstContact)
        contractValue = try container.decodeMoneyIfPresent(amount: .contractValue, currency: .contractCurrency)
        dates = try container.decodeIfPresent([String: String].self, forKey: .dates)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(kind, forKey: .kind)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(industry, forKey: .industry)
        try container.encodeIfPresent(contactPerson, forKey: .contactPerson)
        try container.encodeIfPresent(address, forKey: .address)
        try container.encodeIfPresent(city, forKey: .city)
        try container.encodeIfPresent(country, forKey: .country)
        try container.encodeIfPresent(firstContact, forKey: .firstContact)
        try container.encodeMoneyIfPresent(contractValue, amount: .contractValue, currency: .contractCurrency)
        try container.encodeIfPresent(dates, forKey: .dates)
    }

    /// Checks `firstContact` (years 1 to 9999, like every time the ledger stores) and the
    /// date traits (`yyyy-MM-dd` in digits, years 0001 to 9999), in key order.
    func validateDates(_ type: String) throws(LedgerError) {
        if let firstContact { try requireStorable(firstContact, type, "firstContact") }
        guard let dates else { return }
        for name in dates.keys.sorted() {
            let value = dates[name]!
            guard let date = CalendarDate(value), value.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                throw invalidField(type, "dates.\(name)", "is \(value.debugDescription), not a yyyy-MM-dd date")
            }
            guard date.year >= 1 else {
                throw invalidField(type, "dates.\(name)", "is \(value.debugDescription), outside the years 1–9999 the ledger stores")
            }
        }
    }
}

/// `customer.registered`: a customer is known to the ledger.
public struct CustomerRegistered: CustomerEventPayload {
    public static let eventType = "customer.registered"
    public var traits: CustomerTraits
    public var contacts: [ContactPoint]
    public var owner: String?
    public var tags: [String]

    public init(traits: CustomerTraits, contacts: [ContactPoint] = [], owner: String? = nil, tags: [String] = []) {
        self.traits = traits
        self.contacts = contacts
        self.owner = owner
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey { case contacts, owner, tags }

    public init(from decoder: any Decoder) throws {
        traits = try CustomerTraits(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        contacts = try container.decodeIfPresent([ContactPoint].self, forKey: .contacts) ?? []
        owner = try container.decodeIfPresent(String.self, forKey: .owner)
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        try traits.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !contacts.isEmpty { try container.encode(contacts, forKey: .contacts) }
        try container.encodeIfPresent(owner, forKey: .owner)
        if !tags.isEmpty { try container.encode(tags, forKey: .tags) }
    }

    public func validate() throws(LedgerError) {
        guard traits.kind != nil else { throw invalidField(Self.eventType, "kind", "is missing: give person or company") }
        guard let name = traits.name, !name.isEmpty else { throw invalidField(Self.eventType, "name", "is missing or empty") }
        try traits.validateDates(Self.eventType)
    }
}

/// `customer.updated`: some profile fields change; only the fields given.
public struct CustomerUpdated: CustomerEventPayload {
    public static let eventType = "customer.updated"
    public var traits: CustomerTraits

    public init(traits: CustomerTraits) { self.traits = traits }
    public init(from decoder: any Decoder) throws { traits = try CustomerTraits(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try traits.encode(to: encoder) }

    public func validate() throws(LedgerError) {
        if let name = traits.name, name.isEmpty { throw invalidField(Self.eventType, "name", "is empty") }
        try traits.validateDates(Self.eventType)
    }
}

/// `customer.contactAdded`: a phone number or email address.
public struct ContactAdded: CustomerEventPayload {
    public static let eventType = "customer.contactAdded"
    public var contact: ContactPoint

    public init(_ contact: ContactPoint) { self.contact = contact }
    public init(from decoder: any Decoder) throws { contact = try ContactPoint(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try contact.encode(to: encoder) }
    public func validate() throws(LedgerError) { try requireText(contact.value, Self.eventType, "value") }
}

/// `customer.contactRemoved`.
public struct ContactRemoved: CustomerEventPayload {
    public static let eventType = "customer.contactRemoved"
    public var kind: ContactPoint.Kind
    public var value: String

    public init(kind: ContactPoint.Kind, value: String) {
        self.kind = kind
        self.value = value
    }
}

/// `customer.ownerAssigned`: the account manager responsible.
public struct OwnerAssigned: CustomerEventPayload {
    public static let eventType = "customer.ownerAssigned"
    public var owner: String
    public init(owner: String) { self.owner = owner }
    public func validate() throws(LedgerError) { try requireText(owner, Self.eventType, "owner") }
}

/// `customer.tagged`.
public struct CustomerTagged: CustomerEventPayload {
    public static let eventType = "customer.tagged"
    public var tag: String
    public init(tag: String) { self.tag = tag }
    public func validate() throws(LedgerError) { try requireText(tag, Self.eventType, "tag") }
}

/// `customer.untagged`.
public struct CustomerUntagged: CustomerEventPayload {
    public static let eventType = "customer.untagged"
    public var tag: String
    public init(tag: String) { self.tag = tag }
    public func validate() throws(LedgerError) { try requireText(tag, Self.eventType, "tag") }
}

/// `consent.changed`: consent for one channel, with its lawful basis.
public struct ConsentChanged: CustomerEventPayload {
    public static let eventType = "consent.changed"
    public enum Status: String, Codable, Sendable, Hashable { case granted, withdrawn }
    public enum LawfulBasis: String, Codable, Sendable, Hashable, CaseIterable {
        case consent, contract, legalObligation, vitalInterests, publicTask, legitimateInterest
    }
    /// `email`, `sms`, `phone`, … (free text, lower case by convention).
    public var channel: String
    public var status: Status
    public var lawfulBasis: LawfulBasis
    /// Where the consent came from: a form, a call, a contract.
    public var source: String?

    public init(channel: String, status: Status, lawfulBasis: LawfulBasis, source: String? = nil) {
        self.channel = channel
        self.status = status
        self.lawfulBasis = lawfulBasis
        self.source = source
    }

    public func validate() throws(LedgerError) { try requireText(channel, Self.eventType, "channel") }
}

/// `customer.forgotten`: the customer asked to be erased; personal fields read as erased.
public struct CustomerForgotten: CustomerEventPayload {
    public static let eventType = "customer.forgotten"
    public var reason: String?
    public init(reason: String? = nil) { self.reason = reason }
}

/// A date without a time, `yyyy-MM-dd`.
public struct CalendarDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...CalendarDate.days(inMonth: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension CalendarDate: Codable {
    /// Decodes the `yyyy-MM-dd` text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not a date like 2024-05-01")
        }
        self = date
    }

    /// Encodes the `yyyy-MM-dd` text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
