import CustomerLedger
import Foundation
import Testing

/// The demo on a small data set (`--customers 200`), so the suite stays fast.
@Suite(.timeLimit(.minutes(2))) struct DemoTests {
    @Test func demoIsDeterministicAndASecondRunAddsNothing() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let first = try await LedgerTool.run(["demo", "--path", ledger, "--customers", "200", "--batch-size", "500"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stderr.isEmpty)
            let stored = try storedEvents(at: ledger)
            #expect(first.stdoutLines[0] == "Demo data in \(ledger): 200 customers, \(stored.count) events; \(stored.count) written, 0 already present.")
            #expect(stored.count > 200 * 10)
            #expect(Set(stored.map(\.stream)).count == 200)
            let types = Set(stored.map(\.type))
            for type in [
                "customer.registered", "interaction.recorded", "followUp.completed", "purchase.completed", "refund.issued",
                "order.cancelled", "complaint.opened", "complaint.resolved", "survey.answered", "consent.changed",
                "customer.tagged", "customers.merged", "customers.unmerged",
            ] {
                #expect(types.contains(type), "no \(type) event")
            }
            #expect(stored.allSatisfy { $0.metadata.actor != nil })
            #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.occurredAt <= $1.occurredAt })
            // Every event decodes as a typed event.
            for event in stored { _ = try CustomerEventRecord(event) }
            // A merge is on both streams, in the same batch, next to each other.
            let merges = stored.enumerated().filter { $0.element.type == "customers.merged" }
            #expect(merges.count >= 4 && merges.count % 2 == 0)
            for pair in stride(from: 0, to: merges.count, by: 2) {
                #expect(merges[pair].offset + 1 == merges[pair + 1].offset)
                #expect(merges[pair].element.payload == merges[pair + 1].element.payload)
                #expect(merges[pair].element.stream != merges[pair + 1].element.stream)
            }
            #expect(first.stdout.contains("Dashboard as of 2025-12-31"))

            let second = try await LedgerTool.run(["demo", "--path", ledger, "--customers", "200", "--batch-size", "500"])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdoutLines[0] == "Demo data in \(ledger): 200 customers, \(stored.count) events; 0 written, \(stored.count) already present.")
            #expect(try storedEvents(at: ledger) == stored)

            // Another ledger gets the very same events (apart from when they were recorded),
            // whatever the batch size.
            let other = folder.appendingPathComponent("other").path
            let copyRun = try await LedgerTool.run(["demo", "--path", other, "--customers", "200"])
            #expect(copyRun.status == 0, "\(copyRun.stderr)")
            let copy = try storedEvents(at: other)
            #expect(copy.map(\.id) == stored.map(\.id))
            #expect(copy.map(\.payload) == stored.map(\.payload))
            #expect(copy.map(\.occurredAt) == stored.map(\.occurredAt))
            #expect(copy.map(\.metadata) == stored.map(\.metadata))
        }
    }

    @Test func purchasesCarryExactUSDAmounts() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let run = try await LedgerTool.run(["demo", "--path", ledger, "--customers", "50"])
            #expect(run.status == 0, "\(run.stderr)")
            var purchases = 0
            for event in try storedEvents(at: ledger) {
                guard case .purchaseCompleted(let purchase) = try CustomerEventRecord(event).event else { continue }
                purchases += 1
                #expect(purchase.amount.currency == .usd)
                #expect(purchase.amount.minorUnits > 0)
                #expect(event.metadata.correlationID == purchase.orderId)
                if !purchase.lines.isEmpty {
                    #expect(purchase.lines.reduce(0) { $0 + $1.amount.minorUnits } == purchase.amount.minorUnits)
                }
            }
            #expect(purchases > 0)
        }
    }

    @Test func aBadSizeIsOneErrorLine() async throws {
        let run = try await LedgerTool.run(["demo", "--path", "/nonexistent/never", "--customers", "0"])
        #expect(run.status != 0)
        #expect(run.stderrLines.count == 1)
        #expect(run.stderrLines.first?.hasPrefix("error: ") == true)
    }
}
