import Foundation
import Synchronization

/// `ledger-worker`, run as a child process the test can talk to, wait for and kill.
///
/// Its output is read on a thread of its own, and every wait polls it with `Task.sleep`,
/// so a test's `.timeLimit` can cancel a wait for a worker that hangs; a worker still
/// running when its `Worker` goes away is killed.
final class Worker: Sendable {
    /// The binary, next to the test bundle like `ledger`.
    static let executable: URL? = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let bundle = Bundle.main.bundleURL
        return [bundle, bundle.deletingLastPathComponent(), runner, runner.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("ledger-worker") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    let process: Process
    private let input: Pipe
    private let streams = Streams()

    /// What the worker printed, filled by the reading threads (which hold only this, so the
    /// `Worker` can go away and kill a worker that hangs).
    private final class Streams: Sendable {
        let output = Mutex<(text: String, ended: Bool)>(("", false))
        let errors = Mutex<String>("")
    }

    private init(process: Process, input: Pipe) {
        self.process = process
        self.input = input
    }

    static func start(_ executable: URL, _ arguments: [String]) throws -> Worker {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let worker = Worker(process: process, input: input)
        try process.run()
        let streams = worker.streams
        Thread.detachNewThread { [output = output.fileHandleForReading] in
            while true {
                let chunk = output.availableData
                let text = String(decoding: chunk, as: UTF8.self)
                streams.output.withLock { state in
                    if chunk.isEmpty { state.ended = true } else { state.text += text }
                }
                if chunk.isEmpty { return }
            }
        }
        Thread.detachNewThread { [errors = errors.fileHandleForReading] in
            while case let chunk = errors.availableData, !chunk.isEmpty {
                streams.errors.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }
        return worker
    }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The process id.
    var processID: Int32 { process.processIdentifier }
    /// Everything read from its output so far.
    var seenOutput: String { streams.output.withLock { $0.text } }
    /// Its output so far, as lines.
    var lines: [String] { seenOutput.split(separator: "\n").map(String.init) }
    /// What it wrote to standard error so far.
    var errorOutput: String { streams.errors.withLock { $0 } }

    /// Waits until the worker has printed `line`.
    func waitForLine(_ line: String) async throws {
        try await wait { $0.contains(line) }
    }

    /// Waits until the worker has printed a line starting with `prefix`, and returns it.
    func waitForLine(prefix: String) async throws -> String {
        try await wait { $0.contains { $0.hasPrefix(prefix) } }
        return lines.first { $0.hasPrefix(prefix) }!
    }

    /// Waits until the worker has printed `count` lines starting with `prefix`, or
    /// `orUntil` (the worker then prints no more of them).
    func waitForLines(prefix: String, count: Int, orUntil last: String) async throws {
        try await wait { lines in lines.contains(last) || lines.count { $0.hasPrefix(prefix) } >= count }
    }

    /// Waits until `condition` holds for the output's lines; throws when the worker's
    /// output ends first.
    private func wait(until condition: ([String]) -> Bool) async throws {
        while true {
            let (text, ended) = streams.output.withLock { ($0.text, $0.ended) }
            if condition(text.split(separator: "\n").map(String.init)) { return }
            if ended { throw WorkerEnded(output: text, errors: errorOutput) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Writes a line to its standard input.
    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Waits for the worker to end by itself; returns its exit status and whole output.
    func finish() async throws -> (status: Int32, output: String) {
        while streams.output.withLock({ !$0.ended }) || process.isRunning { try await Task.sleep(for: .milliseconds(2)) }
        return (process.terminationStatus, seenOutput)
    }

    /// SIGKILL: no chance to finish a write or close anything. Returns all it printed.
    @discardableResult
    func kill() async throws -> String {
        Foundation.kill(process.processIdentifier, SIGKILL)
        return try await finish().output
    }

    struct WorkerEnded: Error, CustomStringConvertible {
        var output: String
        var errors: String
        var description: String { "ledger-worker ended before the awaited line; output: \(output.suffix(500)); errors: \(errors.suffix(500))" }
    }
}
