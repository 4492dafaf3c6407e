import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct SmokeTests {
    @Test func appendAndReadBack() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let first = try await store.append([sampleEvent(), sampleEvent("refund.issued")], to: "C1", expecting: .noStream)
        #expect(first.positions == 1...2)
        #expect(first.versions == 1...2)
        let second = try await store.append([sampleEvent(metadata: EventMetadata(correlationID: "r1", actor: "ada", custom: ["tenant": "eu"]))], to: "C2")
        #expect(second.positions == 3...3)
        let events = try store.allEvents()
        #expect(events.map(\.position.rawValue) == [1, 2, 3])
        #expect(events.map(\.type) == ["purchase.completed", "refund.issued", "purchase.completed"])
        #expect(events[2].metadata.custom == ["tenant": "eu"])
        #expect(events[2].metadata.actor == "ada")
        #expect(try store.allEvents(in: "C1").map(\.version.rawValue) == [1, 2])
        #expect(try store.totals().eventCount == 3)
        #expect(try store.streams(after: nil, limit: 10).map(\.stream) == ["C1", "C2"])
    }
}
