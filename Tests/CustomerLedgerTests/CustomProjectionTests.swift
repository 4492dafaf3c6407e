import CustomerLedger
import Foundation
import Testing

/// Interactions per channel and purchases per customer: order-sensitive on purpose
/// (`sequence` lists the positions folded), so a skipped, repeated or reordered event shows.
struct ChannelCounts: Projection {
    struct State: Codable, Sendable, Hashable {
        var channels: [String: Int] = [:]
        var purchases = 0
        var sequence: [UInt64] = []
    }

    var name = "test.channelMix"
    var version: UInt32 = 1
    /// A purchase of this order id makes `apply` throw.
    var poisonOrder = "poison"

    func initialState() -> State { State() }

    func apply(_ event: ProjectedEvent, to state: inout State) throws {
        switch event.event {
        case .interactionRecorded(let interaction):
            state.channels[interaction.channel.rawValue, default: 0] += version == 1 ? 1 : 10
        case .purchaseCompleted(let purchase):
            if purchase.orderId == poisonOrder { throw Poisoned() }
            state.purchases += 1
        default:
            break
        }
        state.sequence.append(event.record.position.rawValue)
    }

    struct Poisoned: Error {}
}

/// Events per type over the whole ledger.
struct EventsPerType: Projection {
    let name = "test.eventsPerType"
    let version: UInt32 = 1
    var keying: ProjectionKeying { .global }
    func initialState() -> [String: Int] { [:] }
    func apply(_ event: ProjectedEvent, to counts: inout [String: Int]) {
        counts[event.record.event.payload.map { type(of: $0).eventType } ?? "other", default: 0] += 1
    }
}

func interaction(_ id: String, _ channel: Channel) -> InteractionRecorded {
    InteractionRecorded(interactionId: id, channel: channel, direction: .inbound)
}

/// Appends a deterministic mix of interactions and purchases for `customers` customers.
func fillLedger(_ ledger: Ledger, customers: Int, eventsEach: Int, seed: UInt64 = 7) async throws {
    var random = SplitMix(seed: seed)
    let channels: [Channel] = [.phone, .email, .chat, .visit]
    for round in 0..<eventsEach {
        for customer in 0..<customers {
            let id = try StreamID("C\(customer)")
            if random.chance(30) {
                try await ledger.record(PurchaseCompleted(orderId: "O\(customer)-\(round)", amount: usd("10.00")), for: id, occurredAt: day("2024-05-01", hour: round % 24))
            } else {
                try await ledger.record(interaction("I\(customer)-\(round)", random.pick(channels)), for: id, occurredAt: day("2024-05-01", hour: round % 24))
            }
        }
    }
}

@Suite struct CustomProjectionTests {
    @Test func onDemandOneCustomerEqualsThePopulationRun() async throws {
        let fixture = try LedgerFixture()
        try await fillLedger(fixture.ledger, customers: 12, eventsEach: 9)
        let population = try fixture.ledger.project(ChannelCounts())
        #expect(population.count == 12)
        for customer in 0..<12 {
            let one = try fixture.ledger.project(ChannelCounts(), for: StreamID("C\(customer)"))
            #expect(one == population["C\(customer)"])
            #expect(one.sequence.count == 9)
            #expect(one.sequence == one.sequence.sorted())
        }
        let global = try fixture.ledger.project(EventsPerType())
        #expect(global.keys.sorted() == [ProjectionKeying.globalKey])
        #expect(global[ProjectionKeying.globalKey]!.values.reduce(0, +) == 108)
    }

    @Test func onDemandAsOfATimeOrAPositionFoldsWhatCountedThen() async throws {
        let fixture = try LedgerFixture()
        try await fixture.ledger.record(interaction("I1", .phone), for: "C1", occurredAt: day("2024-05-01"))
        try await fixture.ledger.record(interaction("I2", .email), for: "C1", occurredAt: day("2024-05-03"))
        try await fixture.ledger.record(interaction("I3", .email), for: "C1", occurredAt: day("2024-05-02"))
        let byTime = try fixture.ledger.project(ChannelCounts(), for: "C1", asOf: AsOf(time: day("2024-05-02", hour: 12)))
        #expect(byTime.channels == ["phone": 1, "email": 1])
        #expect(byTime.sequence == [1, 3])
        let byPosition = try fixture.ledger.project(ChannelCounts(), for: "C1", asOf: AsOf(knownAt: .position(2)))
        #expect(byPosition.sequence == [1, 2])
        #expect(try fixture.ledger.project(ChannelCounts(), for: "C1", asOf: AsOf(time: day("2024-04-01"))) == ChannelCounts.State())
    }

    @Test func aThrowingApplyNamesTheProjectionAndTheEvent() async throws {
        let fixture = try LedgerFixture()
        try await fixture.ledger.record(PurchaseCompleted(orderId: "poison", amount: usd("1.00")), for: "C1", occurredAt: day("2024-05-01"))
        let error = try #require(throws: LedgerError.self) { try fixture.ledger.project(ChannelCounts(), for: "C1") }
        #expect(error.code == .projectionFailed)
        #expect(error.message.contains("test.channelMix"))
        #expect(error.message.contains("purchase.completed"))
        #expect(error.message.contains("position 1"))
    }

    @Test func aPersistentProjectionCatchesUpFollowsAndAnswersByKeyAndRange() async throws {
        let fixture = try LedgerFixture()
        try await fillLedger(fixture.ledger, customers: 30, eventsEach: 5)
        var batching = ProjectionBatching()
        batching.events = 40  // several batches, so several checkpoints
        let running = try await fixture.ledger.startProjection(ChannelCounts(), mode: .background, registry: EventTypeRegistry(), progress: nil, batching: batching)
        try await running.waitUntilCaughtUp()
        try await fillLedger(fixture.ledger, customers: 35, eventsEach: 2, seed: 9)
        try await running.waitUntilCaughtUp()
        let status = try running.status()
        #expect(status.lag == 0)
        #expect(status.checkpoint == 220)
        #expect(status.isActive)
        let expected = try fixture.ledger.project(ChannelCounts())
        for (key, state) in expected { #expect(try running.state(for: key) == state) }
        #expect(try running.state(for: "nobody") == nil)
        let firstPage = try running.states(limit: 10)
        let secondPage = try running.states(after: firstPage.last?.key, limit: 100)
        #expect(firstPage.count == 10)
        #expect((firstPage + secondPage).map(\.key) == expected.keys.sorted())
        await running.stop()
    }

    @Test func noEventIsSkippedUnderSixtyFourConcurrentAppenders() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        var batching = ProjectionBatching()
        batching.events = 100
        let perCustomer = try await ledger.startProjection(ChannelCounts(), mode: .background, registry: EventTypeRegistry(), progress: nil, batching: batching)
        let global = try await ledger.startProjection(EventsPerType())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<64 {
                group.addTask {
                    for index in 0..<20 {
                        try await ledger.record(interaction("I\(task)-\(index)", .chat), for: try StreamID("C\(task % 16)"), occurredAt: day("2024-05-01"))
                    }
                }
            }
            try await group.waitForAll()
        }
        try await perCustomer.waitUntilCaughtUp()
        try await global.waitUntilCaughtUp()
        #expect(try global.state(for: ProjectionKeying.globalKey) == ["interaction.recorded": 1_280])
        var folded = 0
        for (key, state) in try ledger.project(ChannelCounts()) {
            let stored = try #require(try perCustomer.state(for: key))
            #expect(stored == state)
            #expect(stored.sequence == stored.sequence.sorted())
            folded += stored.sequence.count
        }
        #expect(folded == 1_280)
    }

    @Test func anInlineProjectionIsReadableWhenTheAppendReturnsAndItsFailureRollsTheAppendBack() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await fillLedger(ledger, customers: 5, eventsEach: 4)
        let inline = try await ledger.startProjection(ChannelCounts(), mode: .inline)
        try await inline.waitUntilCaughtUp()
        try await Task.sleep(for: .milliseconds(20))  // the instance turns inline once caught up
        for index in 0..<10 {
            try await ledger.record(interaction("J\(index)", .visit), for: "C1", occurredAt: day("2024-06-01"))
            #expect(try inline.state(for: "C1")?.channels["visit", default: 0] ?? 0 >= index + 1)
        }
        let head = try ledger.head()
        let error = await #expect(throws: LedgerError.self) {
            try await ledger.record(PurchaseCompleted(orderId: "poison", amount: usd("1.00")), for: "C2", occurredAt: day("2024-06-02"))
        }
        #expect(error?.code == .projectionFailed)
        #expect(error?.message.contains("test.channelMix") == true)
        #expect(try ledger.head() == head)
        #expect(try inline.status().checkpoint == head)
        try await ledger.record(interaction("K1", .phone), for: "C2", occurredAt: day("2024-06-03"))
        #expect(try inline.state(for: "C2") == (try ledger.project(ChannelCounts(), for: "C2")))
        await inline.stop()
        // Without the inline instance the same event is stored: the failure was the projection's.
        try await ledger.record(PurchaseCompleted(orderId: "poison", amount: usd("1.00")), for: "C2", occurredAt: day("2024-06-02"))
    }

    @Test func aRebuildSwitchesAtomicallyWhileReadsContinue() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await fillLedger(ledger, customers: 40, eventsEach: 10)
        var batching = ProjectionBatching()
        batching.events = 50
        let first = try await ledger.startProjection(ChannelCounts(), mode: .background, registry: EventTypeRegistry(), progress: nil, batching: batching)
        try await first.waitUntilCaughtUp()
        let v1 = try ledger.project(ChannelCounts(), for: "C3")
        let v2 = try ledger.project(ChannelCounts(version: 2), for: "C3")
        #expect(v1 != v2)
        let reports = ProgressLog()
        let reader = Task {
            // Reads keep answering from one complete version or the other.
            var answers = 0
            while !Task.isCancelled {
                if let state = try? first.state(for: "C3") {
                    #expect(state == v1)
                    answers += 1
                }
                try? await Task.sleep(for: .microseconds(200))
            }
            return answers
        }
        let second = try await ledger.rebuild(first, as: ChannelCounts(version: 2)) { reports.add($0) }
        reader.cancel()
        #expect(await reader.value > 0)
        #expect(try second.state(for: "C3") == v2)
        #expect(throws: LedgerError.self) { try first.state(for: "C3") }
        let progress = reports.all
        #expect(!progress.isEmpty)
        #expect(progress.allSatisfy { $0.version == 2 && $0.name == "test.channelMix" })
        #expect(progress.last!.eventsDone == 400)
        #expect(progress.last!.eventsLeft == 0)
        // The old version's state is gone; the new one answers for everyone.
        for (key, state) in try ledger.project(ChannelCounts(version: 2)) { #expect(try second.state(for: key) == state) }
    }

    @Test func startingAnOlderVersionThanTheActiveOneIsRefused() async throws {
        let fixture = try LedgerFixture()
        try await fillLedger(fixture.ledger, customers: 2, eventsEach: 2)
        let newer = try await fixture.ledger.startProjection(ChannelCounts(version: 3))
        try await newer.waitUntilCaughtUp()
        let error = await #expect(throws: LedgerError.self) { _ = try await fixture.ledger.startProjection(ChannelCounts(version: 2)) }
        #expect(error?.code == .projectionNotReady)
        let twice = await #expect(throws: LedgerError.self) { _ = try await fixture.ledger.startProjection(ChannelCounts(version: 3)) }
        #expect(twice?.code == .invalidInput)
        await #expect(throws: LedgerError.self) { _ = try await fixture.ledger.startProjection(ChannelCounts(name: "")) }
        await #expect(throws: LedgerError.self) { _ = try await fixture.ledger.startProjection(ChannelCounts(name: "subscription/feed")) }
    }

    @Test func aSnapshotPlusTheTailEqualsTheFullFold() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await fillLedger(ledger, customers: 3, eventsEach: 30)
        let atSnapshot = try ledger.project(ChannelCounts(), for: "C1")
        let version = try await ledger.saveSnapshot(of: ChannelCounts(), for: "C1")
        #expect(version == 30)
        try await fillLedger(ledger, customers: 3, eventsEach: 5, seed: 99)
        let full = try ledger.project(ChannelCounts(), for: "C1", asOf: AsOf(time: .distantFuture))
        // A fold from the snapshot reads 5 events; compare with the same fold made without it.
        let fromSnapshot = try ledger.project(ChannelCounts(), for: "C1")
        #expect(fromSnapshot == full)
        #expect(fromSnapshot.sequence.count == 35)
        // Points of view before the snapshot ignore it.
        let known = try ledger.project(ChannelCounts(), for: "C1", asOf: AsOf(knownAt: .position(60)))
        #expect(known.sequence.count == 20)
        #expect(known.sequence == Array(atSnapshot.sequence.prefix(20)))
        // Another version ignores it (it would count interactions ten times).
        let otherVersion = try ledger.project(ChannelCounts(version: 2), for: "C1")
        #expect(otherVersion.channels.values.reduce(0, +) == 10 * full.channels.values.reduce(0, +))
    }

    @Test func aSnapshotIsNeverMisreadAfterAMerge() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await fillLedger(ledger, customers: 2, eventsEach: 6)
        try await ledger.saveSnapshot(of: ChannelCounts(), for: "C0")
        try await ledger.merge(["C1"], into: "C0", occurredAt: day("2024-07-01"))
        let merged = try ledger.project(ChannelCounts(), for: "C0")
        #expect(merged.sequence.count == 13)  // both customers' events and the merge
        await #expect(throws: LedgerError.self) { try await ledger.saveSnapshot(of: ChannelCounts(), for: "C0") }
        await #expect(throws: LedgerError.self) { try await ledger.saveSnapshot(of: EventsPerType(), for: "C0") }
    }
}

/// Progress reports collected from the callback's thread.
final class ProgressLog: Sendable {
    private let reports = Mutex<[ProjectionProgress]>([])
    func add(_ report: ProjectionProgress) { reports.withLock { $0.append(report) } }
    var all: [ProjectionProgress] { reports.withLock { $0 } }
}

import Synchronization
