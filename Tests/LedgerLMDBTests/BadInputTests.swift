import Foundation
import LedgerCore
import LedgerLMDB
import Testing

/// Every bad input gets a clear error and leaves nothing written.
@Suite struct BadInputTests {
    @Test(arguments: [
        ("", "is empty"),
        (String(repeating: "c", count: 129), "129 bytes long"),
        ("C1\u{0}", "control character"),
        ("C\n1", "control character"),
    ])
    func badCustomerIDs(id: String, reason: String) {
        let error = #expect(throws: LedgerError.self) { try StreamID(id) }
        #expect(error?.code == .invalidStreamID)
        #expect(error?.message.contains(reason) == true)
    }

    @Test func payloadOverTheLimit() async throws {
        let folder = TemporaryFolder()
        var options = LMDBEventStore.Options()
        options.maximumEventSize = 1_000
        let store = try LMDBEventStore.open(at: folder.path, options: options)
        defer { store.close() }
        let fine = ProposedEvent(type: "t", payload: Data(repeating: 1, count: 1_000))
        let tooBig = ProposedEvent(type: "t", payload: Data(repeating: 1, count: 1_001))
        let error = await #expect(throws: LedgerError.self) { try await store.append([fine, tooBig], to: "C1") }
        #expect(error?.code == .eventTooLarge)
        #expect(error?.message.contains("1001-byte payload") == true)
        #expect(try store.totals().eventCount == 0)
        try await store.append([fine], to: "C1")
    }

    @Test(arguments: ["", "has space", "tab\t", String(repeating: "t", count: 256)])
    func badTypeNames(type: String) async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let error = await #expect(throws: LedgerError.self) {
            try await store.append([sampleEvent(), ProposedEvent(type: type, payload: Data())], to: "C1")
        }
        #expect(error?.code == .invalidEvent)
        #expect(try store.totals().eventCount == 0)
    }

    @Test func emptyAppends() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let noEvents = await #expect(throws: LedgerError.self) { try await store.append([], to: "C1") }
        #expect(noEvents?.code == .invalidEvent)
        let noStreams = await #expect(throws: LedgerError.self) { try await store.append([StreamAppend]()) }
        #expect(noStreams?.code == .invalidEvent)
        let partlyEmpty = await #expect(throws: LedgerError.self) {
            try await store.append([StreamAppend(stream: "C1", events: [sampleEvent()]), StreamAppend(stream: "C2", events: [])])
        }
        #expect(partlyEmpty?.code == .invalidEvent)
        #expect(try store.totals().eventCount == 0)
    }

    @Test func overlongMetadata() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let error = await #expect(throws: LedgerError.self) {
            try await store.append([sampleEvent(metadata: EventMetadata(actor: String(repeating: "a", count: 70_000)))], to: "C1")
        }
        #expect(error?.code == .eventTooLarge)
        #expect(try store.totals().eventCount == 0)
    }
}
