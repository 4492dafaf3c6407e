import CustomerLedger
import Foundation
import Testing

/// The profile, lifecycle, satisfaction, interaction and attention views are built from
/// `Projection`s a host could have written: their states fold the same in any order, and
/// every way of running them (one customer, the population, persistent) gives the views
/// the ledger gives.
@Suite struct BuiltInViewProjectionTests {
    static let customers = 12

    /// Every kind of event the views read, back-dated at random so that log order is not
    /// time order, with a merge of two customers into a third.
    static func mixedLedger(_ ledger: Ledger, seed: UInt64) async throws {
        var random = SplitMix(seed: seed)
        let start = day("2024-01-01")
        func when() -> Date { start.addingTimeInterval(Double(random.below(500 * 24)) * 3_600) }
        for customer in 0..<customers {
            try await ledger.record(
                CustomerRegistered(
                    traits: CustomerTraits(kind: .person, name: "Name \(customer)", city: "City \(random.below(3))"),
                    contacts: [ContactPoint(kind: .email, value: "c\(customer)@example.com", isPrimary: random.below(2) == 0)],
                    owner: "agent\(random.below(3))", tags: ["t\(random.below(3))"]
                ),
                for: try StreamID("C\(customer)"), occurredAt: when()
            )
        }
        let channels: [Channel] = [.phone, .email, .chat]
        for step in 0..<(customers * 30) {
            let customer = try StreamID("C\(random.below(customers))")
            let occurredAt = when()
            let event: any CustomerEventPayload = switch random.below(17) {
            case 0: CustomerUpdated(traits: CustomerTraits(
                name: "Name \(step)", country: random.below(2) == 0 ? "NL" : nil,
                firstContact: random.below(4) == 0 ? when() : nil, dates: ["birthday": "1980-0\(1 + random.below(9))-1\(random.below(10))"]
            ))
            case 1: ContactAdded(ContactPoint(kind: random.pick([.phone, .email]), value: "v\(random.below(4))", isPrimary: random.below(2) == 0))
            case 2: ContactRemoved(kind: random.pick([.phone, .email]), value: "v\(random.below(4))")
            case 3: CustomerTagged(tag: "t\(random.below(3))")
            case 4: CustomerUntagged(tag: "t\(random.below(3))")
            case 5: ConsentChanged(channel: random.pick(["email", "sms"]), status: random.pick([.granted, .withdrawn]), lawfulBasis: .consent)
            case 6: OwnerAssigned(owner: "agent\(random.below(3))")
            case 7, 8: InteractionRecorded(
                interactionId: "I\(random.below(customers * 8))", channel: random.pick(channels), direction: random.pick([.inbound, .outbound]),
                nextAction: random.below(2) == 0 ? NextAction(description: "call back \(step)", dueAt: occurredAt.addingTimeInterval(86_400 * Double(random.below(20)))) : nil
            )
            case 9: FollowUpCompleted(interactionId: "I\(random.below(customers * 8))", outcome: "done \(step)")
            case 10: ComplaintOpened(complaintId: "K\(random.below(customers * 3))", category: "billing", severity: .medium)
            case 11: ComplaintResolved(complaintId: "K\(random.below(customers * 3))", resolution: "fixed")
            case 12: SurveyAnswered(surveyId: "S\(step)", kind: .nps, score: random.below(11))
            case 13: SurveyAnswered(surveyId: "S\(step)", kind: random.pick([.csat, .ces]), score: 1 + random.below(5))
            case 14: RefundIssued(orderId: "O\(random.below(customers * 6))", amount: usd("\(1 + random.below(40)).00"))
            case 15: OrderCancelled(orderId: "O\(random.below(customers * 6))")
            default: PurchaseCompleted(orderId: "O\(random.below(customers * 6))", amount: usd("\(1 + random.below(300)).50"))
            }
            try await ledger.record(event, for: customer, occurredAt: occurredAt)
        }
        try await ledger.merge(["C1", "C2"], into: "C0", occurredAt: start.addingTimeInterval(200 * 86_400))
    }

    /// The five views of one customer from the states of the built-in projections.
    struct Views: Equatable {
        var profile: CustomerProfile?
        var lifecycle: CustomerLifecycle?
        var satisfaction: CustomerSatisfaction
        var interactions: CustomerInteractions
        var attention: CustomerAttention

        init(
            _ customer: StreamID, asOf: AsOf, profile: ProfileState, lifecycle: LifecycleState,
            satisfaction: SatisfactionState, interactions: InteractionsState, attention: AttentionState
        ) {
            self.profile = CustomerProfile(state: profile, customer: customer, asOf: asOf)
            self.lifecycle = CustomerLifecycle(state: lifecycle, customer: customer, asOf: asOf)
            self.satisfaction = CustomerSatisfaction(state: satisfaction, customer: customer, asOf: asOf)
            self.interactions = CustomerInteractions(state: interactions, customer: customer, asOf: asOf)
            self.attention = CustomerAttention(state: attention, customer: customer, at: asOf.time)
        }

        /// What the ledger's own one-customer views give (the profile's naming of the id
        /// asked for and of the merged customers left out: a state does not know them).
        init(ledger: Ledger, _ customer: StreamID, asOf: AsOf) throws {
            var profile = try ledger.profile(of: customer, asOf: asOf)
            if let survivor = profile?.customer { profile?.requested = survivor }
            profile?.mergedCustomers = []
            self.profile = profile
            lifecycle = try ledger.lifecycle(of: customer, asOf: asOf)
            satisfaction = try ledger.satisfaction(of: customer, asOf: asOf)
            interactions = try #require(try ledger.interactions(of: customer, asOf: asOf))
            attention = try #require(try ledger.attention(of: customer, asOf: asOf))
        }
    }

    /// Compares view by view, naming the one that differs.
    static func expectSame(_ found: Views, _ expected: Views, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(found.profile == expected.profile, "profile of \(what)", sourceLocation: sourceLocation)
        #expect(found.lifecycle == expected.lifecycle, "lifecycle of \(what)", sourceLocation: sourceLocation)
        #expect(found.satisfaction == expected.satisfaction, "satisfaction of \(what)", sourceLocation: sourceLocation)
        #expect(found.interactions == expected.interactions, "interactions of \(what)", sourceLocation: sourceLocation)
        #expect(found.attention == expected.attention, "attention of \(what)", sourceLocation: sourceLocation)
    }

    static func fold(_ records: [CustomerEventRecord], _ customer: StreamID, asOf: AsOf) -> Views {
        var profile = ProfileState(), lifecycle = LifecycleState(), satisfaction = SatisfactionState()
        var interactions = InteractionsState(), attention = AttentionState()
        for record in records {
            profile.add(record)
            lifecycle.add(record)
            satisfaction.add(record)
            interactions.add(record)
            attention.add(record)
        }
        return Views(customer, asOf: asOf, profile: profile, lifecycle: lifecycle, satisfaction: satisfaction, interactions: interactions, attention: attention)
    }

    @Test func eachStateFoldsTheSameInAnyOrder() async throws {
        let fixture = try LedgerFixture()
        try await Self.mixedLedger(fixture.ledger, seed: 7)
        var random = SplitMix(seed: 9)
        let asOf = AsOf(time: day("2025-06-01"))
        for customer in [0, 3, 4, 5] {
            let id = try StreamID("C\(customer)")
            let history = try fixture.ledger.history(of: id, asOf: asOf)
            let expected = try Views(ledger: fixture.ledger, id, asOf: asOf)
            Self.expectSame(Self.fold(history.records, id, asOf: asOf), expected, "C\(customer) in time order")
            let inLogOrder = history.records.sorted { $0.position < $1.position }
            Self.expectSame(Self.fold(inLogOrder, id, asOf: asOf), expected, "C\(customer) in log order")
            for round in 0..<10 {
                Self.expectSame(Self.fold(history.records.shuffled(using: &random), id, asOf: asOf), expected, "C\(customer) shuffled \(round)")
            }
        }
    }

    @Test func onDemandThroughTheProtocolGivesTheLedgersViews() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await Self.mixedLedger(ledger, seed: 21)
        let pointsOfView = [
            AsOf(time: day("2024-03-01")), AsOf(time: day("2025-06-01")),
            // Half the log: before the merge, which is recorded last.
            AsOf(time: day("2025-06-01"), knownAt: .position(LogPosition(rawValue: 180))),
        ]
        for asOf in pointsOfView {
            for customer in 0..<Self.customers {
                let id = try StreamID("C\(customer)")
                let history = try ledger.history(of: id, asOf: asOf)
                guard !history.isEmpty else { continue }
                let views = Views(
                    history.customer, asOf: asOf,
                    profile: try ledger.project(ProfileProjection(), for: id, asOf: asOf),
                    lifecycle: try ledger.project(LifecycleProjection(), for: id, asOf: asOf),
                    satisfaction: try ledger.project(SatisfactionProjection(), for: id, asOf: asOf),
                    interactions: try ledger.project(InteractionsProjection(), for: id, asOf: asOf),
                    attention: try ledger.project(AttentionProjection(), for: id, asOf: asOf)
                )
                Self.expectSame(views, try Views(ledger: ledger, id, asOf: asOf), "C\(customer) as of \(asOf)")
            }
        }
    }

    @Test func thePopulationRunGivesEachCustomersViews() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await Self.mixedLedger(ledger, seed: 33)
        let asOf = AsOf(time: day("2025-02-01"))
        let profiles = try ledger.project(ProfileProjection(), asOf: asOf)
        let lifecycles = try ledger.project(LifecycleProjection(), asOf: asOf)
        let satisfaction = try ledger.project(SatisfactionProjection(), asOf: asOf)
        let interactions = try ledger.project(InteractionsProjection(), asOf: asOf)
        let attention = try ledger.project(AttentionProjection(), asOf: asOf)
        #expect(profiles["C1"] == nil && profiles["C2"] == nil, "merged customers fold into their survivor")
        for key in profiles.keys {
            let id = try StreamID(key)
            let views = Views(
                id, asOf: asOf, profile: profiles[key]!, lifecycle: lifecycles[key] ?? LifecycleState(),
                satisfaction: satisfaction[key] ?? SatisfactionState(), interactions: interactions[key] ?? InteractionsState(),
                attention: attention[key] ?? AttentionState()
            )
            Self.expectSame(views, try Views(ledger: ledger, id, asOf: asOf), key)
        }
        #expect(profiles.count == Self.customers - 2)
    }

    @Test func persistentStatesSurviveStorageAndGiveTheViewsOfNow() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await Self.mixedLedger(ledger, seed: 45)
        let profile = try await ledger.startProjection(ProfileProjection())
        let lifecycle = try await ledger.startProjection(LifecycleProjection())
        let satisfaction = try await ledger.startProjection(SatisfactionProjection())
        let interactions = try await ledger.startProjection(InteractionsProjection())
        let attention = try await ledger.startProjection(AttentionProjection())
        try await profile.waitUntilCaughtUp()
        try await lifecycle.waitUntilCaughtUp()
        try await satisfaction.waitUntilCaughtUp()
        try await interactions.waitUntilCaughtUp()
        try await attention.waitUntilCaughtUp()
        // Everything the ledger knows, whenever it happened. Stored states are kept per
        // customer stream, so the customers of the merge are left out here.
        let asOf = AsOf(time: .distantFuture)
        for customer in 3..<Self.customers {
            let id = try StreamID("C\(customer)")
            let views = Views(
                id, asOf: asOf,
                profile: try #require(try profile.state(for: id.rawValue)),
                lifecycle: try #require(try lifecycle.state(for: id.rawValue)),
                satisfaction: try satisfaction.state(for: id.rawValue) ?? SatisfactionState(),
                interactions: try interactions.state(for: id.rawValue) ?? InteractionsState(),
                attention: try attention.state(for: id.rawValue) ?? AttentionState()
            )
            Self.expectSame(views, try Views(ledger: ledger, id, asOf: asOf), "C\(customer)")
        }
    }
}
