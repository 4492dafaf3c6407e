@testable import CustomerLedger
import Foundation
import Testing

/// Personal data encrypted at rest, forgetting, master keys (docs/privacy.md).
@Suite struct PrivacyTests {
    /// A temporary folder for a ledger the test opens and reopens itself.
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("privacy-tests-\(UUID().uuidString)")
        var path: String { url.appendingPathComponent("ledger").path }
        var dataFile: URL { url.appendingPathComponent("ledger/data.mdb") }
        deinit { try? FileManager.default.removeItem(at: url) }

        /// Whether the ledger's data file holds `text` (its UTF-8 bytes) anywhere.
        func dataFileContains(_ text: String) throws -> Bool {
            let bytes = try Data(contentsOf: dataFile)
            return bytes.range(of: Data(text.utf8)) != nil
        }
    }

    static let name = "Ada Quillfeather-Zyx"
    static let email = "ada.quillfeather@zyx.example"
    static let phone = "+41 44 987 65 43"
    static let street = "Bahnhofstrasse 99 Zyx"
    static let notes = "prefers morning calls, Zyx-notes"
    static let comment = "Wonderful Zyx service"
    static let reason = "broken Zyx parcel"
    static let orderId = "O-ZYX-4711"

    /// One customer with personal data in every kind of event, and a purchase.
    static func fill(_ ledger: Ledger, customer: StreamID = "C1") async throws {
        try await ledger.record(
            CustomerRegistered(
                traits: CustomerTraits(kind: .person, name: name, address: street, city: "Zürich", country: "CH", dates: ["birthday": "1990-02-14"]),
                contacts: [ContactPoint(kind: .email, value: email, isPrimary: true)],
                owner: "agent:mia", tags: ["vip"]
            ),
            for: customer, occurredAt: day("2024-01-10")
        )
        try await ledger.record(ContactAdded(ContactPoint(kind: .phone, value: phone)), for: customer, occurredAt: day("2024-01-11"))
        try await ledger.record(
            InteractionRecorded(
                interactionId: "I-1", channel: .phone, direction: .inbound, subject: "Renewal", notes: notes,
                agent: "agent:mia", nextAction: NextAction(description: "Call back Zyx", dueAt: day("2024-01-20"))
            ),
            for: customer, occurredAt: day("2024-01-12")
        )
        try await ledger.record(PurchaseCompleted(orderId: orderId, amount: usd("120.00"), channel: "web"), for: customer, occurredAt: day("2024-02-01"))
        try await ledger.record(RefundIssued(orderId: orderId, amount: usd("20.00"), reason: reason), for: customer, occurredAt: day("2024-02-03"))
        try await ledger.record(
            SurveyAnswered(surveyId: "NPS-1", kind: .nps, score: 9, comment: comment, tierAtResponse: .ordinary, stageAtResponse: .new),
            for: customer, occurredAt: day("2024-02-05")
        )
    }

    static let personalTexts = [name, email, phone, street, notes, comment, reason, "Call back Zyx"]

    @Test func personalDataIsEncryptedAtRestReadableWithTheKeyAndErasedByForget() async throws {
        let folder = Folder()
        let key = MasterKey.random()
        let ledger = try Ledger.open(at: folder.path, masterKey: key)
        try await Self.fill(ledger)
        try await Self.fill(ledger, customer: "C2")

        // Readable through the API.
        let profile = try #require(try ledger.profile(of: "C1"))
        #expect(profile.name?.value == .value(Self.name))
        #expect(profile.emails.map(\.value) == [.value(Self.email)])
        #expect(profile.phones.map(\.value) == [.value(Self.phone)])
        #expect(profile.address?.value == .value(Self.street))
        #expect(profile.dates["birthday"]?.value == .value(CalendarDate("1990-02-14")!))
        let records = try ledger.customerEvents(of: "C1")
        #expect(records.allSatisfy { $0.personalData == .readable })
        guard case .interactionRecorded(let interaction) = records[2].event else { Issue.record("not an interaction"); return }
        #expect(interaction.notes == Self.notes)
        let followUps = try ledger.openFollowUps(asOf: AsOf(time: day("2024-03-01")))
        #expect(followUps.open.map(\.action) == [.value("Call back Zyx"), .value("Call back Zyx")])

        // Not in the data file: only ciphertext is.
        for text in Self.personalTexts {
            #expect(try !folder.dataFileContains(text), "\(text) is in data.mdb")
        }
        #expect(try folder.dataFileContains(Self.orderId), "the search finds what is stored in clear")

        let asOf = AsOf(time: day("2024-06-01"))
        let before = try ledger.populationReport(asOf: asOf)
        let valueBefore = try ledger.value(of: "C1", asOf: asOf)

        // Forget C1.
        let forgotten = try await ledger.forget("C1", occurredAt: day("2024-03-01"), reason: "GDPR Art. 17 request")
        #expect(!forgotten.wasAlreadyStored)
        let again = try await ledger.forget("C1", occurredAt: day("2024-03-02"))
        #expect(again.wasAlreadyStored)
        #expect(again.positions == forgotten.positions)

        let erased = try #require(try ledger.profile(of: "C1"))
        #expect(erased.name?.value == .erased)
        #expect(erased.emails.map(\.value) == [.erased])
        #expect(erased.phones.map(\.value) == [.erased])
        #expect(erased.address?.value == .erased)
        #expect(erased.dates["birthday"]?.value == .erased)
        #expect(erased.orderCount == 1)
        #expect(erased.lifetimeNetSpend[.usd] == usd("100.00"))
        let erasedRecords = try ledger.customerEvents(of: "C1")
        #expect(erasedRecords.filter { $0.personalData == .erased }.count == 5)
        guard case .interactionRecorded(let withheld) = erasedRecords[2].event else { Issue.record("not an interaction"); return }
        #expect(withheld.notes == "")
        #expect(withheld.agent == "agent:mia")
        guard case .forgotten(let forgetting) = erasedRecords.last?.event else { Issue.record("no customer.forgotten"); return }
        #expect(forgetting.reason == "GDPR Art. 17 request")
        #expect(try ledger.openFollowUps(asOf: AsOf(time: day("2024-03-01"))).open.map(\.action) == [.erased, .value("Call back Zyx")])

        // The other customer is untouched; the aggregates are unchanged.
        #expect(try ledger.profile(of: "C2")?.name?.value == .value(Self.name))
        let after = try ledger.populationReport(asOf: asOf)
        #expect(after.rfm == before.rfm)
        #expect(after.lifecycle == before.lifecycle)
        #expect(after.satisfaction == before.satisfaction)
        #expect(try ledger.value(of: "C1", asOf: asOf) == valueBefore)

        // Export shows it, unambiguously.
        var lines: [RevealedEvent] = []
        try ledger.readStream("C1") { lines.append(try ledger.revealed($0)) }
        #expect(lines.map(\.personalData) == [.erased, .erased, .erased, .readable, .erased, .erased, .readable])
        let registration = try #require(try JSONSerialization.jsonObject(with: lines[0].event.payload) as? [String: Any])
        #expect(registration["name"] is NSNull)
        #expect(registration["kind"] as? String == "person")
        #expect(registration["tags"] as? [String] == ["vip"])

        // No new personal data for a forgotten customer; other facts are fine.
        await #expect(throws: LedgerError.self) {
            try await ledger.record(CustomerUpdated(traits: CustomerTraits(name: "Ada Again")), for: "C1", occurredAt: day("2024-04-01"))
        }
        do {
            try await ledger.record(ContactAdded(ContactPoint(kind: .email, value: "new@example.org")), for: "C1", occurredAt: day("2024-04-01"))
        } catch {
            #expect(error.code == .personalDataErased)
            #expect(error.message.contains("C1 was forgotten"))
        }
        try await ledger.record(PurchaseCompleted(orderId: "O-2", amount: usd("5.00")), for: "C1", occurredAt: day("2024-04-02"))

        // Still not in the file, and erased after a reopen.
        ledger.close()
        for text in Self.personalTexts {
            #expect(try !folder.dataFileContains(text), "\(text) is in data.mdb")
        }
        let reopened = try Ledger.open(at: folder.path, masterKey: key)
        defer { reopened.close() }
        #expect(try reopened.profile(of: "C1")?.name?.value == .erased)
        #expect(try reopened.profile(of: "C2")?.name?.value == .value(Self.name))
        let protection = try reopened.personalDataProtection()
        #expect(protection.encryption == .masterKey)
        #expect(protection.customerKeys == 1)
        #expect(protection.erasedCustomers == 1)
    }

    @Test func aWrongKeyFailsAtOpenAndNoKeyReadsLocked() async throws {
        let folder = Folder()
        let key = MasterKey.random()
        do {
            let ledger = try Ledger.open(at: folder.path, masterKey: key)
            defer { ledger.close() }
            try await Self.fill(ledger)
        }
        #expect {
            try Ledger.open(at: folder.path, masterKey: MasterKey.random())
        } throws: { error in
            let error = error as! LedgerError
            return error.code == .wrongMasterKey && error.message.contains("does not open the ledger")
        }

        let locked = try Ledger.open(at: folder.path)
        defer { locked.close() }
        let profile = try #require(try locked.profile(of: "C1"))
        #expect(profile.name?.value == .locked)
        #expect(profile.emails.map(\.value) == [.locked])
        #expect(profile.city?.value == .locked)
        #expect(profile.kind?.value == .person)
        #expect(profile.orderCount == 1)
        #expect(profile.tagNames == ["vip"])
        let records = try locked.customerEvents(of: "C1")
        #expect(records.map(\.personalData) == [.locked, .locked, .locked, .readable, .locked, .locked])
        #expect(try locked.populationReport(asOf: AsOf(time: day("2024-06-01"))).customers == 1)
        let protection = try locked.personalDataProtection()
        #expect(protection.encryption == .masterKey && !protection.masterKeyGiven)

        await #expect {
            try await locked.record(CustomerUpdated(traits: CustomerTraits(city: "Basel")), for: "C1", occurredAt: day("2024-04-01"))
        } throws: { error in
            let error = error as! LedgerError
            return error.code == .personalDataLocked && error.message.contains("opened without its master key")
        }
        // Facts without personal data need no key.
        try await locked.record(CustomerTagged(tag: "loyal"), for: "C1", occurredAt: day("2024-04-01"))
        try await locked.record(PurchaseCompleted(orderId: "O-3", amount: usd("1.00")), for: "C9", occurredAt: day("2024-04-01"))
    }

    @Test func aLedgerIsEncryptedFromItsFirstEventEvenWithoutPersonalData() async throws {
        let folder = Folder()
        let key = MasterKey.random()
        do {
            let ledger = try Ledger.open(at: folder.path, masterKey: key)
            defer { ledger.close() }
            #expect(try ledger.personalDataProtection().encryption == .masterKey)
            try await ledger.record(PurchaseCompleted(orderId: "O-1", amount: usd("1.00")), for: "C1", occurredAt: day("2024-01-01"))
        }
        #expect(throws: LedgerError.self) { try Ledger.open(at: folder.path, masterKey: MasterKey.random()) }
        let ledger = try Ledger.open(at: folder.path, masterKey: key)
        defer { ledger.close() }
        try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: Self.name)), for: "C1", occurredAt: day("2024-01-02"))
        #expect(try ledger.profile(of: "C1")?.name?.value == .value(Self.name))
        #expect(try !folder.dataFileContains(Self.name))
    }

    @Test func anEmptyLedgerOpenedWithoutAKeyStoresInClearAndSaysSo() async throws {
        let folder = Folder()
        let ledger = try Ledger.open(at: folder.path)
        defer { ledger.close() }
        #expect(try ledger.personalDataProtection().encryption == .undecided)
        try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: Self.name)), for: "C1", occurredAt: day("2024-01-02"))
        #expect(try ledger.personalDataProtection().encryption == .none)
        #expect(try ledger.customerEvents(of: "C1").map(\.personalData) == [.readable])
    }

    @Test func aMasterKeyFileMustHoldThirtyTwoRawBytes() throws {
        let folder = Folder()
        try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
        let file = folder.url.appendingPathComponent("key.hex")
        try Data(String(repeating: "ab", count: 32).utf8).write(to: file)
        #expect {
            try MasterKey(contentsOfFile: file.path)
        } throws: { error in
            let error = error as! LedgerError
            return error.code == .wrongMasterKey && error.message.contains("holds 64 bytes") && error.message.contains("hex")
        }
        #expect {
            try MasterKey(contentsOfFile: folder.url.appendingPathComponent("missing").path)
        } throws: { error in
            (error as! LedgerError).message.contains("There is no master key file at")
        }
        let raw = MasterKey.random().rawBytes
        try Data(raw).write(to: file)
        #expect(try MasterKey(contentsOfFile: file.path).rawBytes == raw)
    }

    @Test func aRetriedRecordWithTheSameIDIsIdempotentOnAnEncryptedLedger() async throws {
        let folder = Folder()
        let ledger = try Ledger.open(at: folder.path, masterKey: MasterKey.random())
        defer { ledger.close() }
        let id = EventID()
        let event = CustomerRegistered(traits: CustomerTraits(kind: .person, name: Self.name))
        let first = try await ledger.record(event, for: "C1", occurredAt: day("2024-01-02"), id: id)
        let retry = try await ledger.record(event, for: "C1", occurredAt: day("2024-01-02"), id: id)
        #expect(retry.wasAlreadyStored)
        #expect(retry.positions == first.positions)
    }

    @Test func forgettingASurvivorErasesTheCustomersMergedIntoIt() async throws {
        let folder = Folder()
        let ledger = try Ledger.open(at: folder.path, masterKey: MasterKey.random())
        defer { ledger.close() }
        try await Self.fill(ledger, customer: "C1")
        try await Self.fill(ledger, customer: "C2")
        try await ledger.merge(["C2"], into: "C1", occurredAt: day("2024-03-01"))
        try await ledger.forget("C1")
        #expect(try ledger.customerEvents(of: "C2").contains { $0.personalData == .erased })
        #expect(try !ledger.customerEvents(of: "C2").contains { $0.personalData == .readable && $0.event.payload is CustomerRegistered })
        await #expect(throws: LedgerError.self) {
            try await ledger.record(ContactAdded(ContactPoint(kind: .phone, value: "+1 555")), for: "C2", occurredAt: day("2024-04-01"))
        }
    }

    @Test func aLedgerCreatedWithoutAKeyRefusesToForgetAndToTakeAKeyLater() async throws {
        let folder = Folder()
        do {
            let ledger = try Ledger.open(at: folder.path)
            defer { ledger.close() }
            try await Self.fill(ledger)
            #expect(try ledger.personalDataProtection().encryption == .none)
            await #expect {
                try await ledger.forget("C1")
            } throws: { error in
                let error = error as! LedgerError
                return error.code == .erasureUnavailable
                    && error.message.contains("created without a master key")
                    && error.message.contains("stored in clear")
                    && error.message.contains("no key to destroy")
            }
            #expect(try ledger.profile(of: "C1")?.forgottenAt == nil)
        }
        #expect(try Folder.dataFileContainsPlain(folder, Self.name))
        #expect {
            try Ledger.open(at: folder.path, masterKey: MasterKey.random())
        } throws: { error in
            (error as! LedgerError).message.contains("created without a master key")
        }
    }

    @Test func rotationRewrapsTheKeysSoOnlyTheNewKeyOpens() async throws {
        let folder = Folder()
        let old = MasterKey.random()
        let new = MasterKey.random()
        do {
            let ledger = try Ledger.open(at: folder.path, masterKey: old)
            defer { ledger.close() }
            for index in 1...5 { try await Self.fill(ledger, customer: try StreamID("C\(index)")) }
            try await ledger.forget("C5")
            let before = try ledger.readAllBytes()
            try await ledger.rotateMasterKey(to: new, batchSize: 2)
            #expect(try ledger.readAllBytes() == before, "no event changes")
            #expect(try ledger.profile(of: "C3")?.name?.value == .value(Self.name))
            try await Self.fill(ledger, customer: "C6")
        }
        #expect(throws: LedgerError.self) { try Ledger.open(at: folder.path, masterKey: old) }
        let ledger = try Ledger.open(at: folder.path, masterKey: new)
        defer { ledger.close() }
        for index in [1, 2, 3, 4, 6] {
            #expect(try ledger.profile(of: try StreamID("C\(index)"))?.name?.value == .value(Self.name))
        }
        #expect(try ledger.profile(of: "C5")?.name?.value == .erased)
        #expect(try ledger.personalDataProtection().rotationUnfinished == false)
    }

    @Test func anInterruptedRotationOpensWithEitherKeyAndFinishesWhenRunAgain() async throws {
        let folder = Folder()
        let old = MasterKey.random()
        let new = MasterKey.random()
        do {
            let ledger = try Ledger.open(at: folder.path, masterKey: old)
            defer { ledger.close() }
            for index in 1...6 { try await Self.fill(ledger, customer: try StreamID("C\(index)")) }
            // A crash after the first of three batches.
            await #expect(throws: LedgerError.self) { try await ledger.personalKeys.rotate(to: new, batchSize: 2, stoppingAfter: 1) }
        }
        do {
            // Mid-rotation both keys open; each reads the customers its key wraps.
            let withNew = try Ledger.open(at: folder.path, masterKey: new)
            let statuses: [Personal<String>?] = try (1...6).map { try withNew.profile(of: try StreamID("C\($0)"))?.name?.value }
            #expect(statuses.filter { $0 == Personal.value(Self.name) }.count == 2)
            #expect(statuses.filter { $0 == Personal.locked }.count == 4)
            #expect(try withNew.personalDataProtection().rotationUnfinished)
            await #expect(throws: LedgerError.self) { try await withNew.rotateMasterKey(to: new) }
            withNew.close()
        }
        do {
            let withOld = try Ledger.open(at: folder.path, masterKey: old)
            defer { withOld.close() }
            await #expect(throws: LedgerError.self) { try await withOld.rotateMasterKey(to: MasterKey.random()) }
            try await withOld.rotateMasterKey(to: new)
        }
        #expect(throws: LedgerError.self) { try Ledger.open(at: folder.path, masterKey: old) }
        let ledger = try Ledger.open(at: folder.path, masterKey: new)
        defer { ledger.close() }
        for index in 1...6 {
            #expect(try ledger.profile(of: try StreamID("C\(index)"))?.name?.value == .value(Self.name))
        }
    }

    struct LoyaltyNote: CustomerEventPayload {
        static let eventType = "acme.loyalty.note"
        static let personalFields: Set<String> = ["nickname", "note"]
        var points: Int
        var nickname: String?
        var note: String?
    }

    @Test func aHostTypeMarksItsOwnPersonalFields() async throws {
        let folder = Folder()
        let key = MasterKey.random()
        do {
            let ledger = try Ledger.open(at: folder.path, masterKey: key)
            defer { ledger.close() }
            try await ledger.record(LoyaltyNote(points: 70, nickname: "Zyx-Nick", note: "Zyx secret note"), for: "C1", occurredAt: day("2024-01-01"))
            var stored: [RecordedEvent] = []
            try ledger.readStream("C1") { stored.append($0) }
            #expect(stored[0].contentType == .sealedJSON)
            // Through the ledger: opened.
            let record = try ledger.customerEventRecord(stored[0])
            guard case .other(let opened) = record.event else { Issue.record("not a host event"); return }
            #expect(opened.contentType == .json)
            #expect(try opened.decode(as: LoyaltyNote.self) == LoyaltyNote(points: 70, nickname: "Zyx-Nick", note: "Zyx secret note"))
            // Raw, without keys: the personal fields are left out.
            #expect(try stored[0].decode(as: LoyaltyNote.self) == LoyaltyNote(points: 70))
            var registry = EventTypeRegistry()
            try registry.register(LoyaltyNote.self)
            #expect(try registry.decode(stored[0]) as? LoyaltyNote == LoyaltyNote(points: 70))
            // A raw append of its JSON is sealed too.
            try await ledger.append(
                [ProposedEvent(type: LoyaltyNote.eventType, payload: Data(#"{"nickname":"Zyx-Raw","points":1}"#.utf8))], to: "C2"
            )
            var last: RecordedEvent?
            try ledger.store.readLog(from: .start, direction: .forward, filter: .all, limit: .max) { last = $0 }
            let revealed = try ledger.revealed(try #require(last))
            #expect(String(decoding: revealed.event.payload, as: UTF8.self) == #"{"nickname":"Zyx-Raw","points":1}"#)
        }
        for text in ["Zyx-Nick", "Zyx secret note", "Zyx-Raw"] {
            #expect(try !folder.dataFileContains(text), "\(text) is in data.mdb")
        }
        let locked = try Ledger.open(at: folder.path)
        defer { locked.close() }
        var stored: [RecordedEvent] = []
        try locked.readStream("C1") { stored.append($0) }
        let record = try locked.customerEventRecord(stored[0])
        #expect(record.personalData == .locked)
        let revealed = try locked.revealed(stored[0])
        #expect(String(decoding: revealed.event.payload, as: UTF8.self) == #"{"nickname":null,"note":null,"points":70}"#)
    }

    @Test func theBuiltInPersonalFieldsAreTheOnesTheBinaryLayoutSeals() throws {
        // Every field of every built-in type filled; the personal ones must be exactly
        // those the layout sets apart.
        let samples: [any CustomerEventPayload] = [
            CustomerRegistered(
                traits: CustomerTraits(
                    kind: .company, name: "n", industry: "i", contactPerson: ContactPerson(name: "p", title: "t"), address: "a",
                    city: "c", country: "k", firstContact: day("2024-01-01"), contractValue: usd("1.00"), dates: ["birthday": "2000-01-01"]
                ),
                contacts: [ContactPoint(kind: .email, value: "e")], owner: "o", tags: ["g"]
            ),
            ContactAdded(ContactPoint(kind: .phone, value: "v")), ContactRemoved(kind: .phone, value: "v"),
            InteractionRecorded(interactionId: "I", channel: .chat, direction: .outbound, subject: "s", notes: "n", agent: "a", outcome: "o", nextAction: NextAction(description: "d", dueAt: day("2024-01-01"))),
            FollowUpCompleted(interactionId: "I", outcome: "o", notes: "n"),
            RefundIssued(orderId: "O", amount: usd("1.00"), reason: "r"), OrderCancelled(orderId: "O", reason: "r"),
            ComplaintOpened(complaintId: "K", category: "c", severity: .low, description: "d"), ComplaintResolved(complaintId: "K", resolution: "r"),
            SurveyAnswered(surveyId: "S", kind: .nps, score: 1, comment: "c", channel: "web"),
            PurchaseCompleted(orderId: "O", amount: usd("1.00"), channel: "web"), OwnerAssigned(owner: "o"), CustomerTagged(tag: "t"),
            ConsentChanged(channel: "email", status: .granted, lawfulBasis: .consent, source: "form"), CustomerForgotten(reason: "r"),
        ]
        for sample in samples {
            let type = Swift.type(of: sample)
            let entry = try #require(EventCoding.builtIn[type.eventType])
            let parts = try #require(entry.parts(CustomerEvent(sample)!))
            let count = Self.personalValueCount(parts.personal)
            #expect(count == Self.expectedCount(type.personalFields), "\(type.eventType): \(count) personal values, \(type.personalFields)")
            #expect(entry.hasPersonalFields == !type.personalFields.isEmpty, "\(type.eventType)")
        }
    }

    /// How many `string`s a personal section holds.
    static func personalValueCount(_ bytes: [UInt8]) -> Int {
        var count = 0
        var offset = 0
        while offset < bytes.count {
            offset += 1 + Int(bytes[offset])  // short strings: one length byte
            count += 1
        }
        return count
    }

    /// Values in a sample with one entry per collection.
    static func expectedCount(_ fields: Set<String>) -> Int { fields.count }
}

extension PrivacyTests.Folder {
    static func dataFileContainsPlain(_ folder: PrivacyTests.Folder, _ text: String) throws -> Bool {
        try folder.dataFileContains(text)
    }
}

extension Ledger {
    /// Every stored event's bytes, in log order.
    func readAllBytes() throws -> [Data] {
        var payloads: [Data] = []
        try store.readLog(from: .start, direction: .forward, filter: .all, limit: .max) { payloads.append($0.payload) }
        return payloads
    }
}
