import CustomerLedger
import Foundation
import LedgerFaultSupport
import Testing

/// A persistent projection's state and checkpoint agree after its process is killed at
/// any moment: `ledger-worker project` is SIGKILLed mid-catch-up, again and again, and
/// what it left is compared with an on-demand fold up to the stored checkpoint.
@Suite struct ProjectionCrashTests {
    @Test(.timeLimit(.minutes(2))) func stateAndCheckpointAgreeAfterTheProcessIsKilledMidCatchUp() async throws {
        let worker = try #require(Worker.executable, "ledger-worker was not built next to the tests")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("projection-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger").path
        do {
            let ledger = try Ledger.open(at: path)
            for batch in 0..<200 { _ = try await ledger.append(try FaultWorkload.batch(batch, size: 100)) }
            ledger.close()
        }
        var random = SplitMix(seed: 42)
        var checkpoints: [UInt64] = []
        var killedMidCatchUp = 0
        for _ in 0..<6 {
            let process = try Worker.start(worker, ["project", path, "50"])
            // Killed after a random number of batches, at a random moment of the next one.
            try await process.waitForLines(prefix: "folded", count: 1 + random.below(40), orUntil: "caught up")
            try await Task.sleep(for: .microseconds(random.below(3_000)))
            try await process.kill()
            let ledger = try Ledger.open(at: path)
            let (checkpoint, stored) = try storedStates(of: PositionsFolded(), in: ledger)
            let expected = try ledger.project(PositionsFolded(), asOf: AsOf(knownAt: .position(checkpoint)))
            #expect(stored == expected, "after a kill at checkpoint \(checkpoint)")
            #expect(checkpoints.last.map { checkpoint.rawValue >= $0 } ?? true, "checkpoints never go back")
            if checkpoint.rawValue > 0, checkpoint < (try ledger.head()) { killedMidCatchUp += 1 }
            checkpoints.append(checkpoint.rawValue)
            ledger.close()
        }
        #expect(killedMidCatchUp > 0, "no kill landed mid-catch-up: checkpoints \(checkpoints)")
        // Resumed in this process, it finishes where an on-demand fold of the whole log is.
        let ledger = try Ledger.open(at: path)
        defer { ledger.close() }
        let running = try await ledger.startProjection(PositionsFolded())
        try await running.waitUntilCaughtUp()
        let (checkpoint, stored) = try storedStates(of: PositionsFolded(), in: ledger)
        #expect(checkpoint == 20_000)
        #expect(stored == (try ledger.project(PositionsFolded())))
        await running.stop()
    }

    @Test(.timeLimit(.minutes(2))) func aPersistentProjectionFollowsAnotherProcesssAppends() async throws {
        let worker = try #require(Worker.executable, "ledger-worker was not built next to the tests")
        let fixture = try LedgerFixture()
        let path = fixture.folder.appendingPathComponent("ledger").path
        let running = try await fixture.ledger.startProjection(PositionsFolded())
        try await running.waitUntilCaughtUp()
        let appender = try Worker.start(worker, ["append", path, "0", "50", "40"])
        try await appender.waitForLine("done")
        #expect(try await appender.finish().status == 0)
        #expect(try fixture.ledger.head() == 2_000)
        try await running.waitUntilCaughtUp()
        let (checkpoint, stored) = try storedStates(of: PositionsFolded(), in: fixture.ledger)
        #expect(checkpoint == 2_000)
        #expect(stored == (try fixture.ledger.project(PositionsFolded())))
        await running.stop()
    }
}
