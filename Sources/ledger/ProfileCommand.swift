import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger profile ID`: one customer's record, each field with when it last changed.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Show a customer's profile: traits, contacts, owner, tags, consent, date traits and derived figures.",
        discussion: "Each trait shows when it last changed. A merged id shows its survivor's profile; a forgotten customer's personal fields read as (erased), and without the master key of a ledger that encrypts them as (locked)."
    )

    @OptionGroup var view: ViewOptions

    @Argument(help: ArgumentHelp("The customer.", valueName: "id"))
    var customer: String

    mutating func run() async throws {
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let asOf = try view.asOf()
        let id = try view.customer(customer, in: ledger)
        guard let profile = try ledger.profile(of: id, asOf: asOf) else { throw view.unknownAsOf(id, asOf) }
        let output = OutputWriter.standardOutput()
        if view.json {
            try output.document(Self.json(profile))
        } else {
            try Self.printProfile(profile, to: output)
        }
        try output.finish()
    }

    static func text<Value>(_ personal: Personal<Value>?, _ show: (Value) -> String) -> String {
        switch personal {
        case nil: "-"
        case .erased?: "(erased)"
        case .locked?: "(locked)"
        case .value(let value)?: show(value)
        }
    }

    static func since(_ date: Date) -> String { "  (since \(Show.day(date)))" }

    static func printProfile(_ profile: CustomerProfile, to output: OutputWriter) throws(CommandFailure) {
        var facts: [(String, String)] = [("customer", profile.customer.rawValue)]
        if profile.requested != profile.customer { facts.append(("requested", "\(profile.requested) (merged into \(profile.customer))")) }
        if !profile.mergedCustomers.isEmpty { facts.append(("merged customers", profile.mergedCustomers.map(\.rawValue).joined(separator: ", "))) }
        facts.append(("as of", Show.date(profile.asOf.time)))
        func field<Value>(_ name: String, _ field: ProfileField<Value>?, _ show: (Value) -> String) {
            guard let field else { return }
            facts.append((name, show(field.value) + since(field.occurredAt)))
        }
        field("kind", profile.kind) { $0.rawValue }
        field("name", profile.name) { text($0) { $0 } }
        field("industry", profile.industry) { $0 }
        field("contact person", profile.contactPerson) { text($0) { $0.name + ($0.title.map { ", \($0)" } ?? "") } }
        for email in profile.emails { facts.append(("email", text(email.value) { $0 } + (email.isPrimary ? " (primary)" : ""))) }
        for phone in profile.phones { facts.append(("phone", text(phone.value) { $0 } + (phone.isPrimary ? " (primary)" : ""))) }
        field("address", profile.address) { text($0) { $0 } }
        field("city", profile.city) { text($0) { $0 } }
        field("country", profile.country) { text($0) { $0 } }
        facts.append(("first contact", Show.date(profile.firstContact.value)))
        field("owner", profile.owner) { $0 }
        facts.append(("tags", profile.tagNames.isEmpty ? "-" : profile.tagNames.joined(separator: ", ")))
        for (channel, consent) in profile.consent.sorted(by: { $0.key < $1.key }) {
            facts.append(("consent \(channel)", "\(consent.status.rawValue) (\(consent.lawfulBasis.rawValue)\(consent.source.map { ", \($0)" } ?? ""))" + since(consent.occurredAt)))
        }
        field("contract value", profile.contractValue) { $0.description }
        for (name, date) in profile.dates.sorted(by: { $0.key < $1.key }) {
            facts.append((name, text(date.value) { $0.description }))
        }
        facts.append(("lifetime net spend", profile.lifetimeNetSpend.isEmpty ? "-" : profile.lifetimeNetSpend.values.sorted().map(\.description).joined(separator: ", ")))
        facts.append(("orders", String(profile.orderCount)))
        facts.append(("refunds", String(profile.refundCount) + (profile.refundTotal.isEmpty ? "" : " (" + profile.refundTotal.values.sorted().map(\.description).joined(separator: ", ") + ")")))
        facts.append(("first purchase", Show.date(profile.firstPurchase)))
        facts.append(("last purchase", Show.date(profile.lastPurchase)))
        facts.append(("last interaction", profile.lastInteraction.map { "\(Show.date($0.occurredAt)) \($0.channel.rawValue) \($0.direction.rawValue)" } ?? "-"))
        facts.append(("open follow-ups", String(profile.openFollowUps)))
        facts.append(("open complaints", String(profile.openComplaints)))
        if let forgotten = profile.forgottenAt { facts.append(("forgotten", Show.date(forgotten))) }
        try TextTable.printFacts(facts, to: output)
    }

    static func json(_ profile: CustomerProfile) -> JSONValue {
        func personal<Value>(_ value: Personal<Value>?, _ encode: (Value) -> JSONValue) -> JSONValue {
            switch value {
            case nil: .null
            case .erased?: .object([("erased", .bool(true))])
            case .locked?: .object([("locked", .bool(true))])
            case .value(let value)?: encode(value)
            }
        }
        func field<Value>(_ field: ProfileField<Value>?, _ encode: (Value) -> JSONValue) -> JSONValue {
            guard let field else { return .null }
            return .object([("value", encode(field.value)), ("since", .date(field.occurredAt)), ("position", .integer(field.position.rawValue))])
        }
        func contacts(_ list: [ProfileContact]) -> JSONValue {
            .array(list.map { contact in
                .object([("value", personal(contact.value) { .string($0) }), ("primary", .bool(contact.isPrimary)), ("addedAt", .date(contact.addedAt))])
            })
        }
        func amounts(_ money: [Currency: Money]) -> JSONValue {
            .array(money.values.sorted().map { JSONValue.money($0) })
        }
        return .object([
            ("customer", .string(profile.customer.rawValue)),
            ("requested", .string(profile.requested.rawValue)),
            ("mergedCustomers", .array(profile.mergedCustomers.map { .string($0.rawValue) })),
            ("asOf", .asOf(profile.asOf)),
            ("kind", field(profile.kind) { .string($0.rawValue) }),
            ("name", field(profile.name) { personal($0) { .string($0) } }),
            ("industry", field(profile.industry) { .string($0) }),
            ("contactPerson", field(profile.contactPerson) { personal($0) { .object([("name", .string($0.name)), ("title", .optional($0.title))]) } }),
            ("emails", contacts(profile.emails)),
            ("phones", contacts(profile.phones)),
            ("address", field(profile.address) { personal($0) { .string($0) } }),
            ("city", field(profile.city) { personal($0) { .string($0) } }),
            ("country", field(profile.country) { personal($0) { .string($0) } }),
            ("firstContact", .date(profile.firstContact.value)),
            ("owner", field(profile.owner) { .string($0) }),
            ("tags", .array(profile.tagNames.map { .string($0) })),
            ("consent", .object(profile.consent.sorted { $0.key < $1.key }.map { channel, consent in
                (channel, .object([
                    ("status", .string(consent.status.rawValue)), ("lawfulBasis", .string(consent.lawfulBasis.rawValue)),
                    ("source", .optional(consent.source)), ("since", .date(consent.occurredAt)),
                ]))
            })),
            ("contractValue", field(profile.contractValue) { .money($0) }),
            ("dates", .object(profile.dates.sorted { $0.key < $1.key }.map { name, date in (name, personal(date.value) { .string($0.description) }) })),
            ("lifetimeNetSpend", amounts(profile.lifetimeNetSpend)),
            ("orderCount", .integer(profile.orderCount)),
            ("refundCount", .integer(profile.refundCount)),
            ("refundTotal", amounts(profile.refundTotal)),
            ("firstPurchase", .date(profile.firstPurchase)),
            ("lastPurchase", .date(profile.lastPurchase)),
            ("lastInteraction", profile.lastInteraction.map { interaction in
                .object([
                    ("interactionId", .string(interaction.interactionId)), ("channel", .string(interaction.channel.rawValue)),
                    ("direction", .string(interaction.direction.rawValue)), ("occurredAt", .date(interaction.occurredAt)),
                ])
            } ?? .null),
            ("openFollowUps", .integer(profile.openFollowUps)),
            ("openComplaints", .integer(profile.openComplaints)),
            ("forgottenAt", .date(profile.forgottenAt)),
        ])
    }
}
