import CustomerLedger
import Foundation
import LedgerFaultSupport
import Testing

/// Four processes append to one ledger at once while this process follows it live: every
/// event is stored once, positions have no gaps, and the subscriber saw every event in
/// log order.
@Suite struct ManyProcessesTests {
    @Test(.timeLimit(.minutes(3))) func fourWritersAndALiveSubscriberInAnotherProcess() async throws {
        let worker = try #require(Worker.executable, "ledger-worker was not built next to the tests")
        let fixture = try LedgerFixture()
        let path = fixture.folder.appendingPathComponent("ledger").path
        let batches = 40, size = 10
        let expected = 4 * batches * size
        let ledger = fixture.ledger
        let subscriber = Task {
            var seen: [RecordedEvent] = []
            for try await event in ledger.subscribe() {
                seen.append(event)
                if seen.count == expected { break }
            }
            return seen
        }
        let writers = try (0..<4).map { writer in
            try Worker.start(worker, ["append", path, "\(writer * 10_000)", "\(batches)", "\(size)"])
        }
        for writer in writers {
            try await writer.waitForLine("done")
            writer.process.waitUntilExit()
            #expect(writer.process.terminationStatus == 0)
        }
        let seen = try await subscriber.value
        #expect(seen.map(\.position.rawValue) == Array(1...UInt64(expected)))
        var stored: [RecordedEvent] = []
        try ledger.readLog(from: .start) { stored.append($0) }
        #expect(stored.map(\.id) == seen.map(\.id))
        #expect(Set(stored.map(\.id)).count == expected, "every event once")
        var perBatch: [Int: Int] = [:]
        for event in stored { perBatch[FaultWorkload.batch(of: event.id), default: 0] += 1 }
        #expect(perBatch.count == 4 * batches)
        #expect(perBatch.values.allSatisfy { $0 == size })
        #expect(try ledger.verify().isIntact)
    }
}
