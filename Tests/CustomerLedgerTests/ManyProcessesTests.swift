import CustomerLedger
import Foundation
import LedgerFaultSupport
import Testing

/// Four processes append to one ledger at once while two reader processes read it again
/// and again, a subscriber process follows it live, and this process follows it too:
/// every event is stored once, positions have no gaps, every read saw a gapless prefix of
/// whole batches, and each subscriber saw every event once, in log order.
@Suite struct ManyProcessesTests {
    @Test(.timeLimit(.minutes(3))) func fourWritersReadersAndLiveSubscribersInOtherProcesses() async throws {
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
        // The readers and the other subscriber are running before the first append.
        let remoteSubscriber = try Worker.start(worker, ["subscribe", path, "\(expected)", "\(size)"])
        let readers = try (0..<2).map { _ in try Worker.start(worker, ["read", path, "\(expected)", "\(size)"]) }
        try await remoteSubscriber.waitForLine("subscribed")
        for reader in readers { try await reader.waitForLine("reading") }
        let writers = try (0..<4).map { writer in
            try Worker.start(worker, ["append", path, "\(writer * 10_000)", "\(batches)", "\(size)"])
        }
        for writer in writers {
            try await writer.waitForLine("done")
            #expect(try await writer.finish().status == 0)
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

        // The subscriber process saw the same events in the same order: its digest of every
        // position and id is the stored log's.
        var storedCheck = LogOrderCheck { _ in size }
        for event in stored { storedCheck.check(event) }
        #expect(storedCheck.finish() == nil)
        let remote = try await remoteSubscriber.finish()
        #expect(remote.status == 0)
        #expect(remote.output.split(separator: "\n").last.map(String.init) == "ok \(expected) \(storedCheck.digest)", "the subscriber process said: \(remote.output)")
        // Each reader read until it saw every event; every read was a gapless prefix of whole batches.
        for reader in readers {
            let (status, output) = try await reader.finish()
            #expect(status == 0)
            let verdict = try #require(output.split(separator: "\n").last, "the reader printed nothing")
            #expect(verdict.hasPrefix("ok "), "a reader process saw \(verdict)")
            let fields = verdict.split(separator: " ")
            if fields.count == 3 { print("many processes: a reader process read the whole log \(fields[1]) times and saw \(fields[2]) different heads, each a gapless prefix of whole batches") }
        }
    }
}
