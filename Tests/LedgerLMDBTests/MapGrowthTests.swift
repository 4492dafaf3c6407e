import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct MapGrowthTests {
    @Test func growsFromATinyMapWithoutCallersNoticing() async throws {
        let folder = TemporaryFolder()
        var options = LMDBEventStore.Options()
        options.initialMapSize = 64 << 10  // the smallest map the engine accepts
        let store = try LMDBEventStore.open(at: folder.path, options: options)
        defer { store.close() }
        let startSize = try store.storageInfo().mapSize
        let payload = String(repeating: "x", count: 2_000)
        for batch in 0..<40 {
            let events = (0..<50).map { _ in sampleEvent(body: "{\"p\":\"\(payload)\"}") }
            try await store.append(events, to: StreamID("C\(batch % 7)"))
        }
        #expect(try store.totals().eventCount == 2_000)
        #expect(try store.storageInfo().mapSize > startSize)
        #expect(try store.allEvents().count == 2_000)
    }

    @Test func stopsAtTheMaximumWithAClearErrorAndKeepsWhatWasCommitted() async throws {
        let folder = TemporaryFolder()
        var options = LMDBEventStore.Options()
        options.initialMapSize = 64 << 10
        options.maximumMapSize = 1 << 20
        let store = try LMDBEventStore.open(at: folder.path, options: options)
        defer { store.close() }
        let payload = Data(repeating: 7, count: 16_000)
        var committed: UInt64 = 0
        var failure: LedgerError?
        for _ in 0..<200 {
            do {
                try await store.append([ProposedEvent(type: "blob", contentType: .binary, payload: payload)], to: "C1")
                committed += 1
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.code == .ledgerFull)
        #expect(error.message.contains("maximum size"))
        #expect(try store.totals().eventCount == committed)
        #expect(try store.allEvents().count == Int(committed))
    }

    @Test(.timeLimit(.minutes(1))) func anotherProcessSeesTheGrownMap() async throws {
        let folder = TemporaryFolder()
        var options = LMDBEventStore.Options()
        options.initialMapSize = 64 << 10
        let store = try LMDBEventStore.open(at: folder.path, options: options)
        defer { store.close() }
        // The other process appends enough to grow the map while this one has it open.
        let big = String(repeating: "y", count: 300_000)
        for index in 0..<3 {
            // Too big for a command-line argument: the event goes in as one JSON line.
            let line = #"{"customer":"C\#(index)","type":"t","occurredAt":"2024-05-01T10:00:00Z","data":{"p":"\#(big)"}}"#
            let run = try runLedger(["append", "--path", folder.path], input: line + "\n")
            #expect(run.status == 0, "ledger append failed: \(run.stderr)")
        }
        #expect(try store.allEvents().count == 3)
        #expect(try store.storageInfo().mapSize > 64 << 10, "this process adopted the larger map")
        try await store.append([sampleEvent()], to: "C9")
        #expect(try store.totals().eventCount == 4)
    }
}
