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
