import Foundation
import LedgerCore
import LedgerLMDB
import Synchronization
import Testing

/// What the appenders of a backup test share.
private final class AppendersState: Sendable {
    let stop = Atomic<Bool>(false)
    let completedAppends = Atomic<Int>(0)
}

@Suite struct BackupTests {
    /// The mode bits of a file or folder.
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    /// Appends `count` events of about `size` bytes in large batches over a few streams.
    static func prefill(_ store: LMDBEventStore, count: Int, size: Int = 500) async throws {
        let body = #"{"p":""# + String(repeating: "x", count: size) + #""}"#
        for batch in 0..<(count / 1_000) {
            try await store.append((0..<1_000).map { _ in sampleEvent(body: body) }, to: try StreamID("P\(batch % 5)"))
        }
    }

    @Test func aBackupTakenWhileSixtyFourTasksAppendRestoresWithEveryEventCommittedBeforeIt() async throws {
        let folder = TemporaryFolder()
        let backup = folder.path + "-backup"
        let restored = folder.path + "-restored"
        var options = LMDBEventStore.Options()
        options.durability = .relaxed
        let store = try LMDBEventStore.open(at: folder.path, options: options)
        defer { store.close() }
        try await Self.prefill(store, count: 40_000)

        let state = AppendersState()
        let batchSize = 3
        let manifest: BackupManifest
        let headBefore: LogPosition
        let appendsDuringBackup: Int
        (manifest, headBefore, appendsDuringBackup) = try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<64 {
                group.addTask {
                    let stream = try StreamID("W\(task)")
                    var version: UInt64 = 0
                    while !state.stop.load(ordering: .relaxed) {
                        let events = (0..<batchSize).map { index in
                            sampleEvent("test.step", body: #"{"task":\#(task),"step":\#(version + UInt64(index) + 1)}"#)
                        }
                        try await store.append(events, to: stream, expecting: version == 0 ? .noStream : .exactly(StreamVersion(version)))
                        version += UInt64(batchSize)
                        state.completedAppends.add(1, ordering: .relaxed)
                    }
                }
            }
            // Let the appenders get going, then take the backup in the middle of them.
            while state.completedAppends.load(ordering: .relaxed) < 200 { try await Task.sleep(for: .milliseconds(1)) }
            let headBefore = try store.head()
            let appendsBefore = state.completedAppends.load(ordering: .relaxed)
            let manifest = try await store.backup(to: backup)
            let appendsDuring = state.completedAppends.load(ordering: .relaxed) - appendsBefore
            // …and let them go on a little after it.
            let target = state.completedAppends.load(ordering: .relaxed) + 200
            while state.completedAppends.load(ordering: .relaxed) < target { try await Task.sleep(for: .milliseconds(1)) }
            state.stop.store(true, ordering: .relaxed)
            try await group.waitForAll()
            return (manifest, headBefore, appendsDuring)
        }

        // Every event committed before the backup began is in it, and appends went on meanwhile.
        #expect(manifest.head >= headBefore)
        #expect(appendsDuringBackup > 0)
        let finalHead = try store.head()
        #expect(finalHead > manifest.head)

        try await LMDBEventStore.restore(backup: backup, to: restored)
        let copy = try LMDBEventStore.open(at: restored)
        defer { copy.close() }
        let copied = try copy.allEvents()
        // Gapless: exactly positions 1…head, and they are the original's events.
        #expect(copied.map(\.position.rawValue) == Array(1...manifest.head.rawValue))
        #expect(try copy.head() == manifest.head)
        var original: [RecordedEvent] = []
        try store.readLog(from: .start, direction: .forward, filter: .all, limit: Int(manifest.head.rawValue)) { original.append($0) }
        #expect(copied == original)
        // Nothing partial: each appender's stream holds whole batches, versions 1…n.
        for task in 0..<64 {
            let versions = try copy.allEvents(in: StreamID("W\(task)")).map(\.version.rawValue)
            #expect(versions.count % batchSize == 0, "stream W\(task) holds \(versions.count) events")
            #expect(versions == Array(0..<UInt64(versions.count)).map { $0 + 1 })
        }
        #expect(try copy.totals().streamCount == manifest.streamCount)
        // It verifies: its chain holds, its head is the manifest's, and the original's log up
        // to that head is still what the backup holds.
        let report = try copy.verify()
        #expect(report.isIntact, "\(String(describing: report.problem))")
        #expect(report.eventsVerified == manifest.head.rawValue)
        #expect(try copy.digest().hash == manifest.chainHash)
        let digest = try #require(manifest.digest)
        #expect(try store.verify(against: digest).isIntact)
    }

    @Test func theBackupFolderHoldsACompactedPrivateCopyAndAManifestWrittenLast() async throws {
        let folder = TemporaryFolder()
        let backup = folder.path + "-backup"
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await Self.prefill(store, count: 5_000)
        let started = Date()
        let manifest = try await store.backup(to: backup)

        #expect(try FileManager.default.contentsOfDirectory(atPath: backup).sorted() == ["backup.json", "data.mdb"])
        #expect(try Self.mode(backup) == 0o700)
        #expect(try Self.mode(backup + "/data.mdb") == 0o600)
        #expect(try Self.mode(backup + "/backup.json") == 0o600)
        #expect(manifest.head == 5_000 && manifest.eventCount == 5_000)
        #expect(manifest.streamCount == 5)
        #expect(manifest.ledgerFormatVersion == 2 && manifest.backupFormat == 1)
        #expect(manifest.source == folder.path)
        #expect(manifest.startedAt >= started.addingTimeInterval(-0.001) && manifest.finishedAt >= manifest.startedAt)
        #expect(manifest.lastRecordedAt == (try store.totals().lastRecordedAt))
        #expect(manifest.sha256.count == 64)
        #expect(manifest.chainHash == (try store.digest().hash))
        #expect(manifest.digest?.position == 5_000)
        let dataSize = try #require(try FileManager.default.attributesOfItem(atPath: backup + "/data.mdb")[.size] as? Int)
        #expect(manifest.byteCount == dataSize)
        // Compacted: no free pages, so never larger than the ledger's own file.
        #expect(dataSize <= (try store.storageInfo().fileSize))
        // The manifest on disk is the one returned.
        #expect(try LMDBEventStore.backupManifest(in: backup) == manifest)
        let text = try String(contentsOfFile: backup + "/backup.json", encoding: .utf8)
        #expect(text.contains(#""head" : 5000"#))
    }

    @Test func openingTheBackupFolderDirectlyGivesTheLedger() async throws {
        let folder = TemporaryFolder()
        let backup = folder.path + "-backup"
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await Self.prefill(store, count: 2_000)
        let manifest = try await store.backup(to: backup)
        let opened = try LMDBEventStore.open(at: backup)
        defer { opened.close() }
        #expect(try opened.head() == manifest.head)
        #expect(try opened.allEvents() == (try store.allEvents()))
    }

    @Test(arguments: ["file", "not empty"])
    func aBackupNeverOverwrites(_ occupant: String) async throws {
        let folder = TemporaryFolder()
        let backup = folder.path + "-backup"
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await store.append([sampleEvent()], to: "C1")
        if occupant == "file" {
            try Data("mine".utf8).write(to: URL(fileURLWithPath: backup))
        } else {
            try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: true)
            try Data("mine".utf8).write(to: URL(fileURLWithPath: backup + "/notes.txt"))
        }
        let error = await #expect(throws: LedgerError.self) { try await store.backup(to: backup) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains(occupant == "file" ? "is a file" : "is not empty (it holds notes.txt)") == true)
        if occupant == "file" {
            #expect(try String(contentsOfFile: backup, encoding: .utf8) == "mine")
        } else {
            #expect(try FileManager.default.contentsOfDirectory(atPath: backup) == ["notes.txt"])
        }
    }

    @Test func anEmptyFolderIsUsedAndMadePrivate() async throws {
        let folder = TemporaryFolder()
        let backup = folder.path + "-backup"
        try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await store.append([sampleEvent()], to: "C1")
        let manifest = try await store.backup(to: backup)
        #expect(manifest.head == 1)
        #expect(try Self.mode(backup) == 0o700)
    }

    @Test func anEmptyLedgerBacksUpAndRestores() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let manifest = try await store.backup(to: folder.path + "-backup")
        #expect(manifest.head == .start && manifest.lastRecordedAt == nil && manifest.streamCount == 0)
        #expect(manifest.chainHash == .genesis)
        try await LMDBEventStore.restore(backup: folder.path + "-backup", to: folder.path + "-restored")
        let restored = try LMDBEventStore.open(at: folder.path + "-restored")
        defer { restored.close() }
        #expect(try restored.totals().eventCount == 0)
    }

    @Test func aClosedStoreIsNotBackedUpAndLeavesNothing() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        store.close()
        let error = await #expect(throws: LedgerError.self) { try await store.backup(to: folder.path + "-backup") }
        #expect(error?.code == .closed)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "-backup"))
    }

    @Test func aBackupWhileTheMapGrowsFinishesAndSoDoTheAppends() async throws {
        let folder = TemporaryFolder()
        var options = LMDBEventStore.Options()
        options.initialMapSize = 64 << 10
        options.durability = .relaxed
        let store = try LMDBEventStore.open(at: folder.path, options: options)
        defer { store.close() }
        let payload = String(repeating: "g", count: 4_000)
        let backup = folder.path + "-backup"
        let manifest = try await withThrowingTaskGroup(of: BackupManifest?.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for _ in 0..<100 { try await store.append([sampleEvent(body: #"{"p":"\#(payload)"}"#)], to: StreamID("G\(task)")) }
                    return nil
                }
            }
            group.addTask { try await store.backup(to: backup) }
            return try await group.reduce(into: BackupManifest?.none) { $0 = $0 ?? $1 }
        }
        let taken = try #require(manifest)
        #expect(try store.totals().eventCount == 800)
        #expect(try store.storageInfo().mapSize > 64 << 10)
        try await LMDBEventStore.restore(backup: backup, to: folder.path + "-restored")
        let restored = try LMDBEventStore.open(at: folder.path + "-restored")
        defer { restored.close() }
        #expect(try restored.allEvents().map(\.position.rawValue) == Array(0..<taken.head.rawValue).map { $0 + 1 })
    }
}

@Suite struct BackupRestoreTests {
    /// A ledger with a few events and its backup.
    static func backedUp(_ folder: borrowing TemporaryFolder) async throws -> BackupManifest {
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        for index in 0..<10 { try await store.append([sampleEvent()], to: StreamID("C\(index % 3)")) }
        return try await store.backup(to: folder.path + "-backup")
    }

    @Test func restoreMakesAPrivateLedgerFolderAndLeavesTheBackupAsItWas() async throws {
        let folder = TemporaryFolder()
        let manifest = try await Self.backedUp(folder)
        let target = folder.path + "-restored/nested/ledger"
        let restoredManifest = try await LMDBEventStore.restore(backup: folder.path + "-backup", to: target)
        #expect(restoredManifest == manifest)
        #expect(try BackupTests.mode(target) == 0o700)
        #expect(try BackupTests.mode(target + "/data.mdb") == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "-backup").sorted() == ["backup.json", "data.mdb"])
        let restored = try LMDBEventStore.open(at: target)
        defer { restored.close() }
        #expect(try restored.head() == 10)
        // A restored ledger is a ledger: it takes appends after the restored head.
        let result = try await restored.append([sampleEvent()], to: "C9")
        #expect(result.positions.lowerBound == 11)
        // The backup restores again, unchanged.
        try await LMDBEventStore.restore(backup: folder.path + "-backup", to: folder.path + "-again")
    }

    @Test func restoreRefusesToOverwriteALedger() async throws {
        let folder = TemporaryFolder()
        _ = try await Self.backedUp(folder)
        let other = folder.path + "-other"
        let store = try LMDBEventStore.open(at: other)
        try await store.append([sampleEvent(), sampleEvent()], to: "X")
        store.close()
        let error = await #expect(throws: LedgerError.self) { try await LMDBEventStore.restore(backup: folder.path + "-backup", to: other) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("already holds a ledger or a backup (data.mdb)") == true)
        let untouched = try LMDBEventStore.open(at: other)
        defer { untouched.close() }
        #expect(try untouched.head() == 2)
    }

    @Test func restoreRefusesABackupWithoutItsManifest() async throws {
        let folder = TemporaryFolder()
        _ = try await Self.backedUp(folder)
        try FileManager.default.removeItem(atPath: folder.path + "-backup/backup.json")
        let error = await #expect(throws: LedgerError.self) {
            try await LMDBEventStore.restore(backup: folder.path + "-backup", to: folder.path + "-restored")
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("a backup that did not finish") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "-restored"))
    }

    @Test func restoreFindsADamagedDataFileAndLeavesNothing() async throws {
        let folder = TemporaryFolder()
        _ = try await Self.backedUp(folder)
        let data = folder.path + "-backup/data.mdb"
        let handle = try #require(FileHandle(forUpdatingAtPath: data))
        try handle.seek(toOffset: 5_000)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: 5_000)
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
        try handle.close()
        let error = await #expect(throws: LedgerError.self) {
            try await LMDBEventStore.restore(backup: folder.path + "-backup", to: folder.path + "-restored")
        }
        #expect(error?.code == .corrupted)
        #expect(error?.message.contains("does not match its manifest") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "-restored"))
    }

    @Test(.timeLimit(.minutes(1))) func restoreRefusesABackupWhoseChainDoesNotVerifyAndLeavesNothing() async throws {
        // A backup made from a ledger whose stored event was changed behind the library's
        // back: its data file matches its manifest, but the chain gives it away.
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        for index in 0..<10 { try await store.append([sampleEvent(body: #"{"note":"event-\#(index)-TAMPERME"}"#)], to: "C1") }
        let backup = folder.path + "-backup"
        try await store.backup(to: backup)
        store.close()
        let dataPath = backup + "/data.mdb"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dataPath))
        let range = try #require(bytes.range(of: Data("event-4-TAMPERME".utf8)))
        bytes[range.lowerBound + 6] = UInt8(ascii: "9")
        try bytes.write(to: URL(fileURLWithPath: dataPath))
        let digest = try Self.sha256(of: dataPath)
        let manifestPath = backup + "/backup.json"
        let manifest = try LMDBEventStore.backupManifest(in: backup)
        let text = try String(contentsOfFile: manifestPath, encoding: .utf8).replacingOccurrences(of: manifest.sha256, with: digest)
        try text.write(toFile: manifestPath, atomically: false, encoding: .utf8)

        let error = await #expect(throws: LedgerError.self) {
            try await LMDBEventStore.restore(backup: backup, to: folder.path + "-restored")
        }
        #expect(error?.code == .corrupted)
        #expect(error?.message.contains("does not verify at position 5") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "-restored"))
        // Without verification the same backup restores, for whoever needs to look at it.
        try await LMDBEventStore.restore(backup: backup, to: folder.path + "-unverified", verifying: false)
        let restored = try LMDBEventStore.open(at: folder.path + "-unverified")
        defer { restored.close() }
        #expect(try restored.verify().problem?.position == 5)
    }

    /// The SHA-256 of a file, by the system's own tool: an independent check of the manifest.
    static func sha256(of path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output.prefix(64), as: UTF8.self)
    }

    @Test(.timeLimit(.minutes(1))) func theManifestsDigestIsTheDataFilesSHA256() async throws {
        let folder = TemporaryFolder()
        let manifest = try await Self.backedUp(folder)
        #expect(manifest.sha256 == (try Self.sha256(of: folder.path + "-backup/data.mdb")))
    }

    @Test func aManifestOfANewerFormatIsRefused() async throws {
        let folder = TemporaryFolder()
        _ = try await Self.backedUp(folder)
        let path = folder.path + "-backup/backup.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: #""backupFormat" : 1"#, with: #""backupFormat" : 2"#).write(toFile: path, atomically: false, encoding: .utf8)
        let error = await #expect(throws: LedgerError.self) {
            try await LMDBEventStore.restore(backup: folder.path + "-backup", to: folder.path + "-restored")
        }
        #expect(error?.code == .unsupportedFormat)
    }
}
