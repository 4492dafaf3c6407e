import CustomerLedger
import Foundation
import LedgerFaultSupport
import Testing

/// Crash consistency of appends: `ledger-worker append` is SIGKILLed at random moments
/// while it appends known batches and keeps a persistent projection (inline or in the
/// background, at random); after each kill the ledger must hold every batch the worker
/// reported as acknowledged, no batch in part, gapless positions, a chain that verifies,
/// and projection states that agree with their checkpoint. `LEDGER_CRASH_KILLS` sets the number of kills (the default keeps CI fast;
/// `Scripts/crash-loop` runs 200).
@Suite struct CrashLoopTests {
    static let batchSize = 25

    @Test(.timeLimit(.minutes(10))) func everyAcknowledgedBatchSurvivesAKillAndNoneIsHalfWritten() async throws {
        let worker = try #require(Worker.executable, "ledger-worker was not built next to the tests")
        let kills = ProcessInfo.processInfo.environment["LEDGER_CRASH_KILLS"].flatMap(Int.init) ?? 12
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crash-loop-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger").path
        var random = SplitMix(seed: UInt64(kills))
        var acknowledged: Set<Int> = []
        var next = 0
        var checked = 0
        var checkpoints: [UInt64] = []
        var inlineRuns = 0
        for _ in 0..<kills {
            let mode = random.below(2) == 0 ? "inline" : "background"
            if mode == "inline" { inlineRuns += 1 }
            let process = try Worker.start(worker, ["append", path, "\(next)", "100000", "\(Self.batchSize)", mode])
            try await process.waitForLines(prefix: "acked", count: 1 + random.below(20), orUntil: "done")
            try await Task.sleep(for: .microseconds(random.below(4_000)))
            let output = try await process.kill()
            acknowledged.formUnion(output.split(separator: "\n").compactMap { line in
                line.hasPrefix("acked ") ? Int(line.dropFirst(6)) : nil
            })
            let ledger = try Ledger.open(at: path)
            var eventsPerBatch: [Int: Int] = [:]
            var positions: [UInt64] = []
            try ledger.readLog(from: .start) { event in
                eventsPerBatch[FaultWorkload.batch(of: event.id), default: 0] += 1
                positions.append(event.position.rawValue)
            }
            #expect(positions.enumerated().allSatisfy { $0.element == UInt64($0.offset + 1) }, "positions have no gaps")
            #expect(eventsPerBatch.values.allSatisfy { $0 == Self.batchSize }, "a batch is partly stored: \(eventsPerBatch.filter { $0.value != Self.batchSize })")
            #expect(acknowledged.isSubset(of: Set(eventsPerBatch.keys)), "acknowledged batches missing: \(acknowledged.subtracting(eventsPerBatch.keys).sorted())")
            let report = try ledger.verify()
            #expect(report.isIntact, "the chain does not verify: \(String(describing: report.problem))")
            // The projection's states are the fold of the log up to its checkpoint, which
            // never goes back.
            let (checkpoint, stored) = try storedStates(of: PositionsFolded(), in: ledger)
            #expect(stored == (try ledger.project(PositionsFolded(), asOf: AsOf(knownAt: .position(checkpoint)))), "projection states after a kill at checkpoint \(checkpoint)")
            #expect(checkpoints.last.map { checkpoint.rawValue >= $0 } ?? true, "the checkpoint went back")
            checkpoints.append(checkpoint.rawValue)
            next = (eventsPerBatch.keys.max() ?? -1) + 1
            checked += positions.count
            ledger.close()
        }
        #expect(acknowledged.count > kills, "the worker acknowledged too little to test anything")
        #expect(checkpoints.contains { $0 > 0 }, "the projection never checkpointed")
        print("crash loop: \(kills) kills survived, \(acknowledged.count) acknowledged batches, \(checked) events checked, projection checkpoints \(Set(checkpoints).count) distinct (\(inlineRuns) inline runs, \(kills - inlineRuns) background)")
    }
}
