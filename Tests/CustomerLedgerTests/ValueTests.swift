import CustomerLedger
import Foundation
import Testing

@Suite struct ValueTests {
    /// One customer at 2024-06-30: purchases 120.00 (02-01), 80.00 (05-01), 60.00
    /// (06-01, cancelled), refund 30.00 of the first (06-10), and a 25.00 EUR purchase.
    /// Gross 200.00, refunded 30.00, net 170.00; R = 05-01 → 06-30 = 60 days; F = 2.
    @Test func oneCustomersValue() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("120")), for: "C", occurredAt: day("2024-02-01"))
        try await ledger.record(PurchaseCompleted(orderId: "O2", amount: usd("80")), for: "C", occurredAt: day("2024-05-01"))
        try await ledger.record(PurchaseCompleted(orderId: "O3", amount: usd("60")), for: "C", occurredAt: day("2024-06-01"))
        try await ledger.record(OrderCancelled(orderId: "O3"), for: "C", occurredAt: day("2024-06-02"))
        try await ledger.record(RefundIssued(orderId: "O1", amount: usd("30")), for: "C", occurredAt: day("2024-06-10"))
        try await ledger.record(PurchaseCompleted(orderId: "O4", amount: try Money("25", .eur)), for: "C", occurredAt: day("2024-06-11"))
        let value = try ledger.value(of: "C", asOf: AsOf(time: day("2024-06-30")))
        #expect(value.grossSpend == usd("200"))
        #expect(value.refunded == usd("30"))
        #expect(value.lifetimeValue.historic == usd("170"))
        #expect(value.rfm == RFMValues(recencyDays: 60, frequency: 2, monetary: usd("170")))
        #expect(value.firstPurchase == day("2024-02-01"))
        #expect(value.lastPurchase == day("2024-05-01"))
        #expect(value.otherCurrencyEvents == [.eur: 1])

        // Before the cancellation was recorded the order still counted: as of a log
        // position, the view holds what the ledger knew then.
        let known = try ledger.value(of: "C", asOf: AsOf(time: day("2024-06-30"), knownAt: .position(3)))
        #expect(known.grossSpend == usd("260"))
        #expect(known.rfm?.frequency == 3)
    }
}
