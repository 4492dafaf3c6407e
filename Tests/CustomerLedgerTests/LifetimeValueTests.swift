import CustomerLedger
import Foundation
import Testing

@Suite struct LifetimeValueTests {
    /// Customer L, reference date 2024-04-01, its events recorded out of `occurredAt`
    /// order (so the population pass must recount the days):
    /// - 2024-01-10: 100.00 at 10:00 and 50.00 at 15:00 → one day, 150.00 (the first day)
    /// - 2024-02-10: 30.00 and 20.00 → one day, 50.00
    /// - 2024-02-20: 400.00, cancelled → counts for nothing, not a purchase day
    /// - 2024-03-01: 70.00
    /// - 2024-03-05: refund 200.00 of the first order
    ///
    /// frequency = 3 days − 1 = 2; recency = Jan 10 → Mar 1 = 31 + 20 = 51 days (Feb 2024
    /// has 29); T = Jan 10 → Apr 1 = 31 + 29 + 22 = 82 days; monetary = (50 + 70) / 2 =
    /// 60.0; historic = 150 + 50 + 70 − 200 = 70.00.
    @Test func lifetimesInputsSumSameDayPurchasesAndSkipCancelledOrders() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(PurchaseCompleted(orderId: "O5", amount: usd("70")), for: "L", occurredAt: day("2024-03-01"))
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("100")), for: "L", occurredAt: day("2024-01-10", hour: 10))
        try await ledger.record(PurchaseCompleted(orderId: "O3", amount: usd("30")), for: "L", occurredAt: day("2024-02-10", hour: 8))
        try await ledger.record(PurchaseCompleted(orderId: "O2", amount: usd("50")), for: "L", occurredAt: day("2024-01-10", hour: 15))
        try await ledger.record(PurchaseCompleted(orderId: "O4", amount: usd("20")), for: "L", occurredAt: day("2024-02-10", hour: 20))
        try await ledger.record(PurchaseCompleted(orderId: "X", amount: usd("400")), for: "L", occurredAt: day("2024-02-20"))
        try await ledger.record(OrderCancelled(orderId: "X"), for: "L", occurredAt: day("2024-02-21"))
        try await ledger.record(RefundIssued(orderId: "O1", amount: usd("200")), for: "L", occurredAt: day("2024-03-05"))

        let asOf = AsOf(time: day("2024-04-01"))
        let single = try ledger.lifetimeValue(of: "L", asOf: asOf)
        let expected = LifetimesInputs(frequency: 2, recency: 51, T: 82, repeatSpend: usd("120"))
        #expect(single.inputs == expected)
        #expect(single.inputs?.monetary == 60.0)
        #expect(single.historic == usd("70"))
        #expect(single.purchases == 5)
        let population = try ledger.lifetimeValues(asOf: asOf)
        #expect(population.customers == [single])
        #expect(population.totalHistoric == usd("70"))
    }

    /// One purchase day: frequency 0, recency 0, monetary 0. A refund larger than the
    /// purchase: historic 100 − 150 = −50.00.
    @Test(arguments: [
        // (purchases as (amount, day), refund, expected historic, frequency, recency, T)
        ([("100", "2024-01-01")], "150", "-50.00", 0, 0, 31),
        ([("100", "2024-01-01"), ("40", "2024-01-01")], nil, "140.00", 0, 0, 31),
        ([("100", "2024-01-01"), ("40", "2024-01-31")], nil, "140.00", 1, 30, 31),
    ] as [([(String, String)], String?, String, Int, Int, Int)])
    func onePurchaseDayAndRefundsLargerThanThePurchase(
        purchases: [(String, String)], refund: String?, historic: String, frequency: Int, recency: Int, T: Int
    ) async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        for (index, purchase) in purchases.enumerated() {
            try await ledger.record(PurchaseCompleted(orderId: "O\(index)", amount: usd(purchase.0)), for: "C", occurredAt: day(purchase.1))
        }
        if let refund {
            try await ledger.record(RefundIssued(orderId: "O0", amount: usd(refund)), for: "C", occurredAt: day("2024-01-15"))
        }
        // Reference 2024-02-01: T = 31 days after 2024-01-01.
        let value = try ledger.lifetimeValue(of: "C", asOf: AsOf(time: day("2024-02-01")))
        #expect(value.historic.amountText == historic)
        #expect(value.inputs?.frequency == frequency)
        #expect(value.inputs?.recency == recency)
        #expect(value.inputs?.T == T)
        #expect(value.inputs?.monetary == (frequency == 0 ? 0 : 40))
    }

    @Test func aMergedCustomerIsOneRowUnderTheSurvivor() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(PurchaseCompleted(orderId: "A1", amount: usd("10")), for: "A", occurredAt: day("2024-01-01"))
        try await ledger.record(PurchaseCompleted(orderId: "B1", amount: usd("15")), for: "B", occurredAt: day("2024-01-05"))
        try await ledger.merge(["B"], into: "A", occurredAt: day("2024-02-01"))
        let report = try ledger.lifetimeValues(asOf: AsOf(time: day("2024-03-01")))
        #expect(report.customers.map(\.customer) == ["A"])
        // Two purchase days: frequency 1, monetary 15; historic 25.
        #expect(report.customers.first?.inputs?.frequency == 1)
        #expect(report.customers.first?.historic == usd("25"))
        #expect(try ledger.lifetimeValue(of: "B", asOf: AsOf(time: day("2024-03-01"))) == report.customers.first)
    }

    @Test func asOfBeforeTheFirstPurchaseHasNoInputs() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(PurchaseCompleted(orderId: "A1", amount: usd("10")), for: "A", occurredAt: day("2024-01-01"))
        let before = try ledger.lifetimeValue(of: "A", asOf: AsOf(time: day("2023-12-31")))
        #expect(before.inputs == nil)
        #expect(before.historic == usd("0"))
        #expect(try ledger.lifetimeValues(asOf: AsOf(time: day("2023-12-31"))).customers.isEmpty)
    }
}
