import CustomerLedger
import Foundation
import Testing

fileprivate func answer(
    _ ledger: Ledger, _ customer: StreamID, _ kind: SurveyKind, _ score: Int, _ date: Date, tier: Tier? = nil,
    stage: LifecycleStage? = nil, channel: String? = nil, dimensions: [String: Int]? = nil
) async throws {
    // Appended as given, not through `record`, which would snapshot tier and stage: the
    // tests choose the snapshots, and a missing one must read as "unknown".
    let response = SurveyAnswered(surveyId: "S-\(kind.rawValue)", kind: kind, score: score, dimensions: dimensions, channel: channel, tierAtResponse: tier, stageAtResponse: stage)
    try await ledger.append([ProposedEvent(response, occurredAt: date)], to: customer)
}

fileprivate func contact(_ ledger: Ledger, _ customer: StreamID, _ date: Date, completesFollowUp: Bool = false) async throws {
    if completesFollowUp {
        try await ledger.record(FollowUpCompleted(interactionId: "I-0", outcome: "called back"), for: customer, occurredAt: date)
    } else {
        try await ledger.record(InteractionRecorded(interactionId: "I-\(date.timeIntervalSince1970)", channel: .phone, direction: .outbound), for: customer, occurredAt: date)
    }
}

@Suite struct SatisfactionTests {
    /// Scores of response sets, by hand.
    @Test(arguments: [
        // (kind, scores, headline, mean, favourable, passives, detractors)
        (SurveyKind.nps, [7, 8, 7, 8], 0.0, 7.5, 0, 4, 0),          // all passives: (0 − 0)/4 = 0
        (.nps, [9, 10, 10], 100.0, 29.0 / 3, 3, 0, 0),              // all promoters: 100
        (.nps, [0, 6], -100.0, 3.0, 0, 0, 2),                        // all detractors: −100
        (.nps, [10, 10, 10, 7, 3], 40.0, 8.0, 3, 1, 1),              // (3 − 1)/5 = 40
        (.nps, [9, 8, 7, 6], 0.0, 7.5, 1, 2, 1),                     // boundaries 9 / 8, 7 / 6: (1 − 1)/4
        (.csat, [5, 4, 3, 2, 1], 40.0, 3.0, 2, 1, 2),                // 4s and 5s: 2/5 = 40%
        (.csat, [4], 100.0, 4.0, 1, 0, 0),                           // 4 is satisfied
        (.csat, [3], 0.0, 3.0, 0, 1, 0),                             // 3 is not
        (.ces, [5, 4], 4.5, 4.5, 1, 0, 0),                           // headline is the mean; 5 agrees, 4 does not
        (.ces, [7, 1], 4.0, 4.0, 1, 0, 0),
    ] as [(SurveyKind, [Int], Double, Double, Int, Int, Int)])
    func scores(kind: SurveyKind, scores: [Int], headline: Double, mean: Double, favourable: Int, passives: Int, detractors: Int) {
        let score = SatisfactionScore(kind: kind, scores: scores)
        #expect(score.responses == scores.count)
        #expect(score.headline == headline)
        #expect(score.mean == mean)
        #expect(score.favourable == favourable)
        #expect(score.passives == passives)
        #expect(score.detractors == detractors)
        #expect(score.isSmallSample)
        if kind == .csat || kind == .ces { #expect(score.percentFavourable == 100 * Double(favourable) / Double(scores.count)) }
    }

    @Test(arguments: [(29, true), (30, false)])
    func smallSampleFlagBelowThirty(count: Int, flagged: Bool) {
        #expect(SatisfactionScore(kind: .nps, scores: Array(repeating: 9, count: count)).isSmallSample == flagged)
        #expect(SatisfactionScore(kind: .nps, scores: [9], policy: SatisfactionPolicy(smallSampleBelow: 1)).isSmallSample == false)
        #expect(SatisfactionScore.empty(.ces).headline == nil)
    }

    @Test func oneCustomerLatestMeanCountAndTrend() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await answer(ledger, "C", .nps, 6, day("2024-01-10"))
        try await answer(ledger, "C", .nps, 9, day("2024-02-10"))
        try await answer(ledger, "C", .csat, 4, day("2024-02-11"))
        let satisfaction = try ledger.satisfaction(of: "C", asOf: AsOf(time: day("2024-03-01")))
        let nps = try #require(satisfaction.surveys[.nps])
        // Latest 9, previous 6: trend +3; mean (6 + 9)/2 = 7.5.
        #expect(nps.latest == 9 && nps.previous == 6 && nps.trend == 3 && nps.mean == 7.5 && nps.count == 2)
        #expect(satisfaction.surveys[.csat]?.trend == nil)
        #expect(satisfaction.surveys[.ces] == nil)
        // The NPS 6 opened a follow-up that nobody closed: overdue by 2024-03-01.
        #expect(satisfaction.closedLoop.overdue == 1)
        // As of before the first event: nothing.
        #expect(try ledger.satisfaction(of: "C", asOf: AsOf(time: day("2024-01-09"))).surveys.isEmpty)
    }

    /// Period [2024-01-01, 2024-04-01), monthly trend, as of 2024-04-10.
    ///
    /// | customer | responses (tier / stage / channel) |
    /// |---|---|
    /// | A | NPS 10 on 01-05, NPS 3 on 01-20 (key/growth/email), NPS 8 on 02-10 (core/mature/sms, service 8, product 10) |
    /// | B | NPS 9 on 01-10 (no snapshot), NPS 0 on 03-15 (ordinary/declining/web) |
    /// | C | NPS 7 on 2023-12-31 and NPS 10 on 04-01: outside the period |
    /// | D | CSAT 2 on 02-01 (key/email), CSAT 5 on 02-03 (key/email, service 4) |
    /// | E | CES 6 on 03-03 (web) |
    ///
    /// Headline from each customer's latest: NPS A 8, B 0 → promoters 0, detractors 1 of
    /// 2 → −50; CSAT D 5 → 100 %; CES E 6 → mean 6. Responses in the period: NPS 5,
    /// CSAT 2, CES 1.
    /// Trend: January NPS A 3 (latest in January) and B 9 → (1 − 1)/2 = 0; February NPS
    /// A 8 → 0, CSAT D 5 → 100 %; March NPS B 0 → −100, CES 6.
    /// Closed loop: A's 3 (contact 47 h later: in time), D's 2 (follow-up completed 49 h
    /// later: late), B's 0 (no contact, due 03-17: overdue) → 1 in time of 3 decided.
    @Test func populationReport() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await answer(ledger, "A", .nps, 10, day("2024-01-05"), tier: .key, stage: .growth, channel: "email", dimensions: ["service": 9])
        try await contact(ledger, "A", day("2024-01-19"))  // before the detractor answered: does not close it
        try await answer(ledger, "A", .nps, 3, day("2024-01-20"), tier: .key, stage: .growth, channel: "email")
        try await contact(ledger, "A", day("2024-01-21", hour: 23))
        try await answer(ledger, "A", .nps, 8, day("2024-02-10"), tier: .core, stage: .mature, channel: "sms", dimensions: ["service": 8, "product": 10])
        try await answer(ledger, "B", .nps, 9, day("2024-01-10"))
        try await answer(ledger, "B", .nps, 0, day("2024-03-15"), tier: .ordinary, stage: .declining, channel: "web")
        try await answer(ledger, "C", .nps, 7, day("2023-12-31"))
        try await answer(ledger, "C", .nps, 10, day("2024-04-01"))
        try await answer(ledger, "D", .csat, 2, day("2024-02-01"), tier: .key, channel: "email", dimensions: ["responseSpeed": 1])
        try await contact(ledger, "D", day("2024-02-03", hour: 1), completesFollowUp: true)
        try await answer(ledger, "D", .csat, 5, day("2024-02-03"), tier: .key, channel: "email", dimensions: ["service": 4])
        try await answer(ledger, "E", .ces, 6, day("2024-03-03"), channel: "web")

        let report = try ledger.satisfactionReport(period: day("2024-01-01")..<day("2024-04-01"), interval: .month, asOf: AsOf(time: day("2024-04-10")))
        #expect(report.responses == [.nps: 5, .csat: 2, .ces: 1])
        #expect(report.headline[.nps]?.nps == -50)
        #expect(report.headline[.nps]?.responses == 2)
        #expect(report.headline[.nps]?.passives == 1)
        #expect(report.headline[.csat]?.percentFavourable == 100)
        #expect(report.headline[.csat]?.mean == 5)
        #expect(report.headline[.ces]?.mean == 6)
        #expect(report.headline[.ces]?.percentFavourable == 100)
        #expect(report.headline[.nps]?.isSmallSample == true)

        #expect(report.trend.map(\.start) == [day("2024-01-01"), day("2024-02-01"), day("2024-03-01")])
        #expect(report.trend.map { $0.scores[.nps]?.nps } == [0, 0, -100])
        #expect(report.trend.map { $0.scores[.nps]?.responses } == [2, 1, 1])
        #expect(report.trend.map { $0.scores[.csat]?.percentFavourable } == [nil, 100, nil])
        #expect(report.trend.map { $0.scores[.ces]?.mean } == [nil, nil, 6])

        func summary(_ groups: [SatisfactionGroup]) -> [String] {
            groups.map { group in
                group.name + " " + SurveyKind.allCases.map { "\($0.rawValue)=\(group.scores[$0]!.responses)" }.joined(separator: ",")
            }
        }
        #expect(summary(report.byTier) == ["core nps=1,csat=0,ces=0", "key nps=0,csat=1,ces=0", "ordinary nps=1,csat=0,ces=0", "unknown nps=0,csat=0,ces=1"])
        #expect(summary(report.byStage) == ["mature nps=1,csat=0,ces=0", "declining nps=1,csat=0,ces=0", "unknown nps=0,csat=1,ces=1"])
        #expect(summary(report.byChannel) == ["email nps=0,csat=1,ces=0", "sms nps=1,csat=0,ces=0", "web nps=1,csat=0,ces=1"])
        #expect(report.byTier.first { $0.name == "ordinary" }?.scores[.nps]?.nps == -100)
        // Dimensions of the latest responses: A's NPS product 10 and service 8, D's CSAT service 4.
        #expect(report.byDimension.map { "\($0.kind.rawValue) \($0.name) \($0.score.responses) \($0.score.mean!)" } == [
            "nps product 1 10.0", "nps service 1 8.0", "csat service 1 4.0",
        ])
        #expect(report.byDimension.last?.score.percentFavourable == 100)
        #expect(report.byDimension.map(\.headline) == [nil, nil, 100])

        let loop = report.closedLoop
        #expect(loop.followUps.map { "\($0.customer) \($0.score) \($0.status.rawValue)" } == ["A 3 closedInTime", "D 2 closedLate", "B 0 overdue"])
        #expect(loop.open == 1 && loop.overdue == 1 && loop.closed == 2 && loop.closedInTime == 1)
        #expect(loop.percentClosedInTime == 100.0 / 3)
        #expect(loop.followUps.first?.dueAt == day("2024-01-22"))
    }

    /// A detractor (NPS 4) answers at 2024-05-01 00:00; the follow-up is due 48 h later.
    @Test(arguments: [
        // (contact hours after the response, by a completed follow-up?, as-of hours, status)
        (47, false, 72, FollowUpStatus.closedInTime),
        (48, true, 72, .closedInTime),     // exactly at the due time: in time
        (0, false, 72, .closedInTime),     // at the response's own instant: "at or after"
        (49, false, 72, .closedLate),
        (-1, false, 24, .open),            // a contact before the response does not close it
        (-1, false, 48, .open),            // due, not yet past due
        (-1, false, 49, .overdue),
        (50, false, 49, .overdue),         // the contact after the as-of time is not in the view
    ] as [(Int, Bool, Int, FollowUpStatus)])
    func closedLoop(contactHours: Int, completesFollowUp: Bool, asOfHours: Int, status: FollowUpStatus) async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let responded = day("2024-05-01")
        try await answer(ledger, "C", .nps, 4, responded)
        try await contact(ledger, "C", responded.addingTimeInterval(Double(contactHours) * 3600), completesFollowUp: completesFollowUp)
        let asOf = AsOf(time: responded.addingTimeInterval(Double(asOfHours) * 3600))
        let report = try ledger.satisfactionReport(asOf: asOf)
        #expect(report.closedLoop.followUps.map(\.status) == [status])
        #expect(try ledger.satisfaction(of: "C", asOf: asOf).closedLoop.followUps.map(\.status) == [status])
    }

    @Test func csatDetractorsAreOneAndTwo() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        for (index, score) in [1, 2, 3].enumerated() { try await answer(ledger, StreamID("C\(index)"), .csat, score, day("2024-05-01")) }
        try await answer(ledger, "E", .ces, 1, day("2024-05-01"))  // CES has no detractors
        let report = try ledger.satisfactionReport(asOf: AsOf(time: day("2024-05-02")))
        #expect(report.closedLoop.followUps.map(\.score) == [1, 2])
        #expect(report.closedLoop.open == 2 && report.closedLoop.overdue == 0)
        #expect(report.closedLoop.percentClosedInTime == nil)
    }

    /// ISO weeks from Monday 2024-01-01: 01-01 and Sunday 01-07 share a bucket (the
    /// customer's latest, 10, counts), 01-08 starts the next, 01-15 has no response (an
    /// empty point), 01-22 the last.
    @Test func weeklyTrendWithAGap() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await answer(ledger, "A", .nps, 0, day("2024-01-01"))
        try await answer(ledger, "A", .nps, 10, day("2024-01-07", hour: 23))
        try await answer(ledger, "A", .nps, 8, day("2024-01-08"))
        try await answer(ledger, "A", .nps, 5, day("2024-01-24"))
        let report = try ledger.satisfactionReport(interval: .week, asOf: AsOf(time: day("2024-02-01")))
        #expect(report.trend.map(\.start) == [day("2024-01-01"), day("2024-01-08"), day("2024-01-15"), day("2024-01-22")])
        #expect(report.trend.map { $0.scores[.nps]!.nps } == [100, 0, nil, -100])
        #expect(report.trend.map { $0.scores[.nps]!.responses } == [1, 1, 0, 1])
    }

    @Test(arguments: [
        (SatisfactionInterval.day, "2024-02-29", "2024-03-01"),
        (.week, "2024-02-26", "2024-03-04"),  // Thursday 2024-02-29 is in the week of Monday 02-26
        (.month, "2024-02-01", "2024-03-01"),
        (.quarter, "2024-01-01", "2024-04-01"),
    ])
    func bucketBoundaries(interval: SatisfactionInterval, start: String, end: String) {
        let bucket = interval.start(of: day("2024-02-29", hour: 15))
        #expect(bucket == day(start))
        #expect(interval.end(ofBucketStartingAt: bucket) == day(end))
    }

    @Test func aMergedCustomerCountsOnceUnderTheSurvivor() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await answer(ledger, "S", .nps, 7, day("2024-01-02"))
        try await answer(ledger, "M", .nps, 10, day("2024-01-03"))
        try await ledger.merge(["M"], into: "S", occurredAt: day("2024-01-05"))
        let report = try ledger.satisfactionReport(asOf: AsOf(time: day("2024-02-01")))
        // One customer, latest response M's 10: a promoter of one → NPS 100.
        #expect(report.responses[.nps] == 2)
        #expect(report.headline[.nps]?.responses == 1)
        #expect(report.headline[.nps]?.nps == 100)
        #expect(try ledger.satisfaction(of: "M", asOf: AsOf(time: day("2024-02-01"))).surveys[.nps]?.count == 2)
        // As of before the first event: an empty report.
        let empty = try ledger.satisfactionReport(asOf: AsOf(time: day("2024-01-01")))
        #expect(empty.headline[.nps]?.responses == 0 && empty.trend.isEmpty && empty.closedLoop.followUps.isEmpty)
    }
}
