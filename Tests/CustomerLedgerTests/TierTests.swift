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

    /// The quarterly review 2024Q1…2025Q1 as of 2024-11-15 (2024Q4 not over, 2025Q1 not
    /// started: left out). Default thresholds: core 10,000 and 3 purchases, key 2,000
    /// and 2. A close counts the 12 months before the next quarter's first instant.
    ///
    /// | customer | events (USD) |
    /// |---|---|
    /// | K | 1500 on 2023-12-15, 1000 on 2024-02-10, refund 600 on 2024-08-01 |
    /// | X | 4000 on 2024-03-31 23:00, 4000 on 05-01, 2500 on 06-30 |
    /// | P | registered 2024-01-05, never buys |
    /// | Y | 2000 on 2023-06-30, 500 on 2023-07-01 |
    /// | Z | 2100 on 2024-04-01 00:00 (first instant of Q2), 100 on 04-02, 9000 on 05-05 cancelled |
    ///
    /// | close | K | X | P | Y | Z |
    /// |---|---|---|---|---|---|
    /// | 2023Q4 | 1500/1 ordinary | unknown | unknown | 2500/2 key | unknown |
    /// | 2024Q1 | 2500/2 key ↑ | 4000/1 ordinary ↑ | potential = | 2500/2 key = | unknown (its first event is at the close) |
    /// | 2024Q2 | 2500/2 key = | 10500/3 core ↑ | potential = | 500/1 ordinary ↓ (06-30 left the window) | 2200/2 key ↑ |
    /// | 2024Q3 | 1900/2 ordinary ↓ | core = | potential = | 0/0 ordinary = | key = |
    /// | 2024Q4 (at 11-15) | 1900/2 ordinary = | core = | potential = | ordinary = | key = |
    @Test func quarterlyReviewMovesAndLowestSpendPerTier() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        func buy(_ customer: StreamID, _ order: String, _ amount: String, _ date: Date) async throws {
            try await ledger.record(PurchaseCompleted(orderId: order, amount: usd(amount)), for: customer, occurredAt: date)
        }
        try await buy("K", "K1", "1500", day("2023-12-15"))
        try await buy("K", "K2", "1000", day("2024-02-10"))
        try await ledger.record(RefundIssued(orderId: "K1", amount: usd("600")), for: "K", occurredAt: day("2024-08-01"))
        try await buy("X", "X1", "4000", day("2024-03-31", hour: 23))
        try await buy("X", "X2", "4000", day("2024-05-01"))
        try await buy("X", "X3", "2500", day("2024-06-30", hour: 12))
        try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Pat")), for: "P", occurredAt: day("2024-01-05"))
        try await buy("Y", "Y1", "2000", day("2023-06-30"))
        try await buy("Y", "Y2", "500", day("2023-07-01"))
        try await buy("Z", "Z1", "2100", day("2024-04-01"))
        try await buy("Z", "Z2", "100", day("2024-04-02"))
        try await buy("Z", "Z3", "9000", day("2024-05-05"))
        try await ledger.record(OrderCancelled(orderId: "Z3"), for: "Z", occurredAt: day("2024-05-06"))

        let asOf = AsOf(time: day("2024-11-15"))
        let review = try ledger.tierReview(quarters: Quarter("2024Q1")!...Quarter("2025Q1")!, asOf: asOf)
        #expect(review.quarters.map(\.quarter.description) == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"])
        func lines(_ quarter: String) -> [String] {
            review.quarter(Quarter(quarter)!)!.customers.map {
                "\($0.customer) \($0.tier) \($0.previousTier?.rawValue ?? "-") \($0.direction.symbol) \($0.trailingNetSpend.amountText)/\($0.trailingPurchases)"
            }
        }
        #expect(lines("2024Q1") == [
            "K key ordinary ↑ 2500.00/2", "P potential - = 0.00/0", "X ordinary - ↑ 4000.00/1", "Y key key = 2500.00/2",
        ])
        #expect(lines("2024Q2") == [
            "K key key = 2500.00/2", "P potential potential = 0.00/0", "X core ordinary ↑ 10500.00/3",
            "Y ordinary key ↓ 500.00/1", "Z key - ↑ 2200.00/2",
        ])
        #expect(lines("2024Q3") == [
            "K ordinary key ↓ 1900.00/2", "P potential potential = 0.00/0", "X core core = 10500.00/3",
            "Y ordinary ordinary = 0.00/0", "Z key key = 2200.00/2",
        ])
        #expect(lines("2024Q4") == [
            "K ordinary ordinary = 1900.00/2", "P potential potential = 0.00/0", "X core core = 10500.00/3",
            "Y ordinary ordinary = 0.00/0", "Z key key = 2200.00/2",
        ])

        let q1 = review.quarter(Quarter("2024Q1")!)!
        #expect(q1.isComplete && q1.evaluatedAt == day("2024-04-01"))
        #expect(q1.countsByTier == [.potential: 1, .ordinary: 1, .key: 2, .core: 0])
        #expect(q1.countsByDirection == [.up: 2, .down: 0, .same: 2])
        #expect(q1.lowestSpendReaching == [.ordinary: usd("4000"), .key: usd("2500")])
        let q2 = review.quarter(Quarter("2024Q2")!)!
        #expect(q2.countsByTier == [.potential: 1, .ordinary: 1, .key: 2, .core: 1])
        #expect(q2.countsByDirection == [.up: 2, .down: 1, .same: 2])
        #expect(q2.lowestSpendReaching == [.ordinary: usd("500"), .key: usd("2200"), .core: usd("10500")])
        let q3 = review.quarter(Quarter("2024Q3")!)!
        #expect(q3.countsByDirection == [.up: 0, .down: 1, .same: 4])
        #expect(q3.lowestSpendReaching == [.ordinary: usd("0"), .key: usd("2200"), .core: usd("10500")])
        let q4 = review.quarter(Quarter("2024Q4")!)!
        #expect(!q4.isComplete && q4.evaluatedAt == day("2024-11-15"))

        // One customer's review says the same as the population's.
        let x = try ledger.tierReview(of: "X", quarters: Quarter("2024Q1")!...Quarter("2024Q4")!, asOf: asOf)
        #expect(x.quarters.map { $0.customers.first?.direction } == [.up, .up, .same, .same])
        #expect(x.quarters.map(\.customers) == review.quarters.map { $0.customers.filter { $0.customer == "X" } })
        // The pure function agrees with the close (its last instant).
        #expect(try ledger.tier(of: "X", asOf: AsOf(time: day("2024-06-30", hour: 23))).tier == .core)
        // As of a quarter's last microsecond (what the CLI's "2024-12-31" means) the quarter is over.
        let lastMicrosecond = day("2025-01-01").addingTimeInterval(-0.000_001)
        let atClose = try ledger.tierReview(quarters: Quarter("2024Q4")!...Quarter("2024Q4")!, asOf: AsOf(time: lastMicrosecond))
        #expect(atClose.quarters.map(\.isComplete) == [true])
    }
}
