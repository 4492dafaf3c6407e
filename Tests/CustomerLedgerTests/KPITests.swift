import CustomerLedger
import Foundation
import Testing

fileprivate func eur(_ amount: String) -> Money { try! Money(amount, .eur) }

fileprivate func buy(_ ledger: Ledger, _ customer: StreamID, _ order: String, _ amount: Money, on date: String) async throws {
    try await ledger.record(PurchaseCompleted(orderId: order, amount: amount), for: customer, occurredAt: day(date))
}

@Suite struct KPITests {
    /// The second quarter of 2024: [2024-04-01, 2024-07-01).
    static let from = day("2024-04-01")
    static let to = day("2024-07-01")

    fileprivate func populate(_ ledger: Ledger) async throws {
        // A: growth at the start (two purchases, the last 31 days before), buys in the period.
        try await buy(ledger, "A", "A1", usd("100"), on: "2024-01-10")
        try await buy(ledger, "A", "A2", usd("50"), on: "2024-03-01")
        try await buy(ledger, "A", "A3", usd("30"), on: "2024-05-01")
        try await ledger.record(RefundIssued(orderId: "A3", amount: usd("10")), for: "A", occurredAt: day("2024-05-05"))
        // B: declining at the start (2023-12-01 is 122 days before); churns at +180 days =
        // 2024-05-29, in the period. A refund in the period of an order from before it.
        try await buy(ledger, "B", "B1", usd("80"), on: "2023-12-01")
        try await ledger.record(RefundIssued(orderId: "B1", amount: usd("5")), for: "B", occurredAt: day("2024-04-15"))
        // C: first purchase ever in the period: new and active; two EUR orders too.
        try await buy(ledger, "C", "C1", usd("20"), on: "2024-06-15")
        try await buy(ledger, "C", "C2", eur("10.00"), on: "2024-06-16")
        try await buy(ledger, "C", "C3", eur("10.01"), on: "2024-06-17")
        // D: churned at the start (2023-06-01 + 180 = 2023-11-28), comes back in the period:
        // active, not new, not in the starting base.
        try await buy(ledger, "D", "D1", usd("15"), on: "2023-06-01")
        try await buy(ledger, "D", "D2", usd("40"), on: "2024-04-10")
        // E: new at the start (2024-01-05, 87 days before); its next purchase is at exactly
        // the period's end, so outside it; it churns after the period (2024-07-03).
        try await buy(ledger, "E", "E1", usd("60"), on: "2024-01-05")
        try await buy(ledger, "E", "E2", usd("70"), on: "2024-07-01")
        // F: a big order in the period, cancelled: counts for nothing.
        try await buy(ledger, "F", "F1", usd("1000"), on: "2024-05-10")
        try await ledger.record(OrderCancelled(orderId: "F1"), for: "F", occurredAt: day("2024-05-11"))
        // G: churned the day before the period (2023-10-03 + 180 = 2024-03-31).
        try await buy(ledger, "G", "G1", usd("25"), on: "2023-10-03")
        // H: churns at exactly the period's first instant (2023-10-04 + 180 = 2024-04-01):
        // active just before the period, churned in it.
        try await buy(ledger, "H", "H1", usd("25"), on: "2023-10-04")
    }

    @Test func theQuarterWorkedByHand() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await populate(ledger)
        let report = try ledger.kpis(from: Self.from, to: Self.to)

        #expect(report.activeCustomers == 3)        // A, C, D (E's order is at `to`; F's is cancelled)
        #expect(report.newCustomers == 1)           // C
        #expect(report.activeAtStart == 4)          // A growth, B declining, E new, H declining
        #expect(report.churnedFromActive == 2)      // B on 05-29, H on 04-01
        #expect(report.enteredChurned == 2)
        #expect(report.retainedCustomers == 1)      // A
        #expect(report.churnRate == KPIRate(numerator: 2, denominator: 4))
        #expect(report.churnRate.value == 0.5)
        #expect(report.retentionRate.value == 0.25)
        // USD: orders A3 $30, C1 $20, D2 $40 = $90 in 3 orders; refunds in the period
        // $10 (A3) + $5 (B1) = $15; revenue $75; average 75 / 3 = $25.00.
        let dollars = try #require(report.revenue[.usd])
        #expect(dollars.orders == 3)
        #expect(dollars.sales == usd("90"))
        #expect(dollars.refunds == usd("15"))
        #expect(dollars.revenue == usd("75"))
        #expect(dollars.averageOrderValue == usd("25"))
        // EUR: 10.00 + 10.01 = 20.01 in 2 orders: 10.005 rounds half away from zero to 10.01.
        let euros = try #require(report.revenue[.eur])
        #expect(euros.revenue == eur("20.01"))
        #expect(euros.averageOrderValue == eur("10.01"))
        #expect(report.policy == .standard)
    }

    @Test func asOfBeforeThePeriodEndsCountsOnlyWhatHadHappened() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await populate(ledger)
        // As of 2024-05-15: B has not churned yet (05-29); A (05-01) and D (04-10) bought;
        // F's order was cancelled on 05-11.
        let report = try ledger.kpis(from: Self.from, to: Self.to, asOf: AsOf(time: day("2024-05-15")))
        #expect(report.activeCustomers == 2)
        #expect(report.churnedFromActive == 1)      // H only
        #expect(report.newCustomers == 0)
        #expect(report.revenue[.usd]?.revenue == usd("55"))  // 30 + 40 − 10 − 5
    }

    @Test func aLateRecordedCancellationChangesWhatWasKnown() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buy(ledger, "F", "F1", usd("1000"), on: "2024-05-10")
        let before = try #require(try ledger.streamInfo("F")).lastPosition
        try await ledger.record(OrderCancelled(orderId: "F1"), for: "F", occurredAt: day("2024-05-11"))
        let knownThen = try ledger.kpis(from: Self.from, to: Self.to, asOf: AsOf(time: Self.to, knownAt: .position(before)))
        #expect(knownThen.activeCustomers == 1)
        #expect(knownThen.revenue[.usd]?.revenue == usd("1000"))
        let now = try ledger.kpis(from: Self.from, to: Self.to)
        #expect(now.activeCustomers == 0)
        #expect(now.revenue.isEmpty)
    }
}
