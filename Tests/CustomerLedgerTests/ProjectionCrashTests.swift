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
            process.kill()
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
        appender.process.waitUntilExit()
        #expect(appender.process.terminationStatus == 0)
        #expect(try fixture.ledger.head() == 2_000)
        try await running.waitUntilCaughtUp()
        let (checkpoint, stored) = try storedStates(of: PositionsFolded(), in: fixture.ledger)
        #expect(checkpoint == 2_000)
        #expect(stored == (try fixture.ledger.project(PositionsFolded())))
        await running.stop()
    }

    /// The checkpoint and every state stored for the projection's version, read in one
    /// transaction whether or not the version serves reads yet.
    private func storedStates<P: Projection>(of projection: P, in ledger: Ledger) throws -> (LogPosition, [String: P.State]) where P.State: Codable {
        try ledger.store.readProjections { storage in
            var states: [String: P.State] = [:]
            try storage.forEachState(projection.name, version: projection.version, from: nil) { key, bytes in
                states[key] = try JSONDecoder().decode(P.State.self, from: Data(bytes))
                return true
            }
            return (try storage.checkpoint(projection.name, version: projection.version) ?? .start, states)
        }
    }
}

/// `ledger-worker`, run as a child process the test can kill.
final class Worker {
    /// The binary, next to the test bundle like `ledger`.
    static let executable: URL? = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let bundle = Bundle.main.bundleURL
        return [bundle, bundle.deletingLastPathComponent(), runner, runner.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("ledger-worker") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    let process: Process
    let output: Pipe
    /// Everything read from its output so far.
    private(set) var seenOutput = ""

    init(process: Process, output: Pipe) {
        self.process = process
        self.output = output
    }

    static func start(_ executable: URL, _ arguments: [String]) throws -> Worker {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return Worker(process: process, output: output)
    }

    /// Waits until the worker has printed `line` (its output is a few short lines).
    func waitForLine(_ line: String) async throws {
        while !seenOutput.split(separator: "\n").contains(Substring(line)) { try readMore() }
    }

    /// Waits until the worker has printed `count` lines starting with `prefix`, or
    /// `orUntil` (the worker then prints no more of them).
    func waitForLines(prefix: String, count: Int, orUntil last: String) async throws {
        while seenOutput.split(separator: "\n").filter({ $0.hasPrefix(prefix) }).count < count,
              !seenOutput.split(separator: "\n").contains(Substring(last)) {
            try readMore()
        }
    }

    private func readMore() throws {
        let chunk = output.fileHandleForReading.availableData
        guard !chunk.isEmpty else { throw WorkerEnded(output: seenOutput) }
        seenOutput += String(decoding: chunk, as: UTF8.self)
    }

    /// SIGKILL: no chance to finish a write or close anything.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    struct WorkerEnded: Error { var output: String }
}
