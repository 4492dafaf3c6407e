import Foundation
import LedgerCore

// Binary layouts of the profile events (docs/format.md, "Built-in event payloads").

extension CustomerKind: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .person: 0
        case .company: 1
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .person
        case 1: self = .company
        default: return nil
        }
    }
}

extension ContactPoint.Kind: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .phone: 0
        case .email: 1
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .phone
        case 1: self = .email
        default: return nil
        }
    }
}

extension ConsentChanged.Status: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .granted: 0
        case .withdrawn: 1
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .granted
        case 1: self = .withdrawn
        default: return nil
        }
    }
}

extension ConsentChanged.LawfulBasis: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .consent: 0
        case .contract: 1
        case .legalObligation: 2
        case .vitalInterests: 3
        case .publicTask: 4
        case .legitimateInterest: 5
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .consent
        case 1: self = .contract
        case 2: self = .legalObligation
        case 3: self = .vitalInterests
        case 4: self = .publicTask
        case 5: self = .legitimateInterest
        default: return nil
        }
    }
}

extension ContactPerson {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(title != nil)
        writer.personal(name)
        if let title { writer.personal(title) }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 1)
        self.init(name: try reader.personal("contactPerson.name"), title: present[0] ? try reader.personal("contactPerson.title") : nil)
    }
}

extension ContactPoint {
    func encode(to writer: inout BinaryWriter) {
        writer.code(kind)
        writer.personal(value)
        writer.bool(isPrimary)
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(
            kind: try reader.code("contact.kind"),
            value: try reader.personal("contact.value"),
            isPrimary: try reader.bool("contact.primary")
        )
    }
}

extension CustomerTraits {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(
            kind != nil, name != nil, industry != nil, contactPerson != nil, address != nil,
            city != nil, country != nil, firstContact != nil, contractValue != nil, dates != nil
        )
        if let kind { writer.code(kind) }
        if let name { writer.personal(name) }
        if let industry { writer.string(industry) }
        if let contactPerson { contactPerson.encode(to: &writer) }
        if let address { writer.personal(address) }
        if let city { writer.personal(city) }
        if let country { writer.personal(country) }
        if let firstContact { writer.date(firstContact) }
        if let contractValue { writer.money(contractValue) }
        if let dates { writer.dictionary(dates) { $0.personal($1) } }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 10)
        self.init()
        if present[0] { kind = try reader.code("kind") }
        if present[1] { name = try reader.personal("name") }
        if present[2] { industry = try reader.string("industry") }
        if present[3] { contactPerson = try ContactPerson(binary: &reader) }
        if present[4] { address = try reader.personal("address") }
        if present[5] { city = try reader.personal("city") }
        if present[6] { country = try reader.personal("country") }
        if present[7] { firstContact = try reader.date("firstContact") }
        if present[8] { contractValue = try reader.money("contractValue") }
        if present[9] { dates = try reader.dictionary("dates", minimumSize: 1) { reader throws(LedgerError) in try reader.personal("dates") } }
    }
}

extension CustomerRegistered: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(owner != nil)
        traits.encode(to: &writer)
        writer.count(contacts.count)
        for contact in contacts { contact.encode(to: &writer) }
        if let owner { writer.string(owner) }
        writer.strings(tags)
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 1)
        let traits = try CustomerTraits(binary: &reader)
        let contactCount = try reader.count("contacts", minimumSize: 2)
        var contacts: [ContactPoint] = []
        contacts.reserveCapacity(contactCount)
        for _ in 0..<contactCount { contacts.append(try ContactPoint(binary: &reader)) }
        let owner = present[0] ? try reader.string("owner") : nil
        self.init(traits: traits, contacts: contacts, owner: owner, tags: try reader.strings("tags"))
    }
}

extension CustomerUpdated: BinaryPayload {
    func encode(to writer: inout BinaryWriter) { traits.encode(to: &writer) }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(traits: try CustomerTraits(binary: &reader))
    }
}

extension ContactAdded: BinaryPayload {
    func encode(to writer: inout BinaryWriter) { contact.encode(to: &writer) }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(try ContactPoint(binary: &reader))
    }
}

extension ContactRemoved: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.code(kind)
        writer.personal(value)
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(kind: try reader.code("kind"), value: try reader.personal("value"))
    }
}

extension OwnerAssigned: BinaryPayload {
    func encode(to writer: inout BinaryWriter) { writer.string(owner) }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(owner: try reader.string("owner"))
    }
}

extension CustomerTagged: BinaryPayload {
    func encode(to writer: inout BinaryWriter) { writer.string(tag) }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(tag: try reader.string("tag"))
    }
}

extension CustomerUntagged: BinaryPayload {
    func encode(to writer: inout BinaryWriter) { writer.string(tag) }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(tag: try reader.string("tag"))
    }
}

extension ConsentChanged: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(source != nil)
        writer.string(channel)
        writer.code(status)
        writer.code(lawfulBasis)
        if let source { writer.string(source) }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 1)
        self.init(
            channel: try reader.string("channel"),
            status: try reader.code("status"),
            lawfulBasis: try reader.code("lawfulBasis"),
            source: present[0] ? try reader.string("source") : nil
        )
    }
}

extension CustomerForgotten: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(reason != nil)
        if let reason { writer.string(reason) }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 1)
        self.init(reason: present[0] ? try reader.string("reason") : nil)
    }
}
