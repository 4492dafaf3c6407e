import CustomerLedger
import Foundation
import LedgerCore
import LedgerLMDB
import Testing

/// Checkpointed subscriptions: at least once, in log order, with no gaps, resuming from
/// the acknowledged checkpoint after a restart.
@Suite(.timeLimit(.minutes(1))) struct CheckpointedSubscriptionTests {
    @Test func deliversInOrderWithNoGapsAcrossCatchUpAndLiveAppendsFromEightTasks() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        for index in 0..<20 { try await store.append([sampleEvent(body: "{\"i\":\(index)}")], to: StreamID("C\(index % 3)")) }
        let feed = try store.checkpointedSubscription(named: "search-index", batchSize: 3)
        // 20 stored, then 8 tasks × 5 appends of 1–2 events each while the feed runs.
        let total = 20 + 8 * (1 + 2 + 1 + 2 + 1)
        let received = Task {
            var positions: [UInt64] = []
            for try await event in feed {
                positions.append(event.position.rawValue)
                // Batched acknowledgements: every tenth event.
                if positions.count % 10 == 0 { try await feed.acknowledge(event.position) }
                if positions.count == total { break }
            }
            return positions
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for size in [1, 2, 1, 2, 1] {
                        let events = (0..<size).map { _ in sampleEvent("order.placed") }
                        try await store.append(events, to: StreamID("L\(task)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let positions = try await received.value
        #expect(positions == Array(1...UInt64(total)))
        #expect(try feed.checkpoint() == LogPosition(UInt64(total / 10 * 10)))
    }

    @Test func resumesAfterReopenFromTheAcknowledgedCheckpointRedeliveringWhatFollows() async throws {
        let folder = TemporaryFolder()
        do {
            let store = try LMDBEventStore.open(at: folder.path)
            for index in 1...10 { try await store.append([sampleEvent(body: "{\"i\":\(index)}")], to: "C1") }
            let feed = try store.checkpointedSubscription(named: "queue")
            #expect(try feed.checkpoint() == .start)
            var delivered: [UInt64] = []
            for try await event in feed {
                delivered.append(event.position.rawValue)
                if delivered.count == 6 { break }
            }
            #expect(delivered == Array(1...6))
            // The other system confirmed 1–4; 5 and 6 were delivered but never confirmed.
            try await feed.acknowledge(4)
            store.close()
        }
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let feed = try store.checkpointedSubscription(named: "queue")
        #expect(try feed.checkpoint() == 4)
        let received = Task {
            var positions: [UInt64] = []
            for try await event in feed {
                positions.append(event.position.rawValue)
                if positions.count == 7 { break }
            }
            return positions
        }
        try await store.append([sampleEvent()], to: "C2")
        // At least once: 5 and 6 come again, then the rest, then the live append.
        #expect(try await received.value == Array(5...11))
        // Another subscription name has its own checkpoint.
        #expect(try store.checkpointedSubscription(named: "queue-2").checkpoint() == .start)
    }

    @Test func acknowledgementsNeverGoBackAndNeverPassTheHead() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        for _ in 1...10 { try await store.append([sampleEvent()], to: "C1") }
        let feed = try store.checkpointedSubscription(named: "acks")
        try await feed.acknowledge(5)
        try await feed.acknowledge(3)  // late and lower: ignored
        try await feed.acknowledge(5)  // again: nothing changes
        try await feed.acknowledge(.start)
        #expect(try feed.checkpoint() == 5)
        let beyond = await #expect(throws: LedgerError.self) { try await feed.acknowledge(11) }
        #expect(beyond?.code == .invalidInput)
        #expect(beyond?.message.contains("head is 10") == true)
        #expect(try feed.checkpoint() == 5)
        try await feed.acknowledge(10)
        #expect(try feed.checkpoint() == 10)

        // Reset goes anywhere up to the head; a new iteration starts after it.
        try await feed.resetCheckpoint(to: 2)
        #expect(try feed.checkpoint() == 2)
        var replayed: [UInt64] = []
        for try await event in feed {
            replayed.append(event.position.rawValue)
            if replayed.count == 8 { break }
        }
        #expect(replayed == Array(3...10))
        try await feed.resetCheckpoint(to: .start)
        #expect(try feed.checkpoint() == .start)
        let resetBeyond = await #expect(throws: LedgerError.self) { try await feed.resetCheckpoint(to: 11) }
        #expect(resetBeyond?.code == .invalidInput)
        #expect(try feed.checkpoint() == .start)
        try await feed.resetCheckpoint(to: 7)
        #expect(try feed.checkpoint() == 7)
    }

    @Test func aFilterDeliversOnlyItsTypesAndResumesAfterTheCheckpoint() async throws {
        let folder = TemporaryFolder()
        do {
            let store = try LMDBEventStore.open(at: folder.path)
            for type in ["other", "wanted", "other", "wanted", "other"] { try await store.append([sampleEvent(type)], to: "C1") }
            let feed = try store.checkpointedSubscription(named: "wanted-only", filter: .only(["wanted"]))
            var seen: [String] = []
            for try await event in feed {
                seen.append("\(event.position):\(event.type)")
                try await feed.acknowledge(event.position)
                if seen.count == 2 { break }
            }
            #expect(seen == ["2:wanted", "4:wanted"])
            #expect(try feed.checkpoint() == 4)
            store.close()
        }
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let feed = try store.checkpointedSubscription(named: "wanted-only", filter: .only(["wanted"]))
        let received = Task {
            var seen: [String] = []
            for try await event in feed {
                seen.append("\(event.position):\(event.type)")
                if seen.count == 2 { break }
            }
            return seen
        }
        for type in ["other", "wanted", "other", "wanted"] { try await store.append([sampleEvent(type)], to: "C2") }
        #expect(try await received.value == ["7:wanted", "9:wanted"])
    }

    /// A name that should be refused, and the words its error should use.
    struct BadName: Sendable, CustomTestStringConvertible {
        let name: String
        let problem: String
        init(_ name: String, _ problem: String) { self.name = name; self.problem = problem }
        var testDescription: String {
            name.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined().debugDescription
        }
    }

    @Test(arguments: [
        BadName("", "is empty"),
        BadName(String(repeating: "x", count: 101), "is 101 bytes long"),
        BadName(String(repeating: "€", count: 34), "is 102 bytes long"),
        BadName("search\u{0}index", "contains a 0 byte"),
        BadName("search\nindex", "contains a control character"),
        BadName("search\u{7F}index", "contains a control character"),
        BadName("search\u{85}index", "contains a control character"),
    ])
    func rejectsBadNames(_ bad: BadName) throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let error = #expect(throws: LedgerError.self) { try store.checkpointedSubscription(named: bad.name) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains(bad.problem) == true, "\(error?.message ?? "")")
    }

    @Test func acceptsNamesUpToTheLimitAndRejectsABatchSizeBelowOne() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await store.append([sampleEvent(), sampleEvent()], to: "C1")
        let long = try store.checkpointedSubscription(named: String(repeating: "é", count: 50))
        let spaced = try store.checkpointedSubscription(named: "search index/eu-1 ✓")
        try await long.acknowledge(2)
        try await spaced.acknowledge(1)
        #expect(try long.checkpoint() == 2)
        #expect(try spaced.checkpoint() == 1)
        let error = #expect(throws: LedgerError.self) { try store.checkpointedSubscription(named: "x", batchSize: 0) }
        #expect(error?.code == .invalidInput)
    }

    @Test func twoSubscriptionsOfOneNameDeliverIndependentlyAndShareTheCheckpoint() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        for _ in 1...6 { try await store.append([sampleEvent()], to: "C1") }
        let first = try store.checkpointedSubscription(named: "shared")
        let second = try store.checkpointedSubscription(named: "shared", batchSize: 2)
        try await first.acknowledge(2)
        async let fromFirst = Self.positions(of: first, count: 4)
        async let fromSecond = Self.positions(of: second, count: 4)
        #expect(try await fromFirst == [3, 4, 5, 6])
        #expect(try await fromSecond == [3, 4, 5, 6])
        try await second.acknowledge(6)
        try await first.acknowledge(4)
        #expect(try first.checkpoint() == 6)
        #expect(try second.checkpoint() == 6)
    }

    @Test func endsWithClosedWhenTheStoreCloses() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        try await store.append([sampleEvent()], to: "C1")
        let feed = try store.checkpointedSubscription(named: "closing")
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        let waiting = Task {
            for try await _ in feed { signal.yield() }
        }
        // One event delivered, so the iteration is live (or about to be) when the store closes.
        for await _ in started { break }
        store.close()
        let result = await waiting.result
        #expect(throws: LedgerError.self) { try result.get() }
        #expect((result.failureValue as? LedgerError)?.code == .closed)

        // A new iteration, a read and an acknowledgement on the closed store fail the same way.
        let later = Task { for try await _ in feed {} }
        #expect(((await later.result).failureValue as? LedgerError)?.code == .closed)
        let read = #expect(throws: LedgerError.self) { try feed.checkpoint() }
        #expect(read?.code == .closed)
        let acknowledged = await #expect(throws: LedgerError.self) { try await feed.acknowledge(1) }
        #expect(acknowledged?.code == .closed)
    }

    @Test func endsWhenTheTaskIsCancelled() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let feed = try store.checkpointedSubscription(named: "cancelled")
        let task = Task {
            var count = 0
            for try await _ in feed { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(20))
        task.cancel()
        #expect(try await task.value == 0)
    }

    @Test func theLedgerForwardsToItsStore() async throws {
        let folder = TemporaryFolder()
        let ledger = try Ledger.open(at: folder.path)
        defer { ledger.close() }
        try await ledger.append([sampleEvent(), sampleEvent()], to: "C1")
        let feed = try ledger.checkpointedSubscription(named: "from-ledger")
        try await feed.acknowledge(1)
        #expect(try ledger.store.checkpointedSubscription(named: "from-ledger").checkpoint() == 1)
        #expect(try await Self.positions(of: feed, count: 1) == [2])
    }

    static func positions(of feed: CheckpointedSubscription, count: Int) async throws -> [UInt64] {
        var positions: [UInt64] = []
        for try await event in feed {
            positions.append(event.position.rawValue)
            if positions.count == count { break }
        }
        return positions
    }
}

extension Result {
    /// The error of a failure, `nil` for a success.
    fileprivate var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
