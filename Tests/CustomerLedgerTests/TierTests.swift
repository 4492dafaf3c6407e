import CustomerLedger
import Foundation
import Testing

/// A purchase that counts, for the pure tier rules.
fileprivate func purchase(_ orderId: String, _ amount: String, on date: Date, currency: Currency = .usd) -> PurchaseActivity.Purchase {
    PurchaseActivity.Purchase(
        orderId: orderId, occurredAt: date, amount: try! Money(amount, currency),
        position: LogPosition(rawValue: 1), eventID: EventID()
    )
}

fileprivate func refund(_ orderId: String, _ amount: String, on date: Date) -> PurchaseActivity.Refund {
    PurchaseActivity.Refund(orderId: orderId, occurredAt: date, amount: usd(amount), position: LogPosition(rawValue: 1), eventID: EventID())
}

@Suite struct TierTests {
    /// Boundaries of the default policy (core ≥ 10,000.00 and ≥ 3 purchases; key ≥
    /// 2,000.00 and ≥ 2 purchases), evaluated on 2024-07-01 over (2023-07-01, 2024-07-01].
    @Test(arguments: [
        // (amounts of purchases in the window, expected tier)
        ([String](), Tier.potential),              // nothing bought
        (["1999.99", "0.01"], .key),               // 2,000.00 and 2 purchases: key exactly
        (["1999.98", "0.01"], .ordinary),          // 1,999.99: one cent short of key
        (["5000"], .ordinary),                     // spend enough but only 1 purchase
        (["9999.99", "0.01", "0"], .core),         // 10,000.00 and 3 purchases: core exactly
        (["9999.99", "0.01"], .key),               // 10,000.00 but only 2 purchases
        (["9999.98", "0.01", "0"], .key),          // 9,999.99 with 3 purchases
    ])
    func boundaries(amounts: [String], expected: Tier) {
        let purchases = amounts.enumerated().map { purchase("O\($0.offset)", $0.element, on: day("2024-03-01")) }
        let result = TierRules.evaluate(purchases: PurchaseActivity(purchases: purchases), at: day("2024-07-01"))
        #expect(result.tier == expected)
        #expect(result.policy == .standard)
    }

    @Test func trailingWindowIsTwelveCalendarMonthsUpToAndIncludingTheMoment() {
        let activity = PurchaseActivity(purchases: [
            purchase("A", "6000", on: day("2023-07-01")),  // exactly 12 months before: outside
            purchase("B", "6000", on: day("2023-07-02")),
            purchase("C", "6000", on: day("2024-07-01")),  // at the moment itself: inside
        ])
        let result = TierRules.evaluate(purchases: activity, at: day("2024-07-01"))
        // In the window: B + C = 12,000.00 over 2 purchases → key (core needs 3).
        #expect(result.trailingNetSpend == usd("12000"))
        #expect(result.trailingPurchases == 2)
        #expect(result.tier == .key)
        #expect(result.windowStart == day("2023-07-01"))
    }

    @Test func oldOrOtherCurrencyPurchasesKeepACustomerOrdinary() {
        // Bought in 2022 only: not potential any more, nothing in the window.
        let old = TierRules.evaluate(purchases: PurchaseActivity(purchases: [purchase("A", "50000", on: day("2022-01-01"))]), at: day("2024-07-01"))
        #expect(old.tier == .ordinary)
        #expect(old.trailingNetSpend == usd("0"))
        // EUR purchases under a USD policy: counted as left out, still a customer.
        let euro = TierRules.evaluate(
            purchases: PurchaseActivity(purchases: [purchase("E", "50000", on: day("2024-05-01"), currency: .eur)]),
            at: day("2024-07-01")
        )
        #expect(euro.tier == .ordinary)
        #expect(euro.otherCurrencyEvents == 1)
    }

    @Test func refundsLowerTrailingSpendAtTheirOwnTime() {
        let activity = PurchaseActivity(
            purchases: [purchase("A", "1500", on: day("2024-01-10")), purchase("B", "1000", on: day("2024-02-10"))],
            refunds: [refund("A", "600", on: day("2024-03-01"))]
        )
        // Before the refund: 2,500.00 over 2 → key. After: 1,900.00 → ordinary.
        #expect(TierRules.evaluate(purchases: activity, at: day("2024-02-20")).tier == .key)
        #expect(TierRules.evaluate(purchases: activity, at: day("2024-03-01")).tier == .ordinary)
    }

    @Test func tierOfACustomerFromTheLedgerCountsMergedStreamsAndSkipsCancelledOrders() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(PurchaseCompleted(orderId: "A1", amount: usd("1500")), for: "A", occurredAt: day("2024-01-05"))
        try await ledger.record(PurchaseCompleted(orderId: "B1", amount: usd("700")), for: "B", occurredAt: day("2024-02-05"))
        try await ledger.record(PurchaseCompleted(orderId: "A2", amount: usd("9000")), for: "A", occurredAt: day("2024-02-06"))
        try await ledger.record(OrderCancelled(orderId: "A2"), for: "A", occurredAt: day("2024-02-07"))
        try await ledger.merge(["B"], into: "A", occurredAt: day("2024-03-01"))
        // A1 + B1 = 2,200.00 over 2 purchases (A2 cancelled) → key, for A and for B.
        let result = try ledger.tier(of: "B", asOf: AsOf(time: day("2024-04-01")))
        #expect(result.trailingNetSpend == usd("2200"))
        #expect(result.tier == .key)
        // As of before the first event: potential.
        #expect(try ledger.tier(of: "A", asOf: AsOf(time: day("2023-12-31"))).tier == .potential)
    }
}
