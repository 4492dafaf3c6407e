import CustomerLedger
import Foundation
import Testing

fileprivate func buy(_ ledger: Ledger, _ customer: StreamID, _ orderId: String, _ amount: String, _ date: Date) async throws {
    try await ledger.record(PurchaseCompleted(orderId: orderId, amount: usd(amount)), for: customer, occurredAt: date)
}

@Suite struct RFMTests {
    /// The grid of domain.md §4, one row per recency score, frequency scores 1…5.
    @Test(arguments: [
        (5, [RFMSegment.new, .potentialLoyalist, .potentialLoyalist, .champions, .champions]),
        (4, [.promising, .potentialLoyalist, .potentialLoyalist, .loyal, .loyal]),
        (3, [.aboutToSleep, .aboutToSleep, .needAttention, .loyal, .loyal]),
        (2, [.hibernating, .hibernating, .atRisk, .atRisk, .cantLoseThem]),
        (1, [.hibernating, .hibernating, .atRisk, .atRisk, .cantLoseThem]),
    ])
    func segmentGrid(recency: Int, segments: [RFMSegment]) {
        for (index, expected) in segments.enumerated() {
            #expect(RFMSegment(recencyScore: recency, frequencyScore: index + 1) == expected, "R\(recency) F\(index + 1)")
        }
    }

    /// Five customers at 2024-07-01, worked by hand. With n = 5 the score of rank r is
    /// ⌈5r/5⌉ = r.
    ///
    /// | customer | purchases (USD) | R days | F | M |
    /// |---|---|---|---|---|
    /// | A | 300 on 05-01, 200 on 06-01, 100 on 06-30 | 1 | 3 | 600 |
    /// | B | 50 on 06-30, plus M1's 25 on 06-15 (M1 merged into B) | 1 | 2 | 75 |
    /// | C | 1000 on 01-01, refund 1500 on 02-01 | 182 | 1 | −500 |
    /// | D | 10 on 03-01, 03-02, 04-01, 04-02; 999 on 06-30 cancelled | 90 | 4 | 40 |
    /// | E | 5000 on 2023-07-01 | 366 | 1 | 5000 |
    ///
    /// C: Jan 31 + Feb 29 + Mar 31 + Apr 30 + May 31 + Jun 30 = 182 days. D: Apr 2 → Jul 1
    /// = 28 + 31 + 30 + 1 = 90. E: a leap year, 366.
    /// Ties put the larger id first (lower score):
    /// - R, worst first: E(366) C(182) D(90) B(1) A(1) — A and B tie, B's id is larger,
    ///   so B = 4 and A = 5.
    /// - F, fewest first: E(1) C(1) B(2) A(3) D(4) — E before C: E = 1, C = 2.
    /// - M, lowest first: C(−500) D(40) B(75) A(600) E(5000).
    /// Segments: A R5 F4 champions; B R4 F3 potential loyalist; C R2 F2 hibernating; D R3
    /// F5 loyal; E R1 F1 hibernating.
    @Test func scoresFiveCustomersWithTiesRefundsCancellationsAndAMerge() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buy(ledger, "A", "A1", "300", day("2024-05-01"))
        try await buy(ledger, "A", "A2", "200", day("2024-06-01"))
        try await buy(ledger, "A", "A3", "100", day("2024-06-30", hour: 9))
        try await buy(ledger, "B", "B1", "50", day("2024-06-30", hour: 18))
        try await buy(ledger, "M1", "M1", "25", day("2024-06-15"))
        try await ledger.merge(["M1"], into: "B", occurredAt: day("2024-06-20"))
        try await buy(ledger, "C", "C1", "1000", day("2024-01-01"))
        try await ledger.record(RefundIssued(orderId: "C1", amount: usd("1500")), for: "C", occurredAt: day("2024-02-01"))
        for (index, date) in ["2024-03-01", "2024-03-02", "2024-04-01", "2024-04-02"].enumerated() {
            try await buy(ledger, "D", "D\(index)", "10", day(date))
        }
        try await buy(ledger, "D", "D-void", "999", day("2024-06-30", hour: 10))
        try await ledger.record(OrderCancelled(orderId: "D-void"), for: "D", occurredAt: day("2024-06-30", hour: 11))
        try await buy(ledger, "E", "E1", "5000", day("2023-07-01"))

        let report = try ledger.rfm(asOf: AsOf(time: day("2024-07-01")))
        let rows = report.customers.map {
            "\($0.customer) \($0.values.recencyDays) \($0.values.frequency) \($0.values.monetary.amountText) \($0.code) \($0.segment)"
        }
        #expect(rows == [
            "A 1 3 600.00 544 champions",
            "B 1 2 75.00 433 potentialLoyalist",
            "C 182 1 -500.00 221 hibernating",
            "D 90 4 40.00 352 loyal",
            "E 366 1 5000.00 115 hibernating",
        ])
        #expect(report.row(for: "M1") == nil)  // counted once, under B
        #expect(report.policy == .standard)
        #expect(report.windowStart == nil)
        #expect(report.segmentCounts == [.champions: 1, .loyal: 1, .potentialLoyalist: 1, .hibernating: 2])

        // A six-month window: (2024-01-01, 2024-07-01]. C's purchase at midnight on
        // 01-01 is outside (start excluded), E's too: A, B, D remain. n = 3, so rank r
        // scores ⌈5r/3⌉: 2, 4, 5. R worst first: D(90) B(1) A(1) → D 2, B 4, A 5.
        let windowed = try ledger.rfm(asOf: AsOf(time: day("2024-07-01")), policy: ValuePolicy(window: .months(6)))
        #expect(windowed.windowStart == day("2024-01-01"))
        #expect(windowed.customers.map(\.customer) == ["A", "B", "D"])
        #expect(windowed.customers.map(\.recencyScore) == [5, 4, 2])
    }

    /// Seven one-purchase customers bought on seven days: rank r of 7 scores ⌈5r/7⌉ =
    /// 1, 2, 3, 3, 4, 5, 5 (5/7→1, 10/7→2, 15/7→3, 20/7→3, 25/7→4, 30/7→5, 35/7→5).
    /// Their frequencies (and amounts) all tie, so F and M follow the ids, the larger id
    /// ranked lower: C7 has rank 1 … C1 rank 7, so in id order 5, 5, 4, 3, 3, 2, 1.
    @Test func unevenQuintilesAndAllTiedFrequencies() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        // C1 bought longest ago (2024-06-01), C7 most recently (2024-06-07).
        for index in 1...7 {
            try await buy(ledger, StreamID("C\(index)"), "O\(index)", "10", day("2024-06-0\(index)"))
        }
        let report = try ledger.rfm(asOf: AsOf(time: day("2024-06-30")))
        #expect(report.customers.map(\.recencyScore) == [1, 2, 3, 3, 4, 5, 5])
        #expect(report.customers.map(\.frequencyScore) == [5, 5, 4, 3, 3, 2, 1])
        #expect(report.customers.map(\.monetaryScore) == [5, 5, 4, 3, 3, 2, 1])
    }

    @Test func aSingleCustomerWithOnePurchaseScoresFiveEverywhere() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buy(ledger, "A", "A1", "10", day("2024-06-01"))
        // n = 1: ⌈5·1/1⌉ = 5 for R, F and M; R5 F5 is a champion of a population of one.
        let row = try #require(try ledger.rfm(asOf: AsOf(time: day("2024-06-30"))).row(for: "A"))
        #expect(row.code == "555")
        #expect(row.segment == .champions)
        #expect(row.values.recencyDays == 29)
    }

    @Test func otherCurrenciesAreLeftOutAndCounted() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buy(ledger, "A", "A1", "10", day("2024-06-01"))
        try await ledger.record(PurchaseCompleted(orderId: "E1", amount: try Money("20", .eur)), for: "E", occurredAt: day("2024-06-02"))
        try await ledger.record(PurchaseCompleted(orderId: "E2", amount: try Money("30", .eur)), for: "E", occurredAt: day("2024-06-03"))
        try await ledger.record(PurchaseCompleted(orderId: "A2", amount: try Money("5", .eur)), for: "A", occurredAt: day("2024-06-04"))
        let report = try ledger.rfm(asOf: AsOf(time: day("2024-06-30")))
        #expect(report.customers.map(\.customer) == ["A"])
        #expect(report.otherCurrencyEvents == [.eur: 3])
        #expect(report.customersOnlyInOtherCurrencies == 1)
        #expect(try ledger.mostCommonPurchaseCurrency() == .eur)
        // Scored in EUR instead, A and E both count.
        let euro = try ledger.rfm(asOf: AsOf(time: day("2024-06-30")), policy: ValuePolicy(currency: .eur))
        #expect(euro.customers.map(\.customer) == ["A", "E"])
        #expect(euro.row(for: "E")?.values.monetary == (try Money("50", .eur)))
    }

    @Test func asOfBeforeTheFirstEventScoresNobody() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buy(ledger, "A", "A1", "10", day("2024-06-01"))
        #expect(try ledger.rfm(asOf: AsOf(time: day("2024-05-31"))).customers.isEmpty)
        #expect(try ledger.value(of: "A", asOf: AsOf(time: day("2024-05-31"))).rfm == nil)
    }
}
