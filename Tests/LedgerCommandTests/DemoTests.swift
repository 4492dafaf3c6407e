import CustomerLedger
import Foundation
import Testing

@Suite struct DemoTests {
    @Test func demoIsDeterministicAndASecondRunAddsNothing() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let first = try await LedgerTool.run(["demo", "--path", ledger])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stderr.isEmpty)
            let stored = try storedEvents(at: ledger)
            #expect(first.stdoutLines[0] == "Demo data in \(ledger): 40 customers, \(stored.count) events; \(stored.count) written, 0 already present.")
            #expect((300...800).contains(stored.count))
            #expect(Set(stored.map(\.stream)).count == 40)
            #expect(Set(stored.map(\.type)) == ["customer.registered", "interaction.recorded", "purchase.completed", "refund.issued", "survey.answered"])
            #expect(stored.allSatisfy { $0.contentType == .json && $0.metadata.actor != nil })
            #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.occurredAt <= $1.occurredAt })
            for section in ["EVENT TYPE", "Most active customers:", "Timeline of C2024"] {
                #expect(first.stdout.contains(section))
            }

            let second = try await LedgerTool.run(["demo", "--path", ledger])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdoutLines[0] == "Demo data in \(ledger): 40 customers, \(stored.count) events; 0 written, \(stored.count) already present.")
            #expect(try storedEvents(at: ledger) == stored)

            // Another ledger gets the very same events (apart from when they were recorded).
            let other = folder.appendingPathComponent("other").path
            _ = try await LedgerTool.run(["demo", "--path", other])
            let copy = try storedEvents(at: other)
            #expect(copy.map(\.id) == stored.map(\.id))
            #expect(copy.map(\.payload) == stored.map(\.payload))
            #expect(copy.map(\.occurredAt) == stored.map(\.occurredAt))
            #expect(copy.map(\.metadata) == stored.map(\.metadata))
        }
    }

    @Test func purchasesCarryDecimalStringAmounts() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            _ = try await LedgerTool.run(["demo", "--path", ledger])
            let purchases = try storedEvents(at: ledger).filter { $0.type == "purchase.completed" }
            #expect(!purchases.isEmpty)
            for purchase in purchases {
                let payload = try #require(try JSONSerialization.jsonObject(with: purchase.payload) as? [String: Any])
                let amount = try #require(payload["amount"] as? String)
                #expect(amount.wholeMatch(of: /[0-9]+\.[0-9]{2}/) != nil)
                #expect(["EUR", "GBP", "CHF", "DKK", "SEK"].contains(payload["currency"] as? String ?? ""))
                #expect(purchase.metadata.correlationID == payload["orderId"] as? String)
            }
        }
    }
}
