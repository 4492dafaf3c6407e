import CustomerLedger
import Foundation
import Testing

fileprivate func interaction(_ ledger: Ledger, _ customer: StreamID, _ id: String, on date: Date, due: Date? = nil) async throws {
    try await ledger.record(
        InteractionRecorded(interactionId: id, channel: .phone, direction: .outbound, nextAction: due.map { NextAction(description: "call", dueAt: $0) }),
        for: customer, occurredAt: date
    )
}

fileprivate func survey(_ ledger: Ledger, _ customer: StreamID, _ kind: SurveyKind, _ score: Int, on date: Date) async throws {
    try await ledger.record(SurveyAnswered(surveyId: "S-\(customer)", kind: kind, score: score), for: customer, occurredAt: date)
}

/// Days before the reference time.
fileprivate func ago(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }
fileprivate let now = day("2024-06-30", hour: 12)

@Suite struct AttentionTests {
    @Test func everyRuleWithItsBoundaryAndEveryReasonListed() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        // Not contacted: exactly 30 days is still contacted; 30 days + 1 second is not.
        try await interaction(ledger, "contacted30", "I", on: ago(30))
        try await interaction(ledger, "contacted31", "I", on: ago(30).addingTimeInterval(-1))
        try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "N")), for: "never", occurredAt: ago(5))
        // Overdue follow-up: due one hour ago; another due exactly now is not overdue.
        try await interaction(ledger, "overdue", "I1", on: ago(2), due: ago(1.0 / 24))
        try await interaction(ledger, "dueNow", "I1", on: ago(2), due: now)
        try await interaction(ledger, "completed", "I1", on: ago(3), due: ago(2))
        try await ledger.record(FollowUpCompleted(interactionId: "I1"), for: "completed", occurredAt: ago(1))
        // Complaints: open exactly 14 days is not "longer than 14"; 15 days is.
        for (customer, days) in [("complaint14", 14.0), ("complaint15", 15.0), ("resolved", 20.0)] {
            try await interaction(ledger, StreamID(stringLiteral: customer), "I", on: ago(1))
            try await ledger.record(ComplaintOpened(complaintId: "K", category: "delivery", severity: .high), for: StreamID(stringLiteral: customer), occurredAt: ago(days))
        }
        try await ledger.record(ComplaintResolved(complaintId: "K", resolution: "refund"), for: "resolved", occurredAt: ago(10))
        // Detractors: NPS 0–6 and CSAT 1–2, unless an interaction or completed follow-up
        // came at or after the answer.
        try await interaction(ledger, "nps6", "I", on: ago(5))
        try await survey(ledger, "nps6", .nps, 6, on: ago(2))
        try await interaction(ledger, "nps7", "I", on: ago(5))
        try await survey(ledger, "nps7", .nps, 7, on: ago(2))
        try await interaction(ledger, "csat2", "I", on: ago(5))
        try await survey(ledger, "csat2", .csat, 2, on: ago(2))
        try await interaction(ledger, "csat3", "I", on: ago(5))
        try await survey(ledger, "csat3", .csat, 3, on: ago(2))
        try await survey(ledger, "followedUp", .nps, 0, on: ago(2))
        try await interaction(ledger, "followedUp", "I", on: ago(2))       // at the same instant: followed up
        try await interaction(ledger, "closedLoop", "I1", on: ago(9), due: ago(8))
        try await survey(ledger, "closedLoop", .csat, 1, on: ago(7))
        try await ledger.record(FollowUpCompleted(interactionId: "I1"), for: "closedLoop", occurredAt: ago(6))
        // Everything at once, in the order of the reasons.
        try await interaction(ledger, "all", "I1", on: ago(40), due: ago(35))
        try await ledger.record(ComplaintOpened(complaintId: "K", category: "billing", severity: .low), for: "all", occurredAt: ago(20))
        try await survey(ledger, "all", .nps, 3, on: ago(10))
        // Forgotten customers are never listed.
        try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "F")), for: "forgotten", occurredAt: ago(90))
        try await ledger.record(CustomerForgotten(), for: "forgotten", occurredAt: ago(80))

        let report = try ledger.customersNeedingAttention(asOf: AsOf(time: now))
        let expected: [StreamID: [AttentionReason]] = [
            "contacted31": [.notContacted(lastContact: ago(30).addingTimeInterval(-1))],
            "never": [.notContacted(lastContact: nil)],
            "overdue": [.overdueFollowUps(count: 1, earliestDueAt: ago(1.0 / 24))],
            "complaint15": [.longOpenComplaints(count: 1, oldestOpenedAt: ago(15))],
            "nps6": [.detractorWithoutFollowUp(respondedAt: ago(2), kind: .nps, score: 6)],
            "csat2": [.detractorWithoutFollowUp(respondedAt: ago(2), kind: .csat, score: 2)],
            "all": [
                .notContacted(lastContact: ago(40)),
                .overdueFollowUps(count: 1, earliestDueAt: ago(35)),
                .longOpenComplaints(count: 1, oldestOpenedAt: ago(20)),
                .detractorWithoutFollowUp(respondedAt: ago(10), kind: .nps, score: 3),
            ],
        ]
        #expect(Dictionary(uniqueKeysWithValues: report.customers.map { ($0.customer, $0.reasons) }) == expected)
        #expect(report.customers.map(\.customer) == report.customers.map(\.customer).sorted())
        #expect(report.customersExamined == 16)  // 17 customers, the forgotten one left out
        #expect(report.policy == .standard)

        // The one-customer view agrees.
        for customer: StreamID in ["contacted30", "contacted31", "never", "overdue", "dueNow", "all", "followedUp", "closedLoop", "nps7", "csat3"] {
            let single = try #require(try ledger.attention(of: customer, asOf: AsOf(time: now)))
            #expect(single.reasons == (expected[customer] ?? []), "\(customer)")
        }
        #expect(try ledger.attention(of: "forgotten", asOf: AsOf(time: now)) == nil)
    }

    @Test func aPolicyChangesTheWindows() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await interaction(ledger, "C1", "I", on: ago(10))
        try await ledger.record(ComplaintOpened(complaintId: "K", category: "x", severity: .low), for: "C1", occurredAt: ago(4))
        let policy = AttentionPolicy(notContactedDays: 7, complaintOpenDays: 3)
        let report = try ledger.customersNeedingAttention(asOf: AsOf(time: now), policy: policy)
        #expect(report.customers.first?.reasons == [.notContacted(lastContact: ago(10)), .longOpenComplaints(count: 1, oldestOpenedAt: ago(4))])
        #expect(report.policy == policy)
        #expect(try ledger.customersNeedingAttention(asOf: AsOf(time: now)).customers.isEmpty)
    }
}
