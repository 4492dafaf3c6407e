import CustomerLedger
import Foundation
import Testing

/// One built-in event for the round-trip table.
struct SampleEvent: Sendable, CustomTestStringConvertible {
    var name: String
    var payload: any CustomerEventPayload
    var testDescription: String { name }
}

/// A date with a fraction of a second that the ledger keeps (microseconds).
private func time(_ text: String, hour: Int = 0, microseconds: Int = 0) -> Date {
    Date(timeIntervalSince1970: day(text, hour: hour).timeIntervalSince1970 + Double(microseconds) / 1_000_000)
}

private let kwd = try! Currency("KWD")

/// Every built-in type, with optional fields present and absent, non-ASCII text, big and
/// negative amounts, and currencies with 0, 2 and 3 decimals.
let sampleEvents: [SampleEvent] = [
    SampleEvent(name: "registered, minimal", payload: CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada"))),
    SampleEvent(name: "registered, everything", payload: CustomerRegistered(
        traits: CustomerTraits(
            kind: .company, name: "Zoë \"Z\" Ünal GmbH — 日本支社", industry: "Maschinenbau",
            contactPerson: ContactPerson(name: "Jürgen Groß", title: "Einkäufer"), address: "Hauptstraße 1\nHinterhaus",
            city: "Köln", country: "DE", firstContact: time("2023-01-15", hour: 9, microseconds: 123_456),
            contractValue: try! Money("125000.125", kwd), dates: ["contractRenewal": "2025-03-31", "birthday": "1980-02-29"]
        ),
        contacts: [
            ContactPoint(kind: .email, value: "einkauf@example.de", isPrimary: true),
            ContactPoint(kind: .phone, value: "+49 221 0000"),
        ],
        owner: "agent:mia", tags: ["high-potential", "🚀"]
    )),
    SampleEvent(name: "registered, contact person without title, empty dates", payload: CustomerRegistered(
        traits: CustomerTraits(kind: .company, name: "Nordwind", contactPerson: ContactPerson(name: "Ole"), dates: [:])
    )),
    SampleEvent(name: "updated, partial", payload: CustomerUpdated(traits: CustomerTraits(city: "Zürich"))),
    SampleEvent(name: "updated, negative contract value, before 1970", payload: CustomerUpdated(
        traits: CustomerTraits(firstContact: time("1969-07-20", hour: 20, microseconds: 500_000), contractValue: usd("-5.00"))
    )),
    SampleEvent(name: "updated, nothing", payload: CustomerUpdated(traits: CustomerTraits())),
    SampleEvent(name: "contact added", payload: ContactAdded(ContactPoint(kind: .phone, value: "+41 44 000 00 00", isPrimary: true))),
    SampleEvent(name: "contact removed", payload: ContactRemoved(kind: .email, value: "old@example.com")),
    SampleEvent(name: "owner assigned", payload: OwnerAssigned(owner: "agent:李")),
    SampleEvent(name: "tagged", payload: CustomerTagged(tag: "complaint-risk")),
    SampleEvent(name: "untagged", payload: CustomerUntagged(tag: "low-frequency")),
    SampleEvent(name: "consent granted with source", payload: ConsentChanged(channel: "email", status: .granted, lawfulBasis: .consent, source: "web form")),
    SampleEvent(name: "consent withdrawn", payload: ConsentChanged(channel: "sms", status: .withdrawn, lawfulBasis: .legitimateInterest)),
    SampleEvent(name: "merged", payload: CustomersMerged(survivor: "C1", merged: ["C2", "顧客-3"])),
    SampleEvent(name: "unmerged", payload: CustomersUnmerged(survivor: "C1", restored: ["C2"])),
    SampleEvent(name: "forgotten", payload: CustomerForgotten(reason: "GDPR Art. 17 request")),
    SampleEvent(name: "forgotten, no reason", payload: CustomerForgotten()),
    SampleEvent(name: "interaction, minimal", payload: InteractionRecorded(interactionId: "I1", channel: .other, direction: .outbound)),
    SampleEvent(name: "interaction, everything", payload: InteractionRecorded(
        interactionId: "I2", channel: .meeting, direction: .inbound, subject: "Renewal", notes: "Wants 10 % off\t— ask finance",
        agent: "agent:mia", outcome: "callback", nextAction: NextAction(description: "Send offer", dueAt: time("2024-05-03", hour: 17, microseconds: 1))
    )),
    SampleEvent(name: "follow-up completed", payload: FollowUpCompleted(interactionId: "I2", outcome: "offer sent", notes: "ok")),
    SampleEvent(name: "follow-up completed, minimal", payload: FollowUpCompleted(interactionId: "I2")),
    SampleEvent(name: "purchase, minimal", payload: PurchaseCompleted(orderId: "O-1", amount: usd("12.30"))),
    SampleEvent(name: "purchase, lines with a discount", payload: PurchaseCompleted(
        orderId: "O-2", amount: usd("17.50"), channel: "web",
        lines: [OrderLine(sku: "SKU-Ä", quantity: 2, amount: usd("20.00")), OrderLine(sku: "DISCOUNT", quantity: -1, amount: usd("-2.50"))]
    )),
    SampleEvent(name: "purchase, largest amount", payload: PurchaseCompleted(orderId: "O-3", amount: Money(minorUnits: .max, currency: .eur))),
    SampleEvent(name: "purchase, JPY", payload: PurchaseCompleted(orderId: "O-4", amount: try! Money("1500", .jpy), channel: "store")),
    SampleEvent(name: "purchase, KWD", payload: PurchaseCompleted(orderId: "O-5", amount: try! Money("12.345", kwd))),
    SampleEvent(name: "purchase, zero", payload: PurchaseCompleted(orderId: "O-6", amount: .zero(.gbp))),
    SampleEvent(name: "purchase, other currency", payload: PurchaseCompleted(orderId: "O-7", amount: try! Money("99.95", try! Currency("CHF")))),
    SampleEvent(name: "refund", payload: RefundIssued(orderId: "O-1", amount: usd("0.01"), reason: "damaged")),
    SampleEvent(name: "refund, JPY", payload: RefundIssued(orderId: "O-4", amount: try! Money("1500", .jpy))),
    SampleEvent(name: "order cancelled", payload: OrderCancelled(orderId: "O-2", reason: "duplicate")),
    SampleEvent(name: "order cancelled, no reason", payload: OrderCancelled(orderId: "O-2")),
    SampleEvent(name: "complaint opened", payload: ComplaintOpened(complaintId: "K1", category: "delivery", severity: .critical, description: "Lieferung fehlt")),
    SampleEvent(name: "complaint opened, minimal", payload: ComplaintOpened(complaintId: "K2", category: "billing", severity: .low)),
    SampleEvent(name: "complaint resolved", payload: ComplaintResolved(complaintId: "K1", resolution: "Re-shipped")),
    SampleEvent(name: "survey, minimal", payload: SurveyAnswered(surveyId: "S1", kind: .nps, score: 0)),
    SampleEvent(name: "survey, everything", payload: SurveyAnswered(
        surveyId: "S2", kind: .csat, score: 5, dimensions: ["service": 4, "product": 5, "responseSpeed": 1],
        comment: "Très bien 👍", channel: "email", tierAtResponse: .key, stageAtResponse: .declining
    )),
    SampleEvent(name: "survey, CES with empty dimensions", payload: SurveyAnswered(surveyId: "S3", kind: .ces, score: 7, dimensions: [:], tierAtResponse: .core)),
]

/// The event as the ledger would record it.
func recorded(_ event: ProposedEvent, position: LogPosition = 42) -> RecordedEvent {
    RecordedEvent(
        position: position, stream: "C1", version: 1, id: event.id, type: event.type, schemaVersion: event.schemaVersion,
        occurredAt: event.occurredAt, recordedAt: event.occurredAt, metadata: event.metadata,
        contentType: event.contentType, payload: event.payload
    )
}

/// A built-in event stored with these bytes.
func storedBinary(_ bytes: [UInt8], type: String = PurchaseCompleted.eventType) -> RecordedEvent {
    RecordedEvent(
        position: 42, stream: "C1", version: 1, id: EventID(), type: type, schemaVersion: 1,
        occurredAt: day("2024-05-01"), recordedAt: day("2024-05-01"), metadata: .empty,
        contentType: .ledgerBinary, payload: Data(bytes)
    )
}

/// Decoding that must fail: the error, or a recorded issue.
func decodingError(_ event: RecordedEvent, sourceLocation: SourceLocation = #_sourceLocation) -> LedgerError? {
    do {
        let decoded = try CustomerEvent(decoding: event)
        Issue.record("decoded \(decoded)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

@Suite struct EventCodingTests {
    @Test(arguments: sampleEvents)
    func roundTripsThroughTheBinaryLayout(_ sample: SampleEvent) throws {
        let proposed = try ProposedEvent(sample.payload, occurredAt: day("2024-05-01"))
        #expect(proposed.contentType == .ledgerBinary)
        #expect(proposed.type == type(of: sample.payload).eventType)
        #expect(proposed.schemaVersion == 1)
        #expect(proposed.payload.first == 1)  // the layout byte
        #expect(try CustomerEvent(decoding: recorded(proposed)) == CustomerEvent(sample.payload))
        // The same value always gives the same bytes (dictionaries in key order), so a
        // retried append is recognised as already stored.
        #expect(try ProposedEvent(sample.payload, occurredAt: day("2024-05-01"), id: proposed.id).payload == proposed.payload)
    }

    @Test(arguments: sampleEvents)
    func roundTripsThroughJSON(_ sample: SampleEvent) throws {
        let json = try sample.payload.jsonData()
        // Stored as JSON (before the binary layout, or through the raw store API).
        let legacy = ProposedEvent(type: type(of: sample.payload).eventType, contentType: .json, payload: json)
        #expect(try CustomerEvent(decoding: recorded(legacy)) == CustomerEvent(sample.payload))
        // Read back strictly, as import does.
        let registry = EventTypeRegistry()
        let parsed = try #require(try registry.payload(fromJSON: json, type: legacy.type, schemaVersion: 1))
        #expect(CustomerEvent(parsed) == CustomerEvent(sample.payload))
        #expect(try parsed.jsonData() == json)
    }

    @Test func jsonFormOfAPurchaseIsAsDocumented() throws {
        let purchase = PurchaseCompleted(
            orderId: "O-17", amount: usd("17.50"), channel: "web", lines: [OrderLine(sku: "A-1", quantity: 2, amount: usd("8.75"))]
        )
        #expect(String(decoding: try purchase.jsonData(), as: UTF8.self)
            == #"{"amount":"17.50","channel":"web","currency":"USD","lines":[{"amount":"8.75","currency":"USD","quantity":2,"sku":"A-1"}],"orderId":"O-17"}"#)
    }

    @Test func jsonDatesKeepMicrosecondsAndWholeSecondsStayShort() throws {
        let whole = InteractionRecorded(
            interactionId: "I", channel: .phone, direction: .inbound, nextAction: NextAction(description: "x", dueAt: day("2024-05-01", hour: 10))
        )
        #expect(String(decoding: try whole.jsonData(), as: UTF8.self).contains(#""dueAt":"2024-05-01T10:00:00Z""#))
        let fraction = CustomerUpdated(traits: CustomerTraits(firstContact: time("2024-05-01", microseconds: 250_000)))
        #expect(String(decoding: try fraction.jsonData(), as: UTF8.self) == #"{"firstContact":"2024-05-01T00:00:00.250000Z"}"#)
        // Any zone and any fraction is read, to the microsecond.
        let json = Data(#"{"firstContact":"2024-05-01T02:00:00.2500004+02:00"}"#.utf8)
        let parsed = try #require(try EventTypeRegistry().payload(fromJSON: json, type: CustomerUpdated.eventType, schemaVersion: 1))
        #expect(CustomerEvent(parsed) == CustomerEvent(fraction))
    }

    @Test func purchaseLayoutIsAsDocumented() throws {
        let proposed = try ProposedEvent(PurchaseCompleted(orderId: "O-1", amount: usd("12.30"), channel: "web"), occurredAt: day("2024-05-01"))
        // layout 1, presence 0b1 (channel), "O-1", 1230 zigzag = 2460 = 0x9C 0x13, "USD", "web", no lines
        #expect(Array(proposed.payload) == [1, 1, 3, 0x4F, 0x2D, 0x31, 0x9C, 0x13, 0x55, 0x53, 0x44, 3, 0x77, 0x65, 0x62, 0])
    }

    @Test func typedEventsAreStoredInBinaryAndReadBack() async throws {
        let fixture = try LedgerFixture()
        for (index, sample) in sampleEvents.enumerated() {
            // Appended as given (record would snapshot a response's tier and stage).
            try await fixture.ledger.append([ProposedEvent(sample.payload, occurredAt: day("2024-05-01", hour: index % 24))], to: "C1")
        }
        var stored: [RecordedEvent] = []
        try fixture.ledger.readLog { stored.append($0) }
        #expect(stored.allSatisfy { $0.contentType == .ledgerBinary })
        let events = try fixture.ledger.customerEvents(of: "C1").map(\.event)
        #expect(events == sampleEvents.map { CustomerEvent($0.payload)! })
    }

    // MARK: Damaged bytes

    @Test(arguments: sampleEvents)
    func everyTruncationIsCorruptionNamingTheByte(_ sample: SampleEvent) throws {
        let bytes = Array(try ProposedEvent(sample.payload, occurredAt: day("2024-05-01")).payload)
        for length in 0..<bytes.count {
            let event = storedBinary(Array(bytes[..<length]), type: type(of: sample.payload).eventType)
            guard let error = decodingError(event) else { continue }
            #expect(error.code == .corrupted)
            #expect(error.message.contains("at position 42"))
            #expect(error.message.contains(" at byte "))
        }
    }

    @Test(arguments: [
        // name, bytes, words the message must hold
        ("empty", [], "layout at byte 0 of 0: the payload ends here"),
        ("layout 0", [0], "layout 0 is not a binary layout"),
        ("left over", [1, 0, 1, 0x41, 0x02, 0x55, 0x53, 0x44, 0, 0xFF], "1 bytes are left over"),
        ("string runs past the end", [1, 0, 100, 0x41], "orderId at byte 2 of 4: a text of 100 bytes runs past the end (1 bytes left)"),
        ("invalid UTF-8", [1, 0, 2, 0xC3, 0x28, 0x02, 0x55, 0x53, 0x44, 0], "orderId at byte 2 of 10: the text is not valid UTF-8"),
        ("unknown presence bit", [1, 2, 1, 0x41, 0x02, 0x55, 0x53, 0x44, 0], "presence at byte 1 of 9: the bits 10 name a field beyond the 1 optional ones"),
        ("varint too long", [1, 0, 1, 0x41] + Array(repeating: 0xFF, count: 10) + [0x01], "amount at byte 4 of 15: the number is larger than 64 bits"),
        ("varint not shortest", [1, 0, 1, 0x41, 0x82, 0x00, 0x55, 0x53, 0x44, 0], "amount at byte 4 of 10: the number is not in its shortest form"),
        ("currency cut short", [1, 0, 1, 0x41, 0x02, 0x55, 0x53], "amount at byte 5 of 7: a currency code needs 3 bytes, 2 left"),
        ("currency not letters", [1, 0, 1, 0x41, 0x02, 0x75, 0x73, 0x64, 0], "amount at byte 5 of 9: the currency code is not three upper-case letters"),
        ("line count too large", [1, 0, 1, 0x41, 0x02, 0x55, 0x53, 0x44, 0x7F], "lines at byte 8 of 9: a count of 127 cannot fit in the 0 bytes left"),
        ("huge line count", [1, 0, 1, 0x41, 0x02, 0x55, 0x53, 0x44] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], "a count of"),
    ] as [(String, [UInt8], String)])
    func damagedPurchaseBytesAreCorruption(_ name: String, _ bytes: [UInt8], _ words: String) throws {
        let error = try #require(decodingError(storedBinary(bytes)))
        #expect(error.code == .corrupted, "\(name)")
        #expect(error.message.hasPrefix("The purchase.completed event at position 42 does not decode: "), "\(name)")
        #expect(error.message.contains(words), "\(name): \(error.message)")
    }

    @Test func badEnumCodesAndBooleansAreCorruption() throws {
        // survey.answered: presence 0, "S", kind 9
        let survey = try #require(decodingError(storedBinary([1, 0, 1, 0x53, 9, 0], type: SurveyAnswered.eventType)))
        #expect(survey.code == .corrupted)
        #expect(survey.message.contains("kind at byte 4 of 6: 9 is not a known SurveyKind code"))
        // customer.contactAdded: kind email, "x", primary 2
        let contact = try #require(decodingError(storedBinary([1, 1, 1, 0x78, 2], type: ContactAdded.eventType)))
        #expect(contact.message.contains("contact.primary at byte 4 of 5: 2 is not a boolean (0 or 1)"))
        // customers.merged: an empty survivor id
        let merged = try #require(decodingError(storedBinary([1, 0, 0], type: CustomersMerged.eventType)))
        #expect(merged.message.contains("survivor at byte 1 of 3: Stream id \"\" is empty"))
        // survey dimensions with a key twice
        let twice = try #require(decodingError(storedBinary([1, 1, 1, 0x53, 0, 2, 2, 1, 0x61, 2, 1, 0x61, 4], type: SurveyAnswered.eventType)))
        #expect(twice.message.contains("the key \"a\" appears twice"))
    }

    /// A stored time outside the years 1–9999, which no append writes: damage, named with
    /// its field and byte. Both inputs were found by fuzzing (FuzzBinaryDecoder): the first
    /// decoded and its JSON form, which export and `ledger events` write, trapped; the
    /// second decoded to the year −4712, whose JSON form the import refused. Both are in
    /// Fuzz/Corpus/FuzzBinaryDecoder/ as seeds.
    @Test(arguments: [
        // customer.updated: layout 1, presence firstContact (bit 7), Int64.max µs.
        ([1, 0x80, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
         "firstContact at byte 3 of 11: the time 9223372036854775807 µs since 1970 is outside the years 1–9999 the ledger stores"),
        // customer.updated: presence firstContact and dates, 0xF8 << 56 µs, no dates.
        ([1, 0x80, 0x05, 0, 0, 0, 0, 0, 0, 0, 0xF8, 0],
         "firstContact at byte 3 of 12: the time -576460752303423488 µs since 1970 is outside the years 1–9999 the ledger stores"),
        // One second before the year 1 (a `Date`, whose `Double` holds some 8 µs there, takes
        // one microsecond before it for its first instant); the last microsecond of the
        // year 9999, which a `Date` holds as the first of the year 10000; the first of the
        // year 10000.
        ([1, 0x80, 0x01] + withUnsafeBytes(of: Int64(-62_135_596_801_000_000).littleEndian, Array.init),
         "firstContact at byte 3 of 11: the time -62135596801000000 µs since 1970 is outside the years 1–9999 the ledger stores"),
        ([1, 0x80, 0x01] + withUnsafeBytes(of: Int64(253_402_300_799_999_999).littleEndian, Array.init),
         "firstContact at byte 3 of 11: the time 253402300799999999 µs since 1970 is outside the years 1–9999 the ledger stores"),
        ([1, 0x80, 0x01] + withUnsafeBytes(of: Int64(253_402_300_800_000_000).littleEndian, Array.init),
         "firstContact at byte 3 of 11: the time 253402300800000000 µs since 1970 is outside the years 1–9999 the ledger stores"),
    ] as [([UInt8], String)])
    func aStoredTimeOutsideTheYears1To9999IsCorruption(_ bytes: [UInt8], _ words: String) throws {
        let error = try #require(decodingError(storedBinary(bytes, type: CustomerUpdated.eventType)))
        #expect(error.code == .corrupted)
        #expect(error.message == "The customer.updated event at position 42 does not decode: " + words)
        // The same through the in-place decoder of a read with keys (CustomerEventRecord).
        #expect(throws: LedgerError.self) { try CustomerEventRecord(storedBinary(bytes, type: CustomerUpdated.eventType)) }
    }

    @Test func aNewerLayoutIsUnsupportedNotCorrupted() throws {
        // Layout 2 is the one with sealed personal data (docs/format.md); 3 is newer.
        let error = try #require(decodingError(storedBinary([3, 0, 1, 0x41, 0x02, 0x55, 0x53, 0x44, 0])))
        #expect(error.code == .unsupportedFormat)
        #expect(error.message.contains("binary layout 3, newer than this library's 2"))
    }

    @Test func randomDamageNeverCrashes() throws {
        var generator = SplitMix(seed: 7)
        let payloads = try sampleEvents.map { sample in
            (type(of: sample.payload).eventType, Array(try ProposedEvent(sample.payload, occurredAt: day("2024-05-01")).payload))
        }
        for round in 0..<20_000 {
            var (type, bytes) = payloads[round % payloads.count]
            for _ in 0...(Int(generator.next() % 3)) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            do {
                _ = try CustomerEvent(decoding: storedBinary(bytes, type: type))
            } catch {
                #expect(error.code == .corrupted || error.code == .unsupportedFormat)
            }
        }
    }

    @Test func aBuiltInStoredInAnotherFormIsCorruption() throws {
        var event = storedBinary([1, 0, 1, 0x41, 0x02, 0x55, 0x53, 0x44, 0])
        event.contentType = .binary
        let wrongContent = try #require(decodingError(event))
        #expect(wrongContent.code == .corrupted)
        #expect(wrongContent.message.contains("content type is binary"))

        event.contentType = .json
        event.payload = Data(#"{"amount":"1.00","currency":"USD"}"#.utf8)
        let badJSON = try #require(decodingError(event))
        #expect(badJSON.code == .corrupted)
        #expect(badJSON.message == #"The purchase.completed event at position 42 does not decode: its JSON payload does not decode: "orderId" is missing."#)

        event.contentType = .ledgerBinary
        event.payload = Data([1, 0, 1, 0x41, 0x02, 0x55, 0x53, 0x44, 0])
        event.schemaVersion = 2
        let newer = try #require(decodingError(event))
        #expect(newer.code == .unsupportedFormat)
        #expect(newer.message.contains("schema version 2, and this library's purchase.completed is version 1"))
    }

    @Test func aHostTypeCannotTakeABuiltInName() {
        let error = #expect(throws: LedgerError.self) {
            try ProposedEvent(Impostor(), occurredAt: day("2024-05-01"))
        }
        #expect(error?.code == .invalidEvent)
        #expect(error?.message.contains("uses the wire name purchase.completed, which belongs to a built-in event") == true)
    }
}

/// A host type that uses a built-in name.
private struct Impostor: CustomerEventPayload {
    static let eventType = "purchase.completed"
}
