import CustomerLedger
import Foundation
import Testing

/// A host's own event type.
struct LoyaltyPointsEarned: CustomerEventPayload {
    static let eventType = "acme.loyalty.pointsEarned"
    static let schemaVersion: UInt16 = 2
    var points: Int
    var reason: String?

    func validate() throws(LedgerError) {
        guard points > 0 else { throw LedgerError(.invalidEvent, "acme.loyalty.pointsEarned: points must be positive.") }
    }
}

/// Another host type.
struct VoucherSent: CustomerEventPayload {
    static let eventType = "acme.voucher.sent"
    var code: String
    var sentAt: Date
}

/// A second Swift type that wants the same name as ``VoucherSent``.
struct OtherVoucher: CustomerEventPayload {
    static let eventType = "acme.voucher.sent"
}

/// A host type that wants a built-in name.
struct MyPurchase: CustomerEventPayload {
    static let eventType = "purchase.completed"
}

struct BadlyNamed: CustomerEventPayload {
    static let eventType = "acme voucher"
}

/// A host type with a fraction field beside whole-number ones of two widths.
struct MeterReading: CustomerEventPayload {
    static let eventType = "acme.meter.read"
    var kilowattHours: Double
    var digits: Int
    var dial: UInt16
}

struct VersionZero: CustomerEventPayload {
    static let eventType = "acme.zero"
    static let schemaVersion: UInt16 = 0
}

@Suite struct EventTypeRegistryTests {
    static func registry() throws -> EventTypeRegistry {
        var registry = EventTypeRegistry()
        try registry.register(LoyaltyPointsEarned.self)
        try registry.register(VoucherSent.self)
        return registry
    }

    @Test func hostEventsFlowThroughTheStoreAndComeBackTyped() async throws {
        let registry = try Self.registry()
        let fixture = try LedgerFixture()
        let earned = LoyaltyPointsEarned(points: 120, reason: "Ünboxing video")
        let voucher = VoucherSent(code: "SPRING-10", sentAt: day("2024-05-01", hour: 9))
        try await fixture.ledger.record(PurchaseCompleted(orderId: "O-1", amount: usd("12.30")), for: "C1", occurredAt: day("2024-05-01"))
        try await fixture.ledger.record(earned, for: "C1", occurredAt: day("2024-05-01", hour: 1))
        try await fixture.ledger.record(voucher, for: "C1", occurredAt: day("2024-05-01", hour: 2))

        let records = try fixture.ledger.customerEvents(of: "C1")
        #expect(records.count == 3)
        guard case .other(let recordedEarned) = records[1].event, case .other(let recordedVoucher) = records[2].event else {
            Issue.record("host events should be .other, got \(records.map(\.event))")
            return
        }
        #expect(recordedEarned.contentType == .json)
        #expect(recordedEarned.schemaVersion == 2)
        #expect(recordedEarned.type == "acme.loyalty.pointsEarned")
        #expect(try registry.decode(recordedEarned) as? LoyaltyPointsEarned == earned)
        #expect(try registry.decode(recordedVoucher) as? VoucherSent == voucher)
        #expect(try recordedEarned.decode(as: LoyaltyPointsEarned.self) == earned)
        #expect(try recordedVoucher.decode(as: VoucherSent.self) == voucher)

        // The registry knows the built-ins too; unknown types give nil.
        var stored: [RecordedEvent] = []
        try fixture.ledger.readLog { stored.append($0) }
        #expect(try registry.decode(stored[0]) as? PurchaseCompleted == PurchaseCompleted(orderId: "O-1", amount: usd("12.30")))
        #expect(try stored[0].decode(as: PurchaseCompleted.self).amount == usd("12.30"))
        #expect(try EventTypeRegistry().decode(recordedEarned) == nil)
    }

    @Test func hostEventsAreValidatedBeforeTheyAreAppended() async throws {
        let fixture = try LedgerFixture()
        let error = await #expect(throws: LedgerError.self) {
            try await fixture.ledger.record(LoyaltyPointsEarned(points: 0), for: "C1", occurredAt: day("2024-05-01"))
        }
        #expect(error?.message == "acme.loyalty.pointsEarned: points must be positive.")
    }

    @Test func registeringABuiltInNameIsAnError() {
        var registry = EventTypeRegistry()
        let error = #expect(throws: LedgerError.self) { try registry.register(MyPurchase.self) }
        #expect(error?.code == .invalidEvent)
        #expect(error?.message == "MyPurchase cannot be registered as purchase.completed: that is a built-in event type. Give it a name of your own, such as acme.purchase.completed.")
        #expect(registry.registeredTypeNames.isEmpty)
    }

    @Test func oneNameBelongsToOneType() throws {
        var registry = try Self.registry()
        try registry.register(VoucherSent.self)  // again: nothing changes
        let error = #expect(throws: LedgerError.self) { try registry.register(OtherVoucher.self) }
        #expect(error?.message == "OtherVoucher cannot be registered as acme.voucher.sent: VoucherSent is already registered under that name.")
        #expect(registry.registeredTypeNames == ["acme.loyalty.pointsEarned", "acme.voucher.sent"])
    }

    @Test func namesAndVersionsMustBeUsable() {
        var registry = EventTypeRegistry()
        let name = #expect(throws: LedgerError.self) { try registry.register(BadlyNamed.self) }
        #expect(name?.message.contains("must be 1–255 bytes without spaces or control characters") == true)
        let version = #expect(throws: LedgerError.self) { try registry.register(VersionZero.self) }
        #expect(version?.message.contains("schema versions start at 1") == true)
    }

    @Test func knowsBuiltInAndRegisteredNames() throws {
        let registry = try Self.registry()
        #expect(registry.knows("survey.answered"))
        #expect(registry.knows("acme.voucher.sent"))
        #expect(!registry.knows("acme.unknown"))
        #expect(EventTypeRegistry.isBuiltIn("survey.answered"))
        #expect(!EventTypeRegistry.isBuiltIn("acme.voucher.sent"))
        #expect(EventTypeRegistry.builtInTypeNames.count == CustomerEvent.builtInTypes.count)
    }

    @Test func readsTheJSONFormStrictly() throws {
        let registry = try Self.registry()
        let json = Data(#"{"points":5}"#.utf8)
        #expect(try registry.payload(fromJSON: json, type: LoyaltyPointsEarned.eventType, schemaVersion: 2) as? LoyaltyPointsEarned == LoyaltyPointsEarned(points: 5))
        #expect(try registry.payload(fromJSON: json, type: "acme.unknown", schemaVersion: 1) == nil)

        let version = #expect(throws: LedgerError.self) {
            try registry.payload(fromJSON: json, type: LoyaltyPointsEarned.eventType, schemaVersion: 1)
        }
        #expect(version?.message == "acme.loyalty.pointsEarned: schema version 1 is not one this ledger reads: acme.loyalty.pointsEarned is version 2, and no upcaster is registered from version 1 to 2.")
        let unknown = #expect(throws: LedgerError.self) {
            try registry.payload(fromJSON: Data(#"{"points":5,"bonus":true}"#.utf8), type: LoyaltyPointsEarned.eventType, schemaVersion: 2)
        }
        #expect(unknown?.message == #"acme.loyalty.pointsEarned: unknown field "bonus": acme.loyalty.pointsEarned has no such field, so it would be lost."#)
        let missing = #expect(throws: LedgerError.self) {
            try registry.payload(fromJSON: Data(#"{"reason":"x"}"#.utf8), type: LoyaltyPointsEarned.eventType, schemaVersion: 2)
        }
        #expect(missing?.message == #"acme.loyalty.pointsEarned: "points" is missing."#)
        // null, [] and {} stand for an absent field.
        #expect(try registry.payload(fromJSON: Data(#"{"points":5,"reason":null}"#.utf8), type: LoyaltyPointsEarned.eventType, schemaVersion: 2) != nil)
    }

    /// Foundation's decoder reports a number that does not fit a whole-number field as
    /// invalid JSON with no field: the message names the numbers that cannot be a whole
    /// number's, the field when there is one, and says so when the number is whole.
    @Test(arguments: [
        (#"{"dial":1,"digits":2.5,"kilowattHours":1}"#, #"acme.meter.read: "digits" must be a whole number, not 2.5."#),
        (#"{"dial":1,"digits":1e19,"kilowattHours":1}"#, #"acme.meter.read: "digits" must be a whole number that fits in 64 bits, not 10000000000000000000."#),
        (#"{"dial":1,"digits":2.5,"kilowattHours":7.25}"#,
         #"acme.meter.read: a whole-number field holds a fraction or a number beyond 64 bits: one of "digits" (2.5), "kilowattHours" (7.25)."#),
        (#"{"dial":70000,"digits":2,"kilowattHours":1}"#,
         "acme.meter.read: a number does not fit its whole-number field (too large for it, or negative where it takes none), and the decoder does not say which."),
    ])
    func aNumberThatDoesNotFitAWholeNumberFieldIsNamed(_ json: String, _ message: String) throws {
        var registry = EventTypeRegistry()
        try registry.register(MeterReading.self)
        #expect(try registry.payload(fromJSON: Data(#"{"dial":1,"digits":2,"kilowattHours":7.25}"#.utf8), type: MeterReading.eventType, schemaVersion: 1) != nil)
        let error = #expect(throws: LedgerError.self) {
            try registry.payload(fromJSON: Data(json.utf8), type: MeterReading.eventType, schemaVersion: 1)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message == message)
        // Stored so, the event is damage with the same words.
        let stored = RecordedEvent(
            position: 9, stream: "C1", version: 1, id: EventID(), type: MeterReading.eventType, schemaVersion: 1,
            occurredAt: day("2024-05-01"), recordedAt: day("2024-05-01"), metadata: .empty, contentType: .json, payload: Data(json.utf8)
        )
        let damaged = #expect(throws: LedgerError.self) { try registry.decode(stored) }
        #expect(damaged?.code == .corrupted)
        #expect(damaged?.message == "The acme.meter.read event at position 9 does not decode: its JSON payload does not decode: " + message.dropFirst("acme.meter.read: ".count))
    }

    @Test func aNewerSchemaVersionOrAnotherTypeIsRefused() throws {
        let registry = try Self.registry()
        let newer = RecordedEvent(
            position: 9, stream: "C1", version: 1, id: EventID(), type: LoyaltyPointsEarned.eventType, schemaVersion: 3,
            occurredAt: day("2024-05-01"), recordedAt: day("2024-05-01"), metadata: .empty, contentType: .json,
            payload: Data(#"{"points":5}"#.utf8)
        )
        let error = #expect(throws: LedgerError.self) { try registry.decode(newer) }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.message.hasPrefix("The acme.loyalty.pointsEarned event at position 9 does not decode: it has schema version 3") == true)
        #expect((try? newer.decode(as: LoyaltyPointsEarned.self)) == nil)

        var older = newer
        older.schemaVersion = 1
        #expect(try older.decode(as: LoyaltyPointsEarned.self) == LoyaltyPointsEarned(points: 5))
        // The registry reads an older version only through its upcasters, even when the
        // type's Codable would read the old shape: a missing step is not guessed at.
        let noUpcaster = #expect(throws: LedgerError.self) { try registry.decode(older) }
        #expect(noUpcaster?.code == .unsupportedFormat)
        #expect(noUpcaster?.message.hasSuffix("acme.loyalty.pointsEarned has no upcaster from version 1 to 2: register one with registerUpcaster(for:from:_:).") == true)

        let wrongType = #expect(throws: LedgerError.self) { try older.decode(as: VoucherSent.self) }
        #expect(wrongType?.code == .invalidEvent)
        #expect(wrongType?.message == "The event at position 9 is of type acme.loyalty.pointsEarned, not acme.voucher.sent.")

        var broken = newer
        broken.schemaVersion = 2
        broken.payload = Data(#"{"points":"many"}"#.utf8)
        let corrupted = #expect(throws: LedgerError.self) { try registry.decode(broken) }
        #expect(corrupted?.code == .corrupted)
        #expect(corrupted?.message == #"The acme.loyalty.pointsEarned event at position 9 does not decode: its JSON payload does not decode: "points" must be a whole number."#)
    }
}
