import CustomerLedger
import Foundation
import Testing


fileprivate let start = day("2024-01-01")
fileprivate let end = day("2025-12-31", hour: 12)

fileprivate func customer(_ index: Int) -> StreamID { StreamID(stringLiteral: "P\(1000 + index)") }

/// A varied ledger: generated histories (purchases in two currencies, refunds, surveys
/// with and without snapshots, detractors, interactions with next actions, completed
/// follow-ups, complaints), then by hand the cases whose log order differs from the order
/// things happened in: late-recorded purchases and responses, cancellations recorded
/// before and after their purchase, merges (a chain, one after the reference time) and an
/// unmerge, forgotten customers (before and after the reference time) and events after it.
fileprivate func buildLedger(_ ledger: Ledger) async throws {
    var random = SplitMix(seed: 42)
    var batch: [StreamAppend] = []
    for index in 0..<80 {
        var events: [ProposedEvent] = []
        var time = start.addingTimeInterval(Double(random.below(60 * 86_400)))
        events.append(try ProposedEvent(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "N\(index)")), occurredAt: time))
        var orders = 0
        for slot in 1..<(10 + random.below(30)) {
            time = time.addingTimeInterval(Double(random.below(40 * 86_400)))
            let roll = random.below(100)
            let payload: any CustomerEventPayload
            switch roll {
            case 0..<28:
                orders += 1
                payload = PurchaseCompleted(
                    orderId: "O-\(index)-\(orders)",
                    amount: Money(minorUnits: Int64(100 + random.below(40_000)), currency: roll < 3 ? .usd : .eur),
                    channel: roll % 2 == 0 ? "web" : nil
                )
            case 28..<33 where orders > 0:
                payload = RefundIssued(orderId: "O-\(index)-\(random.below(orders) + 1)", amount: Money(minorUnits: Int64(50 + random.below(3_000)), currency: .eur))
            case 33..<35 where orders > 0:
                payload = OrderCancelled(orderId: "O-\(index)-\(random.below(orders) + 1)")
            case 35..<50:
                let kind = SurveyKind.allCases[random.below(3)]
                payload = SurveyAnswered(
                    surveyId: "S-\(slot)", kind: kind, score: kind.scale.lowerBound + random.below(kind.scale.count),
                    dimensions: roll % 3 == 0 ? ["service": kind.scale.lowerBound + random.below(kind.scale.count)] : nil,
                    channel: roll % 4 == 0 ? nil : (roll % 2 == 0 ? "email" : "web"),
                    tierAtResponse: roll % 5 == 0 ? nil : Tier.allCases[random.below(Tier.allCases.count)],
                    stageAtResponse: roll % 7 == 0 ? nil : LifecycleStage.allCases[random.below(LifecycleStage.allCases.count)]
                )
            case 50..<55:
                payload = FollowUpCompleted(interactionId: "I-\(index)-\(random.below(slot))")
            case 55..<58:
                payload = ComplaintOpened(complaintId: "K-\(index)-\(slot)", category: "delivery", severity: .medium)
            case 58..<60:
                payload = ComplaintResolved(complaintId: "K-\(index)-\(random.below(slot))", resolution: "fixed")
            case 60..<62:
                payload = CustomerTagged(tag: "high-potential")
            default:
                let due = roll % 3 == 0 ? NextAction(description: "call", dueAt: time.addingTimeInterval(Double(random.below(20 * 86_400)))) : nil
                payload = InteractionRecorded(
                    interactionId: "I-\(index)-\(slot)", channel: Channel.allCases[random.below(Channel.allCases.count)],
                    direction: roll % 2 == 0 ? .inbound : .outbound, nextAction: due
                )
            }
            events.append(try ProposedEvent(payload, occurredAt: time))
        }
        batch.append(StreamAppend(stream: customer(index), events: events))
        if batch.count == 10 {
            _ = try await ledger.append(batch)
            batch.removeAll()
        }
    }
    // A customer with only a registration, and one known only after the reference time.
    try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .company, name: "Quiet")), for: "quiet", occurredAt: day("2024-03-01"))
    try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Late")), for: "future", occurredAt: day("2026-03-01"))
    // Late-recorded purchases: a day before the customer's purchases already in the log.
    for index in [3, 7, 11] {
        try await ledger.record(PurchaseCompleted(orderId: "late-\(index)", amount: Money(minorUnits: 1_000, currency: .eur)), for: customer(index), occurredAt: day("2024-01-02"))
    }
    // A cancellation recorded before its purchase, and one long after.
    try await ledger.record(OrderCancelled(orderId: "O-early"), for: customer(5), occurredAt: day("2025-06-02"))
    try await ledger.record(PurchaseCompleted(orderId: "O-early", amount: Money(minorUnits: 90_000, currency: .eur)), for: customer(5), occurredAt: day("2025-06-01"))
    try await ledger.record(OrderCancelled(orderId: "O-9-1"), for: customer(9), occurredAt: day("2025-11-01"))
    // Detractors: one answered late (recorded after the contact that closes it), one
    // with a contact at the same instant, one never followed up, one followed up late.
    try await ledger.record(InteractionRecorded(interactionId: "close-20", channel: .phone, direction: .outbound), for: customer(20), occurredAt: day("2025-12-20", hour: 10))
    try await ledger.record(SurveyAnswered(surveyId: "D1", kind: .nps, score: 2), for: customer(20), occurredAt: day("2025-12-19"))
    try await ledger.record(SurveyAnswered(surveyId: "D2", kind: .csat, score: 1), for: customer(21), occurredAt: day("2025-12-28"))
    try await ledger.record(FollowUpCompleted(interactionId: "none"), for: customer(21), occurredAt: day("2025-12-28"))
    try await ledger.record(SurveyAnswered(surveyId: "D3", kind: .nps, score: 0), for: customer(22), occurredAt: day("2025-12-30"))
    try await ledger.record(SurveyAnswered(surveyId: "D4", kind: .nps, score: 5), for: customer(23), occurredAt: day("2025-11-01"))
    try await ledger.record(InteractionRecorded(interactionId: "slow-23", channel: .email, direction: .outbound), for: customer(23), occurredAt: day("2025-11-10"))
    // Merges: 31 into 30, then 30 into 32 (a chain); 40 into 41, undone; 50 into 51 after
    // the reference time.
    try await ledger.merge([customer(31)], into: customer(30), occurredAt: day("2025-01-01"))
    try await ledger.merge([customer(30)], into: customer(32), occurredAt: day("2025-02-01"))
    try await ledger.merge([customer(40)], into: customer(41), occurredAt: day("2025-03-01"))
    try await ledger.unmerge([customer(40)], from: customer(41), occurredAt: day("2025-04-01"))
    try await ledger.merge([customer(50)], into: customer(51), occurredAt: day("2026-02-01"))
    // Events of merged customers after the merge, one late-recorded.
    try await ledger.record(PurchaseCompleted(orderId: "after-merge", amount: Money(minorUnits: 5_000, currency: .eur)), for: customer(31), occurredAt: day("2025-05-01"))
    try await ledger.record(PurchaseCompleted(orderId: "before-merge", amount: Money(minorUnits: 7_000, currency: .eur)), for: customer(30), occurredAt: day("2024-01-03"))
    // Forgotten: one before the reference time, one after it, one merged away.
    try await ledger.record(CustomerForgotten(), for: customer(60), occurredAt: day("2025-06-01"))
    try await ledger.record(CustomerForgotten(), for: customer(61), occurredAt: day("2026-01-15"))
    try await ledger.record(CustomerForgotten(), for: customer(31), occurredAt: day("2025-07-01"))
    // After the reference time.
    try await ledger.record(PurchaseCompleted(orderId: "next-year", amount: Money(minorUnits: 3_000, currency: .eur)), for: customer(1), occurredAt: day("2026-01-10"))
    try await ledger.record(SurveyAnswered(surveyId: "next", kind: .nps, score: 1), for: customer(2), occurredAt: day("2026-01-10"))
}

/// The points of view and policies the combined pass is checked at.
fileprivate func views(_ ledger: Ledger) throws -> [(AsOf, PopulationPolicies, Range<Date>?, SatisfactionInterval)] {
    let totals = try ledger.totals()
    let middle = LogPosition(totals.eventCount / 2)
    var middleRecordedAt = Date()
    try ledger.readLog(from: middle, limit: 1) { middleRecordedAt = $0.recordedAt }
    let eur = PopulationPolicies(value: ValuePolicy(currency: .eur))
    let custom = PopulationPolicies(
        lifecycle: LifecyclePolicy(recentDays: 60, churnDays: 120, winBackDays: 30),
        value: ValuePolicy(currency: .eur, window: .days(365)),
        satisfaction: SatisfactionPolicy(followUpHours: 24),
        attention: AttentionPolicy(notContactedDays: 10, complaintOpenDays: 5)
    )
    return [
        (AsOf(time: end), eur, nil, .month),
        (AsOf(time: end), .standard, nil, .quarter),
        (AsOf(time: day("2025-06-15")), custom, day("2025-01-01")..<day("2025-06-01"), .week),
        (AsOf(time: end, knownAt: .position(middle)), eur, nil, .month),
        (AsOf(time: day("2027-01-01"), knownAt: .recordedAt(middleRecordedAt)), custom, nil, .day),
        (AsOf(time: day("2027-01-01")), custom, nil, .month),
        (AsOf(time: day("2023-01-01")), eur, nil, .month),
    ]
}

@Suite struct PopulationReportTests {
    @Test func theCombinedPassEqualsEveryReportAskedAlone() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buildLedger(ledger)
        for (asOf, policies, period, interval) in try views(ledger) {
            let report = try ledger.populationReport(asOf: asOf, policies: policies, satisfactionPeriod: period, satisfactionInterval: interval)
            #expect(report.asOf == asOf)
            #expect(report.policies == policies)
            #expect(report.lifecycle == (try ledger.lifecycleDistribution(asOf: asOf, policy: policies.lifecycle)))
            #expect(report.rfm == (try ledger.rfm(asOf: asOf, policy: policies.value)))
            #expect(report.satisfaction == (try ledger.satisfactionReport(period: period, interval: interval, asOf: asOf, policy: policies.satisfaction)))
            #expect(report.attention == (try ledger.customersNeedingAttention(asOf: asOf, policy: policies.attention)))
            #expect(report.customers == report.lifecycle.customers)
            #expect(report.forgottenCustomers == report.customers - report.attention.customersExamined)
        }
    }

    @Test func theReportsAgreeWithTheOneCustomerProjections() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buildLedger(ledger)
        let asOf = AsOf(time: end)
        let policies = PopulationPolicies(value: ValuePolicy(currency: .eur))
        let report = try ledger.populationReport(asOf: asOf, policies: policies)
        // Every stream known by the reference time, resolved to its survivor.
        var survivors: Set<StreamID> = []
        for info in try ledger.streams() {
            let history = try ledger.history(of: info.stream, asOf: asOf)
            if !history.isEmpty { survivors.insert(history.customer) }
        }
        #expect(report.customers == survivors.count)
        #expect(report.mergedCustomers == 2)  // 31 and 30 into 32; 40 restored; 50 later
        #expect(!survivors.contains(customer(30)) && !survivors.contains(customer(31)) && survivors.contains(customer(32)))
        #expect(!survivors.contains("future"))
        var byStage: [LifecycleStage: Int] = [:]
        var attention: [CustomerAttention] = []
        for survivor in survivors {
            let lifecycle = try #require(try ledger.lifecycle(of: survivor, asOf: asOf))
            byStage[lifecycle.stage, default: 0] += 1
            if let one = try ledger.attention(of: survivor, asOf: asOf), one.needsAttention, survivor != customer(61) {
                attention.append(one)
            }
        }
        #expect(report.lifecycle.byStage.filter { $0.value > 0 } == byStage)
        #expect(report.attention.customers == attention.sorted { $0.customer < $1.customer })
        #expect(!report.attention.customers.contains { [customer(60), customer(61), customer(32)].contains($0.customer) })
        #expect(report.forgottenCustomers == 3)  // 60, 61 (later), and 32 through 31
        for row in report.rfm.customers {
            #expect(row.lifetimeValue == (try ledger.lifetimeValue(of: row.customer, asOf: asOf, policy: policies.value)))
        }
        // The late-recorded detractor is closed by the contact recorded before it.
        let closed = report.satisfaction.closedLoop.followUps.first { $0.customer == customer(20) && $0.surveyId == "D1" }
        #expect(closed?.status == .closedInTime)
        #expect(report.satisfaction.closedLoop.followUps.first { $0.surveyId == "D3" }?.status == .open)
        #expect(report.satisfaction.closedLoop.followUps.first { $0.surveyId == "D4" }?.status == .closedLate)
    }
}
