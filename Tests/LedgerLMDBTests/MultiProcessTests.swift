import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct MultiProcessTests {
    /// The writer remembers stream versions between its transactions; an append by
    /// another process to the same stream must still be seen.
    @Test(.timeLimit(.minutes(1))) func appendsByAnotherProcessToACachedStreamAreSeen() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let id = EventID()
        try await store.append([sampleEvent(id: id)], to: "shared", expecting: .noStream)
        let run = try runLedger(["append", "--path", folder.path, "--customer", "shared", "--type", "note", "--data", "{}", "--expected-version", "1"])
        #expect(run.status == 0, "ledger append failed: \(run.stderr)")
        let stale = await #expect(throws: LedgerError.self) {
            try await store.append([sampleEvent()], to: "shared", expecting: .exactly(1))
        }
        #expect(stale?.actualVersion == 2)
        let next = try await store.append([sampleEvent()], to: "shared", expecting: .exactly(2))
        #expect(next.versions == 3...3)
        #expect(next.positions == 3...3)
        // The other process's event is also above the writer's largest id: a retry of
        // the first event is still recognised.
        #expect(try await store.append([sampleEvent(id: id)], to: "shared").wasAlreadyStored)
        #expect(try store.allEvents(in: "shared").map(\.version.rawValue) == [1, 2, 3])
    }

    @Test(.timeLimit(.minutes(1))) func idempotencyHoldsForIDsFromAnotherProcess() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await store.append([sampleEvent()], to: "here")
        let id = EventID()
        let line = #"{"id":"\#(id)","customer":"there","type":"note","occurredAt":"2024-05-01T10:00:00Z","data":{}}"#
        let run = try runLedger(["append", "--path", folder.path], input: line + "\n")
        #expect(run.status == 0, "ledger append failed: \(run.stderr)")
        let again = ProposedEvent(
            id: id, type: "note", occurredAt: Date(timeIntervalSince1970: 1_714_557_600), payload: Data("{}".utf8)
        )
        let result = try await store.append([again], to: "there")
        #expect(result.wasAlreadyStored)
        #expect(result.positions == 2...2)
    }
}
