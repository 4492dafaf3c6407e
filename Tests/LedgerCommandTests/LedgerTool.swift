import Foundation
import Testing

/// What a run of the `ledger` binary did.
struct ToolResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Standard output split into lines, without the empty one after the last break.
    var stdoutLines: [String] {
        stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    /// Standard error split into lines.
    var stderrLines: [String] {
        stderr.split(separator: "\n").map(String.init)
    }
}

/// Runs the built `ledger` executable as a separate process, the way a user does.
enum LedgerTool {
    /// The binary, found next to the test bundle (SwiftPM puts products and test bundles
    /// in the same build folder), or in `LEDGER_TOOL` when set.
    static let executable: URL? = {
        if let path = ProcessInfo.processInfo.environment["LEDGER_TOOL"] {
            return URL(fileURLWithPath: path)
        }
        let bundle = Bundle.main.bundleURL
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundle.appendingPathComponent("ledger"),
            bundle.deletingLastPathComponent().appendingPathComponent("ledger"),
            runner.appendingPathComponent("ledger"),
            runner.deletingLastPathComponent().appendingPathComponent("ledger"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct NotFound: Error, CustomStringConvertible {
        var description: String {
            "The ledger binary was not found next to the tests (\(Bundle.main.bundleURL.path)); build it or set LEDGER_TOOL."
        }
    }

    /// Runs `ledger arguments…` with `stdin` as standard input (empty when `nil`) and
    /// returns its exit status and output.
    static func run(_ arguments: [String], stdin: String? = nil) async throws -> ToolResult {
        guard let executable else { throw NotFound() }
        return try await run(program: executable, arguments, stdin: stdin)
    }

    /// Runs any program the same way (for example `ledger` under another user).
    static func run(program executable: URL, _ arguments: [String], stdin: String? = nil) async throws -> ToolResult {
        // Files rather than pipes for the output: nothing can fill up and block.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inputURL = scratch.appendingPathComponent("stdin")
        let outputURL = scratch.appendingPathComponent("stdout")
        let errorURL = scratch.appendingPathComponent("stderr")
        try Data((stdin ?? "").utf8).write(to: inputURL)
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)
        let input = try FileHandle(forReadingFrom: inputURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        defer {
            try? input.close()
            try? output.close()
            try? error.close()
        }

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        // A test's time limit cancels its task: the tool is then terminated, so a hung run
        // ends the test instead of holding up the suite.
        let running = RunningProcess(process)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                process.terminationHandler = { _ in continuation.resume() }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            running.terminate()
        }
        return ToolResult(
            status: process.terminationStatus,
            stdout: try String(contentsOf: outputURL, encoding: .utf8),
            stderr: try String(contentsOf: errorURL, encoding: .utf8)
        )
    }
}

/// A child process that a cancellation handler, which may run on any thread, can end.
private final class RunningProcess: @unchecked Sendable {
    // Process's own methods are thread-safe; the class only carries it across.
    private let process: Process

    init(_ process: Process) { self.process = process }

    func terminate() {
        if process.isRunning { process.terminate() }
    }
}

/// Runs `body` with a fresh temporary folder, removed afterwards.
func withTemporaryFolder<Result>(_ body: (URL) async throws -> Result) async throws -> Result {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-cli-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}
