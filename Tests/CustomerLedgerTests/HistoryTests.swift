import CustomerLedger
import Foundation
import Testing

@Suite struct HistoryTests {
    @Test func recordsTypedEventsAndReadsThemBack() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(
            CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada")), for: "C1", occurredAt: day("2024-01-10")
        )
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("12.30")), for: "C1", occurredAt: day("2024-02-01"))
        let history = try ledger.history(of: "C1")
        #expect(history.records.count == 2)
        guard case .purchaseCompleted(let purchase) = history.records[1].event else {
            Issue.record("expected a purchase, got \(history.records[1].event)")
            return
        }
        #expect(purchase.amount == Money(minorUnits: 1230, currency: .usd))
    }

    @Test func theInPlaceReadGivesWhatTheRecordedEventsDecodeTo() async throws {
        // history(of:) decodes payloads in place from the map; customerEvents(of:) goes
        // through RecordedEvent. Both must give the same records: binary and JSON
        // built-ins, a host's own type, metadata, and events out of time order.
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let metadata = EventMetadata(correlationID: "corr-1", actor: "maria", custom: ["source": "crm"])
        try await ledger.record(
            CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada")), for: "C1", occurredAt: day("2024-01-10"), metadata: metadata
        )
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("12.30"), channel: "web"), for: "C1", occurredAt: day("2024-03-01"))
        let json = try PurchaseCompleted(orderId: "O0", amount: usd("4.50")).jsonData()
        _ = try await ledger.append([StreamAppend(stream: "C1", events: [
            ProposedEvent(type: PurchaseCompleted.eventType, occurredAt: day("2024-02-01"), contentType: .json, payload: json),
            ProposedEvent(type: "acme.pointsEarned", occurredAt: day("2024-02-15"), payload: Data(#"{"points":5}"#.utf8)),
        ])])
        try await ledger.record(RefundIssued(orderId: "O1", amount: usd("2")), for: "C1", occurredAt: day("2024-01-20"))
        let expected = try ledger.customerEvents(of: "C1").sorted { ($0.occurredAt, $0.position) < ($1.occurredAt, $1.position) }
        let history = try ledger.history(of: "C1")
        #expect(history.records == expected)
        #expect(history.records.map(\.position.rawValue) == [1, 5, 3, 4, 2])
        #expect(history.records[0].metadata == metadata)
        let view = AsOf(time: day("2024-02-10"))
        #expect(try ledger.history(of: "C1", asOf: view).records == expected.filter(view.includes))
    }

    @Test func aHistoryKnowsTheCustomerWasForgottenAfterItsPointOfView() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada")), for: "C1", occurredAt: day("2024-01-10"))
        try await ledger.record(CustomerForgotten(reason: "GDPR request"), for: "C1", occurredAt: day("2024-02-01"))
        let before = AsOf(time: day("2024-01-15"))
        let history = try ledger.history(of: "C1", asOf: before)
        #expect(history.records.count == 1)
        // One read serves the profile: the personal data is gone from every point of view.
        let profile = try #require(CustomerProfile(history: history))
        #expect(profile.name?.value == .erased)
        #expect(profile == (try ledger.profile(of: "C1", asOf: before)))
        // A history built by hand knows only its records.
        let byHand = CustomerHistory(requested: "C1", customer: "C1", mergedCustomers: [], asOf: before, records: history.records)
        #expect(byHand == history)
        #expect(CustomerProfile(history: byHand)?.name?.value == .value("Ada"))
    }

    @Test func aMergedCustomerResolvesToTheSurvivorUntilUnmerged() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(PurchaseCompleted(orderId: "A1", amount: usd("1")), for: "A", occurredAt: day("2024-01-01"))
        try await ledger.record(PurchaseCompleted(orderId: "B1", amount: usd("2")), for: "B", occurredAt: day("2024-01-02"))
        try await ledger.merge(["B"], into: "A", occurredAt: day("2024-02-01"))
        let merged = try ledger.history(of: "B")
        #expect(merged.customer == "A")
        #expect(merged.mergedCustomers == ["B"])
        #expect(merged.records.filter { if case .purchaseCompleted = $0.event { true } else { false } }.count == 2)
        // As of before the merge, B stands alone.
        let before = try ledger.history(of: "B", asOf: AsOf(time: day("2024-01-15")))
        #expect(before.customer == "B")
        try await ledger.unmerge(["B"], from: "A", occurredAt: day("2024-03-01"))
        #expect(try ledger.history(of: "B").customer == "B")
        #expect(try ledger.history(of: "A").mergedCustomers.isEmpty)
    }

    @Test func asOfPositionShowsWhatTheLedgerKnewThen() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let first = try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("5")), for: "C1", occurredAt: day("2024-01-01"))
        // A late-recorded purchase that happened earlier.
        try await ledger.record(PurchaseCompleted(orderId: "O0", amount: usd("7")), for: "C1", occurredAt: day("2023-12-01"))
        #expect(try ledger.history(of: "C1").records.map(\.position.rawValue) == [2, 1])
        let knownThen = try ledger.history(of: "C1", asOf: AsOf(knownAt: .position(first.positions.upperBound)))
        #expect(knownThen.records.map(\.position.rawValue) == [1])
    }

    @Test func populationPassAttributesEventsToSurvivors() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(PurchaseCompleted(orderId: "A1", amount: usd("1")), for: "A", occurredAt: day("2024-01-01"))
        try await ledger.record(PurchaseCompleted(orderId: "B1", amount: usd("2")), for: "B", occurredAt: day("2024-01-02"))
        try await ledger.merge(["B"], into: "A", occurredAt: day("2024-02-01"))
        var owners: [String: Int] = [:]
        try ledger.forEachCustomerEvent { owner, record in
            if case .purchaseCompleted = record.event { owners[owner.rawValue, default: 0] += 1 }
        }
        #expect(owners == ["A": 2])
    }
}
