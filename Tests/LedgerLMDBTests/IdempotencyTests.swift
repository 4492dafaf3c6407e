import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct IdempotencyTests {
    @Test func reAppendingTheSameEventsReturnsTheOriginalPositions() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let events = [sampleEvent(id: EventID()), sampleEvent("refund.issued", id: EventID())]
        let original = try await store.append(events, to: "C1", expecting: .noStream)
        try await store.append([sampleEvent()], to: "C2")
        // A retry with the original expectation must not conflict: it is the same append.
        let retry = try await store.append(events, to: "C1", expecting: .noStream)
        #expect(retry.positions == original.positions)
        #expect(retry.versions == original.versions)
        #expect(retry.wasAlreadyStored)
        #expect(try store.totals().eventCount == 3)
    }

    @Test func sameIDWithDifferentContentIsAnError() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let id = EventID()
        try await store.append([sampleEvent(id: id, body: #"{"amount":"1.00"}"#)], to: "C1")
        let changes: [(String, ProposedEvent, StreamID)] = [
            ("payload", sampleEvent(id: id, body: #"{"amount":"2.00"}"#), "C1"),
            ("type", sampleEvent("refund.issued", id: id, body: #"{"amount":"1.00"}"#), "C1"),
            ("stream", sampleEvent(id: id, body: #"{"amount":"1.00"}"#), "C2"),
            ("occurredAt", sampleEvent(id: id, body: #"{"amount":"1.00"}"#, occurredAt: Date(timeIntervalSince1970: 5)), "C1"),
            ("metadata", sampleEvent(id: id, body: #"{"amount":"1.00"}"#, metadata: EventMetadata(actor: "x")), "C1"),
        ]
        for (what, event, stream) in changes {
            let error = await #expect(throws: LedgerError.self, "changed \(what)") {
                try await store.append([event], to: stream)
            }
            #expect(error?.code == .duplicateEventID, "changed \(what)")
            #expect(error?.message.contains("different content") == true, "changed \(what)")
        }
        #expect(try store.totals().eventCount == 1)
    }

    @Test func aBatchThatOnlyPartlyExistsIsAnError() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let stored = sampleEvent()
        try await store.append([stored], to: "C1")
        let error = await #expect(throws: LedgerError.self) {
            try await store.append([stored, sampleEvent()], to: "C1")
        }
        #expect(error?.code == .duplicateEventID)
        #expect(try store.totals().eventCount == 1)
    }

    @Test func theSameIDTwiceInOneAppendIsAnError() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let event = sampleEvent()
        let error = await #expect(throws: LedgerError.self) { try await store.append([event, event], to: "C1") }
        #expect(error?.code == .duplicateEventID)
        #expect(try store.totals().eventCount == 0)
    }

    @Test func concurrentRetriesOfOneAppendStoreItOnce() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let events = [sampleEvent(), sampleEvent()]
        let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
            for _ in 0..<16 { group.addTask { try await store.append(events, to: "C1") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results.map(\.positions)) == [1...2])
        #expect(results.filter { !$0.wasAlreadyStored }.count == 1)
        #expect(try store.totals().eventCount == 2)
    }
}
