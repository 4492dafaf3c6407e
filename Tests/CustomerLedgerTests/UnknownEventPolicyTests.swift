import CustomerLedger
import Foundation
import Testing

@Suite struct UnknownEventPolicyTests {
    static let purchase = PurchaseCompleted(orderId: "O-1", amount: usd("12.30"))
    static let referral = ReferralSent(to: "friend@acme.test")

    /// A built-in event, a registered host event and one of a type nobody registered, in
    /// that order, as a real ledger stores them.
    static func storedEvents() async throws -> [RecordedEvent] {
        let fixture = try LedgerFixture()
        try await fixture.ledger.record(purchase, for: "C1", occurredAt: day("2024-05-01", hour: 1))
        try await fixture.ledger.record(referral, for: "C1", occurredAt: day("2024-05-01", hour: 2))
        try await fixture.ledger.append(
            [
                ProposedEvent(
                    type: "acme.newer.service.event", schemaVersion: 2, occurredAt: day("2024-05-01", hour: 3),
                    contentType: .json, payload: Data(#"{"anything":[1,2]}"#.utf8)
                )
            ],
            to: "C1"
        )
        var events: [RecordedEvent] = []
        try fixture.ledger.readLog { events.append($0) }
        return events
    }

    static func registry(_ policy: UnknownEventPolicy) throws -> EventTypeRegistry {
        var registry = EventTypeRegistry()
        try registry.register(ReferralSent.self)
        registry.unknownEvents = policy
        return registry
    }

    @Test func theDefaultIsToDeliverUnknownEventsAsStored() {
        #expect(EventTypeRegistry().unknownEvents == .deliverRaw)
    }

    @Test(arguments: UnknownEventPolicy.allCases)
    func knownTypesResolveTheSameUnderEveryPolicy(_ policy: UnknownEventPolicy) async throws {
        let registry = try Self.registry(policy)
        let events = try await Self.storedEvents()
        #expect(try registry.resolve(events[0]) == .builtIn(.purchaseCompleted(Self.purchase)))
        #expect(try registry.resolve(events[1]) == .registered(Self.referral))
    }

    @Test func underDeliverRawAnUnknownEventComesAsStored() async throws {
        let events = try await Self.storedEvents()
        let resolved = try Self.registry(.deliverRaw).resolve(events[2])
        #expect(resolved == .unknown(events[2]))
        guard case .unknown(let raw)? = resolved else { return }
        #expect(raw.type == "acme.newer.service.event")
        #expect(raw.schemaVersion == 2)
        #expect(String(decoding: raw.payload, as: UTF8.self) == #"{"anything":[1,2]}"#)
    }

    @Test func underSkipAnUnknownEventIsLeftOut() async throws {
        let registry = try Self.registry(.skip)
        let events = try await Self.storedEvents()
        #expect(try registry.resolve(events[2]) == nil)
        #expect(try events.compactMap { try registry.resolve($0) }.count == 2)
    }

    @Test func underFailAnUnknownEventStopsTheReadNamingItsTypeAndPosition() async throws {
        let events = try await Self.storedEvents()
        let error = #expect(throws: LedgerError.self) { try Self.registry(.fail).resolve(events[2]) }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.stream == "C1")
        #expect(
            error?.message
                == "The event at position \(events[2].position) of C1 is of type acme.newer.service.event, which this service does not know: register its type in the EventTypeRegistry, or set unknownEvents to .deliverRaw or .skip to read past it."
        )
    }

    /// The loop of docs/event-types.md, as a projection runner writes it.
    @Test func aRunnerLoopSeesEveryEventInItsCurrentShape() async throws {
        let fixture = try LedgerFixture()
        try await fixture.ledger.record(Self.purchase, for: "C1", occurredAt: day("2024-05-01", hour: 1))
        try await fixture.ledger.append([UpcasterTests.stored(UpcasterTests.versionOne, version: 1, at: 2)], to: "C1")
        try await fixture.ledger.append(
            [ProposedEvent(type: "acme.unknown", occurredAt: day("2024-05-01", hour: 3), payload: Data("{}".utf8))],
            to: "C2"
        )
        var registry = try UpcasterTests.registry()
        registry.unknownEvents = .skip

        var purchases: [PurchaseCompleted] = []
        var points: [PointsAwarded] = []
        var others = 0
        try fixture.ledger.readLog { recorded in
            switch try registry.resolve(recorded) {
            case .builtIn(.purchaseCompleted(let purchase))?: purchases.append(purchase)
            case .registered(let awarded as PointsAwarded)?: points.append(awarded)
            case .builtIn?, .registered?, .unknown?, nil: others += 1
            }
        }
        #expect(purchases == [Self.purchase])
        #expect(points == [PointsAwarded(amount: .init(value: 120, unit: "points"), reason: "unspecified")])
        #expect(others == 1)
    }

    @Test(arguments: [
        (UInt16(1), "{\"to\":", #"its JSON payload does not decode: the payload is not valid JSON"#),
        (UInt16(1), "not json at all", #"its JSON payload does not decode: the payload is not valid JSON"#),
        (UInt16(1), "[1,2]", #"its JSON payload does not decode: the payload must be an object."#),
        (UInt16(1), #"{"to":42}"#, #"its JSON payload does not decode: "to" must be a string."#),
        (UInt16(1), "", #"its JSON payload does not decode: the payload is not valid JSON"#),
        (UInt16(1), "\u{FF}\u{00}", #"its JSON payload does not decode: the payload is not valid JSON"#),
        (UInt16(2), "{\"amount\":", #"its JSON payload of schema version 2 does not decode: the payload is not valid JSON"#),
        (UInt16(2), "[]", #"its JSON payload of schema version 2 does not decode: the payload must be an object."#),
    ])
    func aRegisteredTypeWithMalformedJSONIsCorruptedUnderEveryPolicy(version: UInt16, payload: String, problem: String) async throws {
        // Version 1 is read directly as ReferralSent; version 2 of PointsAwarded goes
        // through its upcasters first.
        let type = version == 1 ? ReferralSent.eventType : PointsAwarded.eventType
        let fixture = try LedgerFixture()
        try await fixture.ledger.append(
            [ProposedEvent(type: type, schemaVersion: version, occurredAt: day("2024-05-01"), contentType: .json, payload: Data(payload.utf8))],
            to: "C1"
        )
        var events: [RecordedEvent] = []
        try fixture.ledger.readLog { events.append($0) }

        for policy in UnknownEventPolicy.allCases {
            var registry = try UpcasterTests.registry()
            try registry.register(ReferralSent.self)
            registry.unknownEvents = policy
            let error = #expect(throws: LedgerError.self) { try registry.resolve(events[0]) }
            #expect(error?.code == .corrupted)
            #expect(error?.message.hasPrefix("The \(type) event at position \(events[0].position) does not decode: \(problem)") == true, "\(error?.message ?? "")")
        }
    }

    @Test func aRegisteredTypeStoredAsAnotherContentTypeIsCorrupted() throws {
        let registry = try Self.registry(.deliverRaw)
        let event = RecordedEvent(
            position: 4, stream: "C1", version: 1, id: EventID(), type: ReferralSent.eventType, schemaVersion: 1,
            occurredAt: day("2024-05-01"), recordedAt: day("2024-05-01"), metadata: .empty, contentType: .ledgerBinary,
            payload: Data([0x01, 0x02])
        )
        let error = #expect(throws: LedgerError.self) { try registry.resolve(event) }
        #expect(error?.code == .corrupted)
        #expect(error?.message.hasPrefix("The acme.referral.sent event at position 4 does not decode: its content type is") == true)
    }
}
