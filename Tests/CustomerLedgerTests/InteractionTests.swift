import CustomerLedger
import Foundation
import Testing

fileprivate func contact(
    _ ledger: Ledger, _ customer: StreamID, _ id: String, _ channel: Channel, _ direction: Direction = .outbound,
    on date: String, hour: Int = 0, due: Date? = nil, notes: String? = nil
) async throws {
    try await ledger.record(
        InteractionRecorded(interactionId: id, channel: channel, direction: direction, notes: notes, nextAction: due.map { NextAction(description: "call back", dueAt: $0) }),
        for: customer, occurredAt: day(date, hour: hour)
    )
}

@Suite struct InteractionTests {
    @Test func theTimelineIsNewestFirstAndFiltersByKindAndChannel() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada")), for: "C1", occurredAt: day("2024-01-01"))
        try await contact(ledger, "C1", "I1", .email, on: "2024-01-02", due: day("2024-01-05"))
        try await contact(ledger, "C1", "I2", .phone, .inbound, on: "2024-01-03")
        try await ledger.record(FollowUpCompleted(interactionId: "I1"), for: "C1", occurredAt: day("2024-01-04"))
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("5"), channel: "web"), for: "C1", occurredAt: day("2024-01-05"))
        try await ledger.record(SurveyAnswered(surveyId: "S1", kind: .nps, score: 9, channel: "email"), for: "C1", occurredAt: day("2024-01-06"))

        let all = try #require(try ledger.timeline(of: "C1"))
        #expect(all.entries.map(\.occurredAt) == ["2024-01-06", "2024-01-05", "2024-01-04", "2024-01-03", "2024-01-02", "2024-01-01"].map { day($0) })
        #expect(!all.personalDataErased)

        let interactions = try #require(try ledger.timeline(of: "C1", filter: TimelineFilter(kinds: [.interaction])))
        #expect(interactions.entries.map(\.event.kind) == [.interaction, .interaction, .interaction])

        // Email: the email interaction, its completed follow-up (by the interaction's
        // channel) and the survey answered by email; not the web purchase or the phone call.
        let email = try #require(try ledger.timeline(of: "C1", filter: TimelineFilter(channels: [.email])))
        #expect(email.entries.map(\.occurredAt) == [day("2024-01-06"), day("2024-01-04"), day("2024-01-02")])

        let both = try #require(try ledger.timeline(of: "C1", filter: TimelineFilter(kinds: [.feedback], channels: [.email, .phone])))
        #expect(both.entries.count == 1)
        #expect(try ledger.timeline(of: "C1", asOf: AsOf(time: day("2023-12-31"))) == nil)
    }

    @Test func aForgottenCustomersTimelineHasNoFreeText() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada"), contacts: [ContactPoint(kind: .email, value: "ada@example.test")]), for: "C1", occurredAt: day("2024-01-01"))
        try await contact(ledger, "C1", "I1", .phone, on: "2024-01-02", notes: "lives at 1 Main St")
        try await ledger.record(CustomerForgotten(), for: "C1", occurredAt: day("2024-02-01"))
        let timeline = try #require(try ledger.timeline(of: "C1", asOf: AsOf(time: day("2024-01-15"))))
        #expect(timeline.personalDataErased)
        guard case .interactionRecorded(let interaction) = timeline.entries[0].event,
              case .registered(let registration) = timeline.entries[1].event
        else {
            Issue.record("unexpected entries \(timeline.entries.map(\.event))")
            return
        }
        #expect(interaction.notes == nil)
        #expect(interaction.channel == .phone)
        #expect(registration.traits.name == nil)
        #expect(registration.contacts.map(\.value) == [""])
    }

    @Test func channelMixLastContactAndFollowUpsOfOneCustomer() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await contact(ledger, "C1", "I1", .email, on: "2024-03-01", due: day("2024-03-10"))
        try await contact(ledger, "C1", "I2", .email, .inbound, on: "2024-03-05")
        try await contact(ledger, "C1", "I3", .phone, on: "2024-03-06", due: day("2024-03-20"))
        try await contact(ledger, "C1", "I4", .visit, on: "2024-03-07", due: day("2024-03-08"))
        try await ledger.record(FollowUpCompleted(interactionId: "I4", outcome: "done"), for: "C1", occurredAt: day("2024-03-08"))

        // As of 2024-03-20: I1 (due 03-10) is overdue; I3 is due exactly now: open, not
        // overdue ("overdue" is due strictly before now); I4 is completed.
        let view = try #require(try ledger.interactions(of: "C1", asOf: AsOf(time: day("2024-03-20"))))
        #expect(view.channelMix.total == 4)
        #expect(view.channelMix.byChannel[.email] == 2)
        #expect(view.channelMix.byChannel[.phone] == 1)
        #expect(view.channelMix.byChannel[.chat] == 0)
        #expect(view.channelMix.byDirection == [.inbound: 1, .outbound: 3])
        #expect(view.channelMix.share(of: .email) == 0.5)
        #expect(view.lastContact == [.email: day("2024-03-05"), .phone: day("2024-03-06"), .visit: day("2024-03-07")])
        #expect(view.lastInteraction == day("2024-03-07"))
        #expect(view.openFollowUps.map(\.interactionId) == ["I1", "I3"])
        #expect(view.overdueFollowUps.map(\.interactionId) == ["I1"])
        #expect(view.followUps.first { $0.interactionId == "I4" }?.outcome == "done")
        // One second later I3 is overdue too.
        let later = try #require(try ledger.interactions(of: "C1", asOf: AsOf(time: day("2024-03-20").addingTimeInterval(1))))
        #expect(later.overdueFollowUps.map(\.interactionId) == ["I1", "I3"])
    }

    @Test func overallChannelMixAndOpenFollowUpsCountMergedCustomersOnce() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await contact(ledger, "A", "A1", .email, on: "2024-03-01", due: day("2024-03-05"))
        try await contact(ledger, "B", "B1", .email, on: "2024-03-02")
        try await contact(ledger, "B", "B2", .chat, on: "2024-03-03", due: day("2024-04-01"))
        try await contact(ledger, "C", "C1", .phone, on: "2024-03-04")
        // Recorded before the interaction it completes (which is recorded late): still closes it.
        try await ledger.record(FollowUpCompleted(interactionId: "C2"), for: "C", occurredAt: day("2024-03-06"))
        try await contact(ledger, "C", "C2", .phone, on: "2024-03-05", due: day("2024-03-06"))
        try await ledger.merge(["B"], into: "A", occurredAt: day("2024-03-10"))

        let report = try ledger.channelMix(asOf: AsOf(time: day("2024-03-15")))
        #expect(report.mix.total == 5)
        #expect(report.mix.byChannel[.email] == 2)
        #expect(report.mix.byChannel[.phone] == 2)
        #expect(report.mix.byChannel[.chat] == 1)
        // A (with B folded in) used email and chat; C used phone.
        #expect(report.customersByChannel[.email] == 1)
        #expect(report.customersByChannel[.chat] == 1)
        #expect(report.customersByChannel[.phone] == 1)
        #expect(report.customersContacted == 2)

        let followUps = try ledger.openFollowUps(asOf: AsOf(time: day("2024-03-15")))
        #expect(followUps.open.map(\.interactionId) == ["A1", "B2"])
        #expect(followUps.owners == ["A", "A"])
        #expect(followUps.overdueCount == 1)
        #expect(followUps.overdue.map(\.interactionId) == ["A1"])
    }
}
