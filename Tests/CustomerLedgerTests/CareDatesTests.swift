import CustomerLedger
import Foundation
import Testing

fileprivate func register(_ ledger: Ledger, _ customer: StreamID, dates: [String: String], on date: String = "2024-01-01") async throws {
    try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "N", dates: dates)), for: customer, occurredAt: day(date))
}

@Suite struct CareDatesTests {
    @Test func yearlyAndOneOffDatesInTheNext30Days() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        // Today is 2024-02-20 (UTC), at 15:00: the time of day does not matter.
        let asOf = AsOf(time: day("2024-02-20", hour: 15))
        try await register(ledger, "today", dates: ["birthday": "1990-02-20"])             // 0 days
        try await register(ledger, "yesterday", dates: ["birthday": "1990-02-19"])         // next 2025-02-19: out
        try await register(ledger, "leapling", dates: ["birthday": "1988-02-29"])          // 2024-02-29: 9 days
        try await register(ledger, "march", dates: ["birthday": "1990-03-01"])             // 2024-03-01: 10 days
        try await register(ledger, "wedding", dates: ["anniversary": "2020-03-10"])        // 2024-03-10: 19 days
        try await register(ledger, "renew30", dates: ["contractRenewal": "2024-03-21"])    // 9 + 21 = 30 days: in
        try await register(ledger, "renew31", dates: ["contractRenewal": "2024-03-22"])    // 31 days: out
        try await register(ledger, "past", dates: ["contractRenewal": "2023-03-01"])       // one-off, past: out
        try await register(ledger, "moved", dates: ["birthday": "1990-08-01"])
        try await ledger.record(CustomerUpdated(traits: CustomerTraits(dates: ["birthday": "1990-03-05"])), for: "moved", occurredAt: day("2024-01-02"))  // 14 days
        try await register(ledger, "forgotten", dates: ["birthday": "1990-02-25"])
        try await ledger.record(CustomerForgotten(), for: "forgotten", occurredAt: day("2024-01-03"))

        let report = try ledger.upcomingCareDates(asOf: asOf)
        #expect(report.dates.map { "\($0.customer) \($0.name) \($0.next) \($0.daysUntil)" } == [
            "today birthday 2024-02-20 0",
            "leapling birthday 2024-02-29 9",
            "march birthday 2024-03-01 10",
            "moved birthday 2024-03-05 14",
            "wedding anniversary 2024-03-10 19",
            "renew30 contractRenewal 2024-03-21 30",
        ])
        #expect(report.dates.map(\.yearly) == [true, true, true, true, true, false])
        #expect(report.dates[1].recorded == CalendarDate("1988-02-29"))
        #expect(report.policy == .standard)

        // One customer, and 29 February in a year without it: 2025-02-28, 8 days after 02-20.
        let leap = try ledger.careDates(of: "leapling", asOf: AsOf(time: day("2025-02-20")))
        #expect(leap.map(\.next) == [CalendarDate("2025-02-28")!])
        #expect(leap.map(\.daysUntil) == [8])
        #expect(try ledger.careDates(of: "forgotten", asOf: asOf).isEmpty)

        // A longer horizon and another yearly name.
        let policy = CareDatesPolicy(horizonDays: 31, yearlyDates: ["birthday", "anniversary", "contractRenewal"])
        let wider = try ledger.upcomingCareDates(asOf: asOf, policy: policy)
        #expect(wider.dates.map(\.customer).contains("renew31"))
        // past's 2023-03-01 renewal recurs as 2024-03-01 under this policy.
        #expect(wider.dates.first { $0.customer == "past" }?.next == CalendarDate("2024-03-01"))
        #expect(wider.policy == policy)
    }
}
