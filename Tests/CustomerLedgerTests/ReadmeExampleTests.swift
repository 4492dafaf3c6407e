import CustomerLedger
import Foundation
import Testing

/// The README's embedding example, kept compiling and true.
@Suite struct ReadmeExampleTests {
    @Test func embeddingExampleWorks() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(
            CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada Lovelace")),
            for: "C20240501001", occurredAt: Date(), expecting: .noStream
        )
        try await ledger.record(
            PurchaseCompleted(orderId: "O-17", amount: try Money("129.90", .eur), channel: "web"),
            for: "C20240501001", occurredAt: Date(),
            metadata: EventMetadata(correlationID: "req-42", actor: "checkout")
        )
        let history = try ledger.history(of: "C20240501001")
        let lifecycle = CustomerLifecycle(history: history)
        #expect(lifecycle?.stage == .new)
        #expect(lifecycle?.highestStage == .customer)
        let rfm = try ledger.rfm(policy: ValuePolicy(currency: .eur))
        #expect(rfm.customers.map(\.customer) == ["C20240501001"])
        var seen: [String] = []
        for try await event in ledger.subscribe(after: .start) {
            seen.append(event.type)
            if seen.count == 2 { break }
        }
        #expect(seen == ["customer.registered", "purchase.completed"])
    }
}
