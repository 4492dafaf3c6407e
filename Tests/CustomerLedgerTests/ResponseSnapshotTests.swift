import CustomerLedger
import Foundation
import Testing

/// A survey response snapshots the customer's tier and lifecycle stage when it is recorded.
@Suite struct ResponseSnapshotTests {
    @Test func recordFillsTierAndStageAtTheResponseTime() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(
            CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada")), for: "C1", occurredAt: day("2024-01-01")
        )
        try await ledger.record(SurveyAnswered(surveyId: "S0", kind: .nps, score: 8), for: "C1", occurredAt: day("2024-01-02"))
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("50")), for: "C1", occurredAt: day("2024-02-01"))
        // One purchase 9 days before: a new customer; any purchase makes the tier ordinary.
        try await ledger.record(SurveyAnswered(surveyId: "S1", kind: .nps, score: 9), for: "C1", occurredAt: day("2024-02-10"))
        // 200 days after the only purchase: churned.
        try await ledger.record(SurveyAnswered(surveyId: "S2", kind: .csat, score: 2), for: "C1", occurredAt: day("2024-08-19"))
        let responses = try ledger.history(of: "C1").records.compactMap { record -> SurveyAnswered? in
            if case .surveyAnswered(let response) = record.event { return response }
            return nil
        }
        #expect(responses.map(\.tierAtResponse) == [.potential, .ordinary, .ordinary])
        #expect(responses.map(\.stageAtResponse) == [.prospect, .new, .churned])
    }

    @Test func givenSnapshotsAreKept() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let given = SurveyAnswered(surveyId: "S1", kind: .ces, score: 6, tierAtResponse: .core, stageAtResponse: .mature)
        try await ledger.record(given, for: "C1", occurredAt: day("2024-02-10"))
        guard case .surveyAnswered(let stored) = try ledger.history(of: "C1").records[0].event else {
            Issue.record("expected the response")
            return
        }
        #expect(stored == given)
    }
}
