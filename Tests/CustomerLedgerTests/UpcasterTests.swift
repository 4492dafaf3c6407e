import CustomerLedger
import Foundation
import Testing

/// A host type at its third shape:
/// - version 1: `{"points": 120}`
/// - version 2: a required `reason` added: `{"points": 50, "reason": "birthday"}`
/// - version 3: `points` became `amount`, an object with a unit:
///   `{"amount": {"unit": "points", "value": 30}, "reason": "review"}`
struct PointsAwarded: CustomerEventPayload {
    static let eventType = "acme.loyalty.pointsAwarded"
    static let schemaVersion: UInt16 = 3

    struct Amount: Codable, Hashable, Sendable {
        var value: Int
        var unit: String
    }

    var amount: Amount
    var reason: String
}

/// A second Swift type under ``PointsAwarded``'s name.
struct OtherPointsAwarded: CustomerEventPayload {
    static let eventType = "acme.loyalty.pointsAwarded"
    static let schemaVersion: UInt16 = 3
}

/// A host type at its first version: nothing to upcast.
struct ReferralSent: CustomerEventPayload {
    static let eventType = "acme.referral.sent"
    var to: String
}

@Suite struct UpcasterTests {
    /// Version 1 → 2: the reason did not exist, so old events get "unspecified".
    static let oneToTwo: @Sendable (inout [String: EventJSON]) throws -> Void = { json in
        json["reason"] = "unspecified"
    }

    /// Version 2 → 3: `points` moves into `amount.value`, with its unit.
    static let twoToThree: @Sendable (inout [String: EventJSON]) throws -> Void = { json in
        json["amount"] = ["value": json.removeValue(forKey: "points") ?? .null, "unit": "points"]
    }

    static func registry(upcastingFrom versions: [UInt16] = [1, 2]) throws -> EventTypeRegistry {
        var registry = EventTypeRegistry()
        try registry.register(PointsAwarded.self)
        for version in versions {
            try registry.registerUpcaster(for: PointsAwarded.self, from: version, version == 1 ? oneToTwo : twoToThree)
        }
        return registry
    }

    /// A `PointsAwarded` payload as some past version of the service wrote it.
    static func stored(_ json: String, version: UInt16, at hour: Int) -> ProposedEvent {
        ProposedEvent(
            type: PointsAwarded.eventType, schemaVersion: version, occurredAt: day("2024-05-01", hour: hour),
            contentType: .json, payload: Data(json.utf8)
        )
    }

    static let versionOne = #"{"points":120}"#
    static let versionTwo = #"{"points":50,"reason":"birthday"}"#
    static let versionThree = #"{"amount":{"unit":"points","value":30},"reason":"review"}"#

    /// The three shapes in one stream of a real ledger, in order.
    static func ledgerWithEveryVersion() async throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        try await fixture.ledger.append(
            [
                stored(versionOne, version: 1, at: 1),
                stored(versionTwo, version: 2, at: 2),
                stored(versionThree, version: 3, at: 3),
            ],
            to: "C1"
        )
        return fixture
    }

    static func recordedEvents(of fixture: LedgerFixture) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try fixture.ledger.readStream("C1") { events.append($0) }
        return events
    }

    @Test func aChainFromVersionOneToThreeReadsEveryStoredVersionAsTheCurrentOne() async throws {
        let registry = try Self.registry()
        let fixture = try await Self.ledgerWithEveryVersion()
        let recorded = try Self.recordedEvents(of: fixture)
        #expect(recorded.map(\.schemaVersion) == [1, 2, 3])

        let expected = [
            PointsAwarded(amount: .init(value: 120, unit: "points"), reason: "unspecified"),
            PointsAwarded(amount: .init(value: 50, unit: "points"), reason: "birthday"),
            PointsAwarded(amount: .init(value: 30, unit: "points"), reason: "review"),
        ]
        #expect(try recorded.map { try registry.resolve($0) } == expected.map { .registered($0) })
        #expect(try recorded.map { try registry.decode($0) as? PointsAwarded } == expected)
    }

    @Test func readingNeverRewritesTheStoredEvents() async throws {
        let registry = try Self.registry()
        let fixture = try await Self.ledgerWithEveryVersion()
        let before = try Self.recordedEvents(of: fixture)
        for event in before { _ = try registry.resolve(event) }
        _ = try fixture.ledger.customerEvents(of: "C1")

        let after = try Self.recordedEvents(of: fixture)
        #expect(after == before)
        #expect(after.map { String(decoding: $0.payload, as: UTF8.self) } == [Self.versionOne, Self.versionTwo, Self.versionThree])
        #expect(after.map(\.schemaVersion) == [1, 2, 3])
        var log: [RecordedEvent] = []
        try fixture.ledger.readLog { log.append($0) }
        #expect(log == before)
    }

    @Test func aMissingStepIsAnErrorNamingTheTypeAndTheVersion() async throws {
        let fixture = try await Self.ledgerWithEveryVersion()
        let recorded = try Self.recordedEvents(of: fixture)

        let withoutTheFirst = try Self.registry(upcastingFrom: [2])
        let first = #expect(throws: LedgerError.self) { try withoutTheFirst.resolve(recorded[0]) }
        #expect(first?.code == .unsupportedFormat)
        #expect(first?.stream == "C1")
        #expect(
            first?.message
                == "The acme.loyalty.pointsAwarded event at position \(recorded[0].position) does not decode: it has schema version 1, and acme.loyalty.pointsAwarded has no upcaster from version 1 to 2: register one with registerUpcaster(for:from:_:)."
        )
        #expect(try withoutTheFirst.resolve(recorded[1]) == .registered(PointsAwarded(amount: .init(value: 50, unit: "points"), reason: "birthday")))

        let withoutTheSecond = try Self.registry(upcastingFrom: [1])
        for event in recorded[0...1] {
            let error = #expect(throws: LedgerError.self) { try withoutTheSecond.decode(event) }
            #expect(error?.code == .unsupportedFormat)
            #expect(error?.message.hasSuffix("acme.loyalty.pointsAwarded has no upcaster from version 2 to 3: register one with registerUpcaster(for:from:_:).") == true)
        }
        // The current version needs no upcaster.
        #expect(try withoutTheSecond.decode(recorded[2]) as? PointsAwarded == PointsAwarded(amount: .init(value: 30, unit: "points"), reason: "review"))
    }

    @Test func aVersionNewerThanTheTypeIsRefused() async throws {
        let registry = try Self.registry()
        let fixture = try LedgerFixture()
        try await fixture.ledger.append([Self.stored(Self.versionThree, version: 4, at: 1)], to: "C1")
        let recorded = try Self.recordedEvents(of: fixture)[0]

        let error = #expect(throws: LedgerError.self) { try registry.resolve(recorded) }
        #expect(error?.code == .unsupportedFormat)
        #expect(
            error?.message
                == "The acme.loyalty.pointsAwarded event at position \(recorded.position) does not decode: it has schema version 4, newer than the 3 this service knows: update the service that reads it."
        )
    }

    @Test func aBuiltInTypeHasNoUpcasters() {
        var registry = EventTypeRegistry()
        let error = #expect(throws: LedgerError.self) {
            try registry.registerUpcaster(for: PurchaseCompleted.self, from: 1) { _ in }
        }
        #expect(error?.code == .invalidEvent)
        #expect(
            error?.message
                == "PurchaseCompleted is the built-in purchase.completed event, which the ledger reads in every schema version itself: upcasters are for a host's registered types."
        )
    }

    @Test(arguments: [
        (UInt16(0), "acme.loyalty.pointsAwarded cannot have an upcaster from schema version 0: it is at schema version 3, so its upcasters go from versions 1 to 2 (each one reads a version and writes the next)."),
        (UInt16(3), "acme.loyalty.pointsAwarded cannot have an upcaster from schema version 3: it is at schema version 3, so its upcasters go from versions 1 to 2 (each one reads a version and writes the next)."),
        (UInt16(4), "acme.loyalty.pointsAwarded cannot have an upcaster from schema version 4: it is at schema version 3, so its upcasters go from versions 1 to 2 (each one reads a version and writes the next)."),
    ])
    func anUpcasterReadsAVersionOlderThanTheCurrentOne(version: UInt16, message: String) throws {
        var registry = try Self.registry(upcastingFrom: [])
        let error = #expect(throws: LedgerError.self) { try registry.registerUpcaster(for: PointsAwarded.self, from: version) { _ in } }
        #expect(error?.code == .invalidEvent)
        #expect(error?.message == message)
    }

    @Test func upcastersAreForRegisteredTypesOneStepPerVersion() throws {
        var registry = EventTypeRegistry()
        let unregistered = #expect(throws: LedgerError.self) { try registry.registerUpcaster(for: PointsAwarded.self, from: 1, Self.oneToTwo) }
        #expect(unregistered?.message == "PointsAwarded has no upcasters until it is registered: call register(PointsAwarded.self) first.")

        try registry.register(PointsAwarded.self)
        try registry.registerUpcaster(for: PointsAwarded.self, from: 1, Self.oneToTwo)
        let twice = #expect(throws: LedgerError.self) { try registry.registerUpcaster(for: PointsAwarded.self, from: 1, Self.oneToTwo) }
        #expect(twice?.message == "acme.loyalty.pointsAwarded already has an upcaster from schema version 1 to 2: one step per version.")

        let otherType = #expect(throws: LedgerError.self) { try registry.registerUpcaster(for: OtherPointsAwarded.self, from: 2) { _ in } }
        #expect(otherType?.message == "OtherPointsAwarded cannot have upcasters as acme.loyalty.pointsAwarded: PointsAwarded is registered under that name.")

        try registry.register(ReferralSent.self)
        let firstVersion = #expect(throws: LedgerError.self) { try registry.registerUpcaster(for: ReferralSent.self, from: 1) { _ in } }
        #expect(firstVersion?.message == "acme.referral.sent cannot have an upcaster from schema version 1: it is at schema version 1, so it has no older version to upcast (each one reads a version and writes the next).")

        // Registering the type again keeps its upcasters.
        try registry.register(PointsAwarded.self)
        try registry.registerUpcaster(for: PointsAwarded.self, from: 2, Self.twoToThree)
        let event = RecordedEvent(
            position: 1, stream: "C1", version: 1, id: EventID(), type: PointsAwarded.eventType, schemaVersion: 1,
            occurredAt: day("2024-05-01"), recordedAt: day("2024-05-01"), metadata: .empty, contentType: .json,
            payload: Data(Self.versionOne.utf8)
        )
        #expect(try registry.decode(event) as? PointsAwarded == PointsAwarded(amount: .init(value: 120, unit: "points"), reason: "unspecified"))
    }

    @Test func aFailingOrFaultyUpcasterFailsTheReadWithoutATrap() throws {
        struct NoPoints: Error, CustomStringConvertible {
            var description: String { "a version 1 event without points" }
        }
        let event = RecordedEvent(
            position: 7, stream: "C1", version: 1, id: EventID(), type: PointsAwarded.eventType, schemaVersion: 2,
            occurredAt: day("2024-05-01"), recordedAt: day("2024-05-01"), metadata: .empty, contentType: .json,
            payload: Data(Self.versionTwo.utf8)
        )
        var throwing = try Self.registry(upcastingFrom: [1])
        try throwing.registerUpcaster(for: PointsAwarded.self, from: 2) { _ in throw NoPoints() }
        let thrown = #expect(throws: LedgerError.self) { try throwing.resolve(event) }
        #expect(thrown?.code == .corrupted)
        #expect(
            thrown?.message
                == "The acme.loyalty.pointsAwarded event at position 7 does not decode: the upcaster of acme.loyalty.pointsAwarded from schema version 2 to 3 failed: a version 1 event without points."
        )

        var forgetful = try Self.registry(upcastingFrom: [1])
        try forgetful.registerUpcaster(for: PointsAwarded.self, from: 2) { json in json["points"] = nil }
        let forgot = #expect(throws: LedgerError.self) { try forgetful.resolve(event) }
        #expect(forgot?.code == .corrupted)
        #expect(
            forgot?.message
                == #"The acme.loyalty.pointsAwarded event at position 7 does not decode: its JSON payload, upcast from schema version 2 to 3, does not decode as PointsAwarded: "amount" is missing. Check the upcasters of acme.loyalty.pointsAwarded."#
        )

        var notANumber = try Self.registry(upcastingFrom: [1])
        try notANumber.registerUpcaster(for: PointsAwarded.self, from: 2) { json in json["amount"] = .double(.nan) }
        let nan = #expect(throws: LedgerError.self) { try notANumber.resolve(event) }
        #expect(nan?.code == .corrupted)
        #expect(nan?.message.contains("the upcasters of acme.loyalty.pointsAwarded from schema version 2 wrote a value JSON cannot hold") == true)
    }

    @Test func importReadsAnOlderVersionThroughItsUpcasters() throws {
        let registry = try Self.registry()
        let type = PointsAwarded.eventType
        #expect(
            try registry.payload(fromJSON: Data(Self.versionOne.utf8), type: type, schemaVersion: 1) as? PointsAwarded
                == PointsAwarded(amount: .init(value: 120, unit: "points"), reason: "unspecified")
        )
        #expect(
            try registry.payload(fromJSON: Data(Self.versionTwo.utf8), type: type, schemaVersion: 2) as? PointsAwarded
                == PointsAwarded(amount: .init(value: 50, unit: "points"), reason: "birthday")
        )

        // Still strict: a field no version has is refused, named as the upcasters leave it.
        let unknown = #expect(throws: LedgerError.self) {
            try registry.payload(fromJSON: Data(#"{"points":5,"bonus":true}"#.utf8), type: type, schemaVersion: 1)
        }
        #expect(unknown?.code == .invalidInput)
        #expect(unknown?.message == #"acme.loyalty.pointsAwarded: unknown field "bonus": acme.loyalty.pointsAwarded has no such field, nor do its upcasters from schema version 1 read it, so it would be lost."#)
        let missing = #expect(throws: LedgerError.self) {
            try registry.payload(fromJSON: Data(#"{"reason":"x"}"#.utf8), type: type, schemaVersion: 2)
        }
        #expect(missing?.message == #"acme.loyalty.pointsAwarded: "amount.value" is null and needs a value (upcast from schema version 2 to 3)."#)
        let notAnObject = #expect(throws: LedgerError.self) {
            try registry.payload(fromJSON: Data("[120]".utf8), type: type, schemaVersion: 1)
        }
        #expect(notAnObject?.message == "acme.loyalty.pointsAwarded: its JSON payload of schema version 1 does not decode: the payload must be an object.")

        let noChain = #expect(throws: LedgerError.self) {
            try Self.registry(upcastingFrom: [2]).payload(fromJSON: Data(Self.versionOne.utf8), type: type, schemaVersion: 1)
        }
        #expect(noChain?.message == "acme.loyalty.pointsAwarded: schema version 1 is not one this ledger reads: acme.loyalty.pointsAwarded is version 3, and no upcaster is registered from version 1 to 2.")
        let newer = #expect(throws: LedgerError.self) {
            try registry.payload(fromJSON: Data(Self.versionThree.utf8), type: type, schemaVersion: 4)
        }
        #expect(newer?.message == "acme.loyalty.pointsAwarded: schema version 4 is not one this ledger reads: acme.loyalty.pointsAwarded is version 3.")
    }

    @Test func eventJSONKeepsEveryKindOfValue() throws {
        let text = #"{"big":18446744073709551615,"flag":true,"list":[1,"two",null],"nested":{"x":-2.5},"none":null,"whole":9007199254740993}"#
        let object = try JSONDecoder().decode([String: EventJSON].self, from: Data(text.utf8))
        #expect(object["whole"] == .integer(9_007_199_254_740_993))
        #expect(object["big"] == .double(Double(UInt64.max)))
        #expect(object["flag"] == true)
        #expect(object["list"] == [1, "two", .null])
        #expect(object["nested"] == ["x": -2.5])
        #expect(object["none"] == .null)

        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let again = try JSONDecoder().decode([String: EventJSON].self, from: encoder.encode(object))
        #expect(again == object)
    }
}
