import CustomerLedger
import Foundation
import Testing

/// A hand-made customer: registered with a misspelt name, a purchase, then a name
/// correction and a cancellation that both reach back in time but were recorded weeks
/// later. Every event carries who made it and why.
private struct CorrectedCustomer {
    let fixture: LedgerFixture
    var ledger: Ledger { fixture.ledger }

    static let registeredBy = EventMetadata(correlationID: "signup-7", actor: "agent:mia")
    static let boughtBy = EventMetadata(correlationID: "order-O1", causationID: "cmd-checkout-1", actor: "system:shop")
    static let correctedBy = EventMetadata(correlationID: "ticket-42", causationID: "call-2024-03-05", actor: "agent:tom", custom: ["reason": "typo"])
    static let cancelledBy = EventMetadata(correlationID: "ticket-43", actor: "agent:tom")

    init() async throws {
        fixture = try LedgerFixture()
        func event(_ payload: some CustomerEventPayload, occurred: Date, recorded: Date, _ metadata: EventMetadata) throws -> ProposedEvent {
            var proposed = try ProposedEvent(payload, occurredAt: occurred, metadata: metadata)
            proposed.recordedAt = recorded
            return proposed
        }
        // One append each, in recording order, with the recording times a migration would keep.
        for proposed in [
            try event(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada Lovelase")), occurred: day("2024-01-10"), recorded: day("2024-01-10", hour: 1), Self.registeredBy),
            try event(PurchaseCompleted(orderId: "O1", amount: usd("100")), occurred: day("2024-02-01"), recorded: day("2024-02-01", hour: 1), Self.boughtBy),
            try event(CustomerUpdated(traits: CustomerTraits(name: "Ada Lovelace")), occurred: day("2024-01-10", hour: 12), recorded: day("2024-03-05"), Self.correctedBy),
            try event(OrderCancelled(orderId: "O1", reason: "never shipped"), occurred: day("2024-02-02"), recorded: day("2024-03-06"), Self.cancelledBy),
        ] {
            try await fixture.ledger.append([proposed], to: "C1")
        }
    }
}

/// Counts purchases per actor: a custom projection with an `Equatable` state.
private struct PurchasesPerActor: Projection {
    let name = "test.purchasesPerActor"
    let version: UInt32 = 1
    func initialState() -> [String: Int] { [:] }
    func apply(_ event: ProjectedEvent, to state: inout [String: Int]) {
        if case .purchaseCompleted = event.event { state[event.record.metadata.actor ?? "-", default: 0] += 1 }
    }
}

/// Keeps the last event type seen, in a state that is not `Equatable`.
private struct LastType: Projection {
    struct State: Sendable { var type: String? }
    let name = "test.lastType"
    let version: UInt32 = 1
    func initialState() -> State { State() }
    func apply(_ event: ProjectedEvent, to state: inout State) { state.type = event.record.event.payload.map { type(of: $0).eventType } }
}

@Suite struct AuditTests {
    @Test func asOfWhatTheLedgerKnewBeforeTheCorrectionShowsTheOldStateAndLeavesTheCorrectionOut() async throws {
        let customer = try await CorrectedCustomer()
        let asOf = AsOf(time: day("2024-02-28"), knownAt: .recordedAt(day("2024-03-01")))
        let audit = try customer.ledger.audit("C1", asOf: asOf)

        #expect(audit.profile?.name?.value == .value("Ada Lovelase"))
        #expect(audit.profile?.orderCount == 1)
        #expect(audit.value.grossSpend == usd("100"))
        #expect(audit.events.map(\.position) == [1, 2])
        #expect(audit.events.map(\.type) == ["customer.registered", "purchase.completed"])
        #expect(audit.events.map(\.actor) == ["agent:mia", "system:shop"])
        #expect(audit.events.map(\.correlationID) == ["signup-7", "order-O1"])
        #expect(audit.events.map(\.causationID) == [nil, "cmd-checkout-1"])
        #expect(audit.events[1].recordedAt == day("2024-02-01", hour: 1))
        #expect(audit.events[1].occurredAt == day("2024-02-01"))
        #expect(audit.events[1].version == 2 && audit.events[1].customer == "C1")
        // The correction and the cancellation had happened by then, but were not yet known.
        #expect(audit.uncounted.map(\.event.position) == [3, 4])
        #expect(audit.uncounted.allSatisfy { $0.recordedLater && !$0.happenedLater })
        #expect(audit.uncounted[0].event.actor == "agent:tom")
        #expect(audit.uncounted[0].event.metadata.custom == ["reason": "typo"])

        // The audit's views are the views.
        #expect(audit.profile == (try customer.ledger.profile(of: "C1", asOf: asOf)))
        #expect(audit.lifecycle == (try customer.ledger.lifecycle(of: "C1", asOf: asOf)))
        #expect(audit.value == (try customer.ledger.value(of: "C1", asOf: asOf)))
        #expect(audit.satisfaction == (try customer.ledger.satisfaction(of: "C1", asOf: asOf)))
    }

    @Test func asOfTheSameTimeKnowingEverythingShowsTheCorrectedStateAndTheEventsBehindIt() async throws {
        let customer = try await CorrectedCustomer()
        let asOf = AsOf(time: day("2024-02-28"))
        let audit = try customer.ledger.audit("C1", asOf: asOf)

        #expect(audit.profile?.name?.value == .value("Ada Lovelace"))
        #expect(audit.profile?.name?.position == 3)
        #expect(audit.profile?.orderCount == 0)  // the cancelled order counts for nothing
        #expect(audit.value.grossSpend == usd("0"))
        // In the order the views fold them: by occurredAt, so the back-dated correction is second.
        #expect(audit.events.map(\.position) == [1, 3, 2, 4])
        #expect(audit.events.map(\.actor) == ["agent:mia", "agent:tom", "system:shop", "agent:tom"])
        #expect(audit.events.map(\.correlationID) == ["signup-7", "ticket-42", "order-O1", "ticket-43"])
        #expect(audit.events[1].metadata == CorrectedCustomer.correctedBy)
        #expect(audit.events[1].recordedAt == day("2024-03-05"))
        #expect(audit.uncounted.isEmpty)
    }

    @Test func asOfAnEarlierTimeLeavesOutWhatHadNotHappenedYet() async throws {
        let customer = try await CorrectedCustomer()
        let audit = try customer.ledger.audit("C1", asOf: AsOf(time: day("2024-01-31")))
        #expect(audit.events.map(\.position) == [1, 3])
        #expect(audit.profile?.name?.value == .value("Ada Lovelace"))
        #expect(audit.uncounted.map(\.event.position) == [2, 4])
        #expect(audit.uncounted.allSatisfy { $0.happenedLater && !$0.recordedLater })
    }

    @Test func knownAtAPositionReplaysWhatTheLogHeldUpToIt() async throws {
        let customer = try await CorrectedCustomer()
        let asOf = AsOf(time: day("2024-12-31"), knownAt: .position(3))
        let audit = try customer.ledger.audit("C1", asOf: asOf)
        #expect(audit.events.map(\.position) == [1, 3, 2])
        #expect(audit.profile?.name?.value == .value("Ada Lovelace"))
        #expect(audit.profile?.orderCount == 1)
        #expect(audit.uncounted.map(\.event.position) == [4])
        #expect(audit.uncounted[0].recordedLater && !audit.uncounted[0].happenedLater)
        #expect(audit.uncounted[0].event.correlationID == "ticket-43")
    }

    @Test func beforeItsFirstEventTheCustomerIsUnknownAndEverythingIsUncounted() async throws {
        let customer = try await CorrectedCustomer()
        let audit = try customer.ledger.audit("C1", asOf: AsOf(time: day("2023-12-31")))
        #expect(audit.isEmpty)
        #expect(audit.profile == nil && audit.lifecycle == nil)
        #expect(audit.uncounted.count == 4)
        #expect(try customer.ledger.audit("nobody").isEmpty)
    }

    @Test func aMergedCustomerIsAuditedAsItsSurvivorWithEachEventInItsOwnStream() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(PurchaseCompleted(orderId: "A1", amount: usd("1")), for: "A", occurredAt: day("2024-01-01"), metadata: EventMetadata(actor: "shop-a"))
        try await ledger.record(PurchaseCompleted(orderId: "B1", amount: usd("2")), for: "B", occurredAt: day("2024-01-02"), metadata: EventMetadata(actor: "shop-b"))
        try await ledger.merge(["B"], into: "A", occurredAt: day("2024-02-01"))
        let audit = try ledger.audit("B")
        #expect(audit.requested == "B" && audit.customer == "A" && audit.mergedCustomers == ["B"])
        #expect(audit.events.map(\.customer) == ["A", "B", "A"])
        #expect(audit.events.map(\.type) == ["purchase.completed", "purchase.completed", "customers.merged"])
        #expect(audit.events.map(\.actor) == ["shop-a", "shop-b", nil])
        #expect(audit.value.grossSpend == usd("3"))
        #expect(audit.uncounted.isEmpty)
    }

    @Test func aProjectionIsReplayedWithTheEventsFoldedAndWhichOfThemChangedIt() async throws {
        let customer = try await CorrectedCustomer()
        let ledger = customer.ledger
        for asOf in [AsOf(), AsOf(time: day("2024-01-31")), AsOf(knownAt: .position(1)), AsOf(knownAt: .recordedAt(day("2024-03-05")))] {
            let audit = try ledger.audit(PurchasesPerActor(), for: "C1", asOf: asOf)
            #expect(audit.state == (try ledger.project(PurchasesPerActor(), for: "C1", asOf: asOf)))
        }
        let audit = try ledger.audit(PurchasesPerActor(), for: "C1")
        #expect(audit.projection == "test.purchasesPerActor" && audit.version == 1 && audit.customer == "C1")
        #expect(audit.state == ["system:shop": 1])
        // Projections fold in log order.
        #expect(audit.steps.map(\.event.position) == [1, 2, 3, 4])
        #expect(audit.steps.map(\.changedState) == [false, true, false, false])
        let changing = audit.steps.filter { $0.changedState == true }.map(\.event)
        #expect(changing.map(\.correlationID) == ["order-O1"])
        #expect(changing.map(\.causationID) == ["cmd-checkout-1"])

        let early = try ledger.audit(PurchasesPerActor(), for: "C1", asOf: AsOf(knownAt: .recordedAt(day("2024-01-31"))))
        #expect(early.state.isEmpty)
        #expect(early.events.map(\.position) == [1])
        #expect(early.uncounted.map(\.event.position) == [2, 3, 4])
    }

    @Test func aStateThatIsNotEquatableListsTheEventsWithoutSayingWhichChangedIt() async throws {
        let customer = try await CorrectedCustomer()
        let audit = try customer.ledger.audit(LastType(), for: "C1", asOf: AsOf(time: day("2024-02-28"), knownAt: .position(3)))
        #expect(audit.state.type == "customer.updated")
        #expect(audit.steps.map(\.event.position) == [1, 2, 3])
        #expect(audit.steps.allSatisfy { $0.changedState == nil })
    }
}
