import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct SubscriptionTests {
    @Test func catchesUpThenReceivesLiveAppendsInOrder() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        for index in 0..<5 { try await store.append([sampleEvent(body: "{\"i\":\(index)}")], to: "C1") }
        let received = Task {
            var positions: [UInt64] = []
            for try await event in store.subscribe(after: 2, batchSize: 2) {
                positions.append(event.position.rawValue)
                if positions.count == 13 { break }
            }
            return positions
        }
        // Live appends from many tasks while the subscription runs.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<10 {
                group.addTask { try await store.append([sampleEvent()], to: StreamID("L\(task)")) }
            }
            try await group.waitForAll()
        }
        let positions = try await received.value
        #expect(positions == Array(3...15))
    }

    @Test func filteredSubscriptionSkipsOtherTypes() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let received = Task {
            var types: [String] = []
            for try await event in store.subscribe(filter: .only(["wanted"])) {
                types.append("\(event.position):\(event.type)")
                if types.count == 2 { break }
            }
            return types
        }
        for type in ["other", "wanted", "other", "other", "wanted"] {
            try await store.append([sampleEvent(type)], to: "C1")
        }
        #expect(try await received.value == ["2:wanted", "5:wanted"])
    }

    @Test func endsWhenTheTaskIsCancelled() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let task = Task {
            var count = 0
            for try await _ in store.subscribe() { count += 1 }
            return count
        }
        try await store.append([sampleEvent()], to: "C1")
        while try store.head() < 1 { try await Task.sleep(for: .milliseconds(1)) }
        task.cancel()
        #expect(try await task.value <= 1)
    }

    @Test func throwsClosedWhenTheStoreCloses() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        let task = Task {
            for try await _ in store.subscribe() {}
        }
        try await Task.sleep(for: .milliseconds(20))
        store.close()
        let result = await task.result
        #expect(throws: LedgerError.self) { try result.get() }
    }

    @Test(.timeLimit(.minutes(1))) func seesAppendsMadeByAnotherProcess() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await store.append([sampleEvent()], to: "here")
        let received = Task {
            var seen: [String] = []
            for try await event in store.subscribe() {
                seen.append("\(event.position):\(event.stream)")
                if seen.count == 3 { break }
            }
            return seen
        }
        for customer in ["there-1", "there-2"] {
            let run = try runLedger([
                "append", "--path", folder.path, "--customer", customer, "--type", "customer.registered",
                "--data", #"{"kind":"person","name":"From another process"}"#,
            ])
            #expect(run.status == 0, "ledger append failed: \(run.stderr)")
        }
        #expect(try await received.value == ["1:here", "2:there-1", "3:there-2"])
        // And this process appends after the other one, on top of its events.
        let next = try await store.append([sampleEvent()], to: "here")
        #expect(next.positions == 4...4)
    }
}

/// Runs the `ledger` executable built beside the tests.
func runLedger(_ arguments: [String], input: String? = nil, in folder: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = ledgerExecutable()
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    if let input {
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
    } else {
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

func ledgerExecutable() -> URL {
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    // The test bundle may sit inside a `.xctest` folder on some platforms.
    while !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("ledger").path), folder.path != "/" {
        folder.deleteLastPathComponent()
    }
    return folder.appendingPathComponent("ledger")
}
