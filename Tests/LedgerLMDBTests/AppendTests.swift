import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct AppendTests {
    @Test func assignsGaplessPositionsAndStreamVersions() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let first = try await store.append([sampleEvent(), sampleEvent("refund.issued")], to: "C1", expecting: .noStream)
        #expect(first.positions == 1...2)
        #expect(first.versions == 1...2)
        #expect(!first.wasAlreadyStored)
        #expect(first.nextExpectedVersion == .exactly(2))
        let second = try await store.append([sampleEvent()], to: "C2")
        #expect(second.positions == 3...3)
        #expect(second.versions == 1...1)
        let third = try await store.append([sampleEvent()], to: "C1", expecting: .exactly(2))
        #expect(third.positions == 4...4)
        #expect(third.versions == 3...3)
        #expect(try store.allEvents().map(\.position.rawValue) == [1, 2, 3, 4])
        #expect(try store.allEvents(in: "C1").map(\.version.rawValue) == [1, 2, 3])
        let info = try #require(try store.streamInfo("C1"))
        #expect(info == StreamInfo(stream: "C1", version: 3, eventCount: 3, firstPosition: 1, lastPosition: 4))
        #expect(try store.streamInfo("nobody") == nil)
        #expect(try store.totals() == StoreTotals(eventCount: 4, streamCount: 2, head: 4, lastRecordedAt: store.allEvents().last?.recordedAt))
    }

    @Test func storesEveryFieldOfTheEnvelope() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let id = EventID()
        let occurredAt = Date(timeIntervalSince1970: 1_714_557_600.123456)
        let metadata = EventMetadata(correlationID: "req-7", causationID: "cmd-3", actor: "agent:ada", custom: ["tenant": "eu", "source": "crm"])
        let proposed = ProposedEvent(
            id: id, type: "survey.answered", schemaVersion: 3, occurredAt: occurredAt, metadata: metadata,
            contentType: .binary, payload: Data([0, 1, 2, 255])
        )
        let before = Date()
        try await store.append([proposed], to: "C20240501001")
        let after = Date()
        let event = try #require(try store.allEvents().first)
        #expect(event.id == id)
        #expect(event.stream == "C20240501001")
        #expect(event.type == "survey.answered")
        #expect(event.schemaVersion == 3)
        #expect(event.occurredAt.microsecondsSince1970 == 1_714_557_600_123_456)
        #expect(event.recordedAt >= before.addingTimeInterval(-0.000001) && event.recordedAt <= after.addingTimeInterval(0.000001))
        #expect(event.metadata == metadata)
        #expect(event.contentType == .binary)
        #expect(event.payload == Data([0, 1, 2, 255]))
    }

    @Test func newEventIDsAreTimeOrdered() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await store.append((0..<100).map { _ in ProposedEvent(type: "t", payload: Data()) }, to: "C1")
        let ids = try store.allEvents().map(\.id)
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func recordedAtNeverDecreasesAlongTheLog() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        for index in 0..<20 { try await store.append([sampleEvent()], to: StreamID("C\(index % 3)")) }
        let times = try store.allEvents().map(\.recordedAt)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func keepsAGivenRecordedAtAndRejectsOneThatGoesBack() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let original = Date(timeIntervalSince1970: 1_700_000_000.5)
        var event = sampleEvent()
        event.recordedAt = original
        try await store.append([event], to: "C1")
        #expect(try store.allEvents()[0].recordedAt == original)
        var earlier = sampleEvent()
        earlier.recordedAt = original.addingTimeInterval(-1)
        let error = await #expect(throws: LedgerError.self) { try await store.append([earlier], to: "C1") }
        #expect(error?.code == .invalidEvent)
        #expect(try store.totals().eventCount == 1)
    }

    @Test func multiStreamAppendIsAtomic() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await store.append([sampleEvent("customer.registered")], to: "survivor")
        try await store.append([sampleEvent("customer.registered")], to: "merged")
        // The second part conflicts, so neither part may be written.
        let error = await #expect(throws: LedgerError.self) {
            try await store.append([
                StreamAppend(stream: "survivor", expectedVersion: .exactly(1), events: [sampleEvent("customers.merged")]),
                StreamAppend(stream: "merged", expectedVersion: .noStream, events: [sampleEvent("customers.merged")]),
            ])
        }
        #expect(error?.code == .wrongExpectedVersion)
        #expect(error?.stream == "merged")
        #expect(try store.totals().eventCount == 2)
        let results = try await store.append([
            StreamAppend(stream: "survivor", expectedVersion: .exactly(1), events: [sampleEvent("customers.merged")]),
            StreamAppend(stream: "merged", expectedVersion: .exactly(1), events: [sampleEvent("customers.merged")]),
        ])
        #expect(results.map(\.positions) == [3...3, 4...4])
        #expect(results.map(\.versions) == [2...2, 2...2])
    }

    @Test func aStreamMayAppearTwiceInOneAppendAndKeepsTheOrder() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let results = try await store.append([
            StreamAppend(stream: "A", expectedVersion: .noStream, events: [sampleEvent("one")]),
            StreamAppend(stream: "B", events: [sampleEvent("two")]),
            StreamAppend(stream: "A", expectedVersion: .exactly(1), events: [sampleEvent("three")]),
        ])
        #expect(results.map(\.versions) == [1...1, 1...1, 2...2])
        #expect(try store.allEvents().map(\.type) == ["one", "two", "three"])
    }
}

@Suite struct RecordedAtOrderTests {
    @Test func aGivenTimeAfterALedgerTimedEventMayNotGoBack() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        var imported = sampleEvent()
        imported.recordedAt = Date(timeIntervalSince1970: 1_000)  // long before now
        let error = await #expect(throws: LedgerError.self) {
            try await store.append([sampleEvent(), imported], to: "C1")  // the first gets "now"
        }
        #expect(error?.code == .invalidEvent)
        #expect(try store.totals().eventCount == 0)
    }

    @Test func reAppendingStoredEventsWithOldTimesIsStillIdempotent() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        var old = sampleEvent()
        old.recordedAt = Date(timeIntervalSince1970: 1_000)
        let original = try await store.append([old], to: "C1")
        try await store.append([sampleEvent()], to: "C2")  // newer head
        let retry = try await store.append([old], to: "C1")
        #expect(retry.wasAlreadyStored)
        #expect(retry.positions == original.positions)
    }
}

@Suite struct OccurredAtRangeTests {
    @Test(arguments: [1e16, -1e16, 253_402_300_800.0, -62_135_596_801.0, Double.infinity])
    func aDateOutsideTheYearsOneToNineThousandNineHundredNinetyNineIsRefused(_ seconds: Double) async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let event = ProposedEvent(type: "t", occurredAt: Date(timeIntervalSince1970: seconds), payload: Data())
        let error = await #expect(throws: LedgerError.self) { try await store.append([event], to: "C1") }
        #expect(error?.code == .invalidEvent)
        #expect(error?.message.contains("outside the years 1–9999") == true)
        #expect(try store.allEvents().isEmpty)
    }

    @Test func theFirstAndLastStorableDatesAreStored() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        for seconds in [-62_135_596_800.0, 253_402_300_799.0] {
            try await store.append([ProposedEvent(type: "t", occurredAt: Date(timeIntervalSince1970: seconds), payload: Data())], to: "C1")
        }
        #expect(try store.allEvents().map(\.occurredAt.timeIntervalSince1970) == [-62_135_596_800.0, 253_402_300_799.0])
    }
}
