import CustomerLedger
import Foundation
import Testing

/// The built-in folds run through the same `Projection` protocol as a host's, and give
/// exactly what the built-in views compute, in any order the events arrive in.
@Suite struct BuiltInProjectionTests {
    /// Purchases, refunds and cancellations, some cancellations logged before their
    /// purchase and some events back-dated, over `customers` customers.
    static func commerceLedger(_ ledger: Ledger, customers: Int, seed: UInt64) async throws {
        var random = SplitMix(seed: seed)
        let channels: [Channel] = [.phone, .email, .chat]
        for step in 0..<(customers * 12) {
            let customer = try StreamID("C\(random.below(customers))")
            let order = "O\(random.below(customers * 4))"
            let when = day("2024-01-01").addingTimeInterval(Double(random.below(400)) * 86_400)
            switch random.below(10) {
            case 0..<5:
                try await ledger.record(PurchaseCompleted(orderId: order, amount: usd("\(1 + random.below(300)).\(random.below(90) + 10)")), for: customer, occurredAt: when)
            case 5, 6:
                try await ledger.record(RefundIssued(orderId: order, amount: usd("\(1 + random.below(50)).00")), for: customer, occurredAt: when)
            case 7:
                try await ledger.record(OrderCancelled(orderId: order), for: customer, occurredAt: when)
            default:
                try await ledger.record(InteractionRecorded(interactionId: "I\(step)", channel: random.pick(channels), direction: .outbound), for: customer, occurredAt: when)
            }
        }
    }

    @Test func purchaseActivityThroughTheProtocolEqualsTheValueViewsFold() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await Self.commerceLedger(ledger, customers: 25, seed: 3)
        let asOf = AsOf(time: day("2025-03-01"))
        let population = try ledger.project(PurchaseActivityProjection(), asOf: asOf)
        let running = try await ledger.startProjection(PurchaseActivityProjection())
        try await running.waitUntilCaughtUp()
        var compared = 0
        for customer in 0..<25 {
            let id = try StreamID("C\(customer)")
            let history = try ledger.history(of: id, asOf: asOf)
            guard !history.isEmpty else { continue }
            let expected = PurchaseActivity(history.records)
            let projected = try ledger.project(PurchaseActivityProjection(), for: id, asOf: asOf)
            #expect(projected == expected)
            #expect(population[id.rawValue] ?? PurchaseActivity(purchases: []) == expected)
            #expect(CustomerValue(customer: id, activity: projected, asOf: asOf) == (try ledger.value(of: id, asOf: asOf)))
            // The persistent state holds everything known now, whatever happened when.
            #expect(try running.state(for: id.rawValue) == PurchaseActivity(try ledger.history(of: id, asOf: AsOf(time: .distantFuture)).records))
            compared += 1
        }
        #expect(compared > 20)
    }

    @Test func theFoldGivesTheSameActivityInAnyOrder() async throws {
        let fixture = try LedgerFixture()
        try await Self.commerceLedger(fixture.ledger, customers: 4, seed: 11)
        var random = SplitMix(seed: 5)
        for customer in 0..<4 {
            let records = try fixture.ledger.history(of: StreamID("C\(customer)"), asOf: AsOf(time: .distantFuture)).records
            let expected = PurchaseActivity(records)
            for _ in 0..<20 {
                var folded = PurchaseActivity(purchases: [])
                for record in records.shuffled(using: &random) { folded.add(record) }
                #expect(folded == expected)
            }
        }
    }

    @Test func aCancelledOrderCountsForNothingWhicheverComesFirst() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(OrderCancelled(orderId: "O1"), for: "C1", occurredAt: day("2024-05-03"))
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("50.00")), for: "C1", occurredAt: day("2024-05-01"))
        try await ledger.record(RefundIssued(orderId: "O1", amount: usd("5.00")), for: "C1", occurredAt: day("2024-05-02"))
        try await ledger.record(PurchaseCompleted(orderId: "O2", amount: usd("20.00")), for: "C1", occurredAt: day("2024-05-04"))
        let activity = try ledger.project(PurchaseActivityProjection(), for: "C1")
        #expect(activity.purchases.map(\.orderId) == ["O2"])
        #expect(activity.refunds.isEmpty)
        #expect(activity.cancelledOrders == ["O1"])
        #expect(activity.netSpend == [.usd: usd("20.00")])
    }

    @Test func channelMixThroughTheProtocolEqualsTheInteractionsView() async throws {
        let fixture = try LedgerFixture()
        try await Self.commerceLedger(fixture.ledger, customers: 10, seed: 8)
        for customer in 0..<10 {
            let id = try StreamID("C\(customer)")
            guard let interactions = try fixture.ledger.interactions(of: id) else { continue }
            #expect(try fixture.ledger.project(ChannelMixProjection(), for: id) == interactions.channelMix)
        }
    }

    @Test func moneyRoundTripsThroughJSONExactly() throws {
        let amounts = [usd("12.30"), usd("-0.01"), try Money("1000", .jpy)]
        let data = try JSONEncoder().encode(amounts)
        #expect(String(decoding: data, as: UTF8.self).contains(#""amount":"12.30""#))
        #expect(try JSONDecoder().decode([Money].self, from: data) == amounts)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Money.self, from: Data(#"{"amount":"1.234","currency":"USD"}"#.utf8)) }
    }
}
