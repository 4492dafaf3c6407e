import CLMDB
import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct OpenCloseTests {
    @Test func createsTheFolderAndFilesPrivately() throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        #expect(try mode(of: folder.path) == 0o700)
        #expect(try mode(of: folder.path + "/data.mdb") == 0o600)
        #expect(try mode(of: folder.path + "/lock.mdb") == 0o600)
        #expect(try store.storageInfo().formatVersion == 2)
    }

    @Test func keepsEverythingAcrossCloseAndReopen() async throws {
        let folder = TemporaryFolder()
        do {
            let store = try LMDBEventStore.open(at: folder.path)
            try await store.append([sampleEvent("a"), sampleEvent("b")], to: "C1")
            store.close()
        }
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        #expect(try store.allEvents().map(\.type) == ["a", "b"])
        let next = try await store.append([sampleEvent("c")], to: "C1", expecting: .exactly(2))
        #expect(next.positions == 3...3)
        // A type first seen before the reopen keeps its number; a new one gets the next.
        try await store.append([sampleEvent("a"), sampleEvent("d")], to: "C2")
        #expect(try store.allEvents().map(\.type) == ["a", "b", "c", "a", "d"])
    }

    @Test func aClosedLedgerRefusesWork() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        store.close()
        store.close()  // closing twice is harmless
        let error = await #expect(throws: LedgerError.self) { try await store.append([sampleEvent()], to: "C1") }
        #expect(error?.code == .closed)
        #expect(throws: LedgerError.self) { try store.totals() }
        #expect(throws: LedgerError.self) { try store.readLog(from: .start, direction: .forward, filter: .all, limit: 1) { _ in } }
    }

    @Test func queuedAppendsFinishBeforeClose() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        store.pauseWriter()
        let pending = Task { try await store.append([sampleEvent()], to: "C1") }
        while store.queuedAppends < 1 { try await Task.sleep(for: .milliseconds(1)) }
        store.resumeWriter()
        store.close()
        #expect(try await pending.value.positions == 1...1)
        let reopened = try LMDBEventStore.open(at: folder.path)
        defer { reopened.close() }
        #expect(try reopened.totals().eventCount == 1)
    }

    @Test func onlyOneOpenPerProcess() throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let error = #expect(throws: LedgerError.self) { try LMDBEventStore.open(at: folder.path + "/.") }
        #expect(error?.code == .alreadyOpen)
    }

    @Test func refusesALedgerWithANewerFormat() throws {
        let folder = TemporaryFolder()
        try LMDBEventStore.open(at: folder.path).close()
        try overwriteMeta(folder.path, key: "formatVersion", value: UInt32(99))
        let error = #expect(throws: LedgerError.self) { try LMDBEventStore.open(at: folder.path) }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.message.contains("format version 99") == true)
        // And the refusal left the ledger as it was.
        try overwriteMeta(folder.path, key: "formatVersion", value: UInt32(1))
        try LMDBEventStore.open(at: folder.path).close()
    }

    @Test func refusesFilesThatAreNotALedger() throws {
        let folder = TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        try Data(repeating: 0x5A, count: 65_536).write(to: URL(fileURLWithPath: folder.path + "/data.mdb"))
        let error = #expect(throws: LedgerError.self) { try LMDBEventStore.open(at: folder.path) }
        #expect(error?.code == .corrupted)
    }

    @Test func refusesAFileWhereTheFolderShouldBe() throws {
        let folder = TemporaryFolder()
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: folder.path))
        let error = #expect(throws: LedgerError.self) { try LMDBEventStore.open(at: folder.path) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("not a ledger folder") == true)
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["L", "ledger", "sub/L"])
    func opensRelativePaths(_ path: String) throws {
        let folder = TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        let run = try runLedger(["append", "--path", path, "--customer", "C1", "--type", "note", "--data", "{}"], in: folder.path)
        #expect(run.status == 0, "ledger append failed: \(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/" + path + "/data.mdb"))
    }

    @Test func reportsAFolderThatCannotBeCreated() throws {
        let error = #expect(throws: LedgerError.self) { try LMDBEventStore.open(at: "/proc/no-such-place/ledger") }
        #expect(error?.message.contains("Creating the ledger folder") == true)
    }

    private func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue & 0o777
    }

    /// Writes a `meta` value with raw LMDB, as another program or a newer version would.
    private func overwriteMeta(_ path: String, key: String, value: UInt32) throws {
        var environment: OpaquePointer?
        #expect(mdb_env_create(&environment) == 0)
        defer { mdb_env_close(environment) }
        mdb_env_set_maxdbs(environment, 8)
        #expect(mdb_env_open(environment, path, 0, 0o600) == 0)
        var transaction: OpaquePointer?
        #expect(mdb_txn_begin(environment, nil, 0, &transaction) == 0)
        var database: MDB_dbi = 0
        #expect(mdb_dbi_open(transaction, "meta", 0, &database) == 0)
        var keyBytes = Array(key.utf8)
        var valueBytes = withUnsafeBytes(of: value.littleEndian) { Array($0) }
        try keyBytes.withUnsafeMutableBytes { keyBuffer in
            try valueBytes.withUnsafeMutableBytes { valueBuffer in
                var keyValue = MDB_val(mv_size: keyBuffer.count, mv_data: keyBuffer.baseAddress)
                var dataValue = MDB_val(mv_size: valueBuffer.count, mv_data: valueBuffer.baseAddress)
                try #require(mdb_put(transaction, database, &keyValue, &dataValue, 0) == 0)
            }
        }
        #expect(mdb_txn_commit(transaction) == 0)
    }
}

@Suite struct TruncatedDataFileTests {
    @Test(arguments: [8_192, 16_384, 65_536])
    func aDataFileCutShortAfterItsHeaderIsCorruptedNotACrash(_ keptBytes: Int) async throws {
        let folder = TemporaryFolder()
        do {
            let store = try LMDBEventStore.open(at: folder.path)
            for batch in 0..<20 {
                try await store.append((0..<50).map { _ in sampleEvent() }, to: try StreamID("C\(batch)"))
            }
            store.close()
        }
        let file = folder.path + "/data.mdb"
        let handle = try #require(FileHandle(forWritingAtPath: file))
        try handle.truncate(atOffset: UInt64(keptBytes))
        try handle.close()
        let error = try #require(throws: LedgerError.self) { try LMDBEventStore.open(at: folder.path) }
        #expect(error.code == .corrupted)
        #expect(error.message.contains("cut short"))
    }
}

/// A data file of 0 bytes is a ledger cut to nothing, except while another process creates
/// the ledger: LMDB writes a new file's first pages under the exclusive lock of `lock.mdb`.
@Suite struct EmptyDataFileTests {
    @Test func aNewLedgerInAnEmptyOrMissingFolderIsStillCreated() async throws {
        for makeFolder in [false, true] {
            let folder = TemporaryFolder()
            if makeFolder { try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true) }
            let store = try LMDBEventStore.open(at: folder.path)
            try await store.append([sampleEvent()], to: "C1")
            store.close()
            let again = try LMDBEventStore.open(at: folder.path)
            defer { again.close() }
            #expect(try again.totals().eventCount == 1)
        }
    }

    #if os(Linux)
    /// Holds the exclusive lock as a creating process would (an open file description lock,
    /// which conflicts with the record locks LMDB tests for even in the same process), then
    /// puts a ledger's pages into the empty file and lets go: the open waited for them.
    @Test func anEmptyDataFileThatAnotherProcessIsCreatingIsWaitedFor() async throws {
        let source = TemporaryFolder()
        do {
            let store = try LMDBEventStore.open(at: source.path)
            try await store.append([sampleEvent("a"), sampleEvent("b")], to: "C1")
            store.close()
        }
        let pages = try Data(contentsOf: URL(fileURLWithPath: source.path + "/data.mdb"))
        let lockTable = try Data(contentsOf: URL(fileURLWithPath: source.path + "/lock.mdb"))
        let folder = TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: folder.path + "/lock.mdb", contents: nil))
        #expect(FileManager.default.createFile(atPath: folder.path + "/data.mdb", contents: nil))
        let lockDescriptor = open(folder.path + "/lock.mdb", O_RDWR)
        try #require(lockDescriptor >= 0)
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 0
        lock.l_len = 1
        let openFileDescriptionSetLock: Int32 = 37  // F_OFD_SETLK, which Glibc's module does not export
        try #require(fcntl(lockDescriptor, openFileDescriptionSetLock, &lock) == 0)

        let path = folder.path
        let opening = Task.detached { try LMDBEventStore.open(at: path) }
        try await Task.sleep(for: .milliseconds(300))
        // Still empty, as the open has not started a new ledger in the file.
        #expect(try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int == 0)
        // A creator sets up the lock file's reader table and writes the first pages before
        // it lets go of the lock: an open that queued on the lock meanwhile joins as a
        // second process and uses that table as it is.
        let table = try #require(FileHandle(forWritingAtPath: path + "/lock.mdb"))
        try table.write(contentsOf: lockTable)
        try table.close()
        let handle = try #require(FileHandle(forWritingAtPath: path + "/data.mdb"))
        try handle.write(contentsOf: pages)
        try handle.close()
        close(lockDescriptor)
        let store = try await opening.value
        defer { store.close() }
        #expect(try store.allEvents().map(\.type) == ["a", "b"])
    }
    #endif

    @Test func anEmptyDataFileNobodyIsCreatingIsRefused() throws {
        let folder = TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: folder.path + "/data.mdb", contents: nil))
        let error = #expect(throws: LedgerError.self) { try LMDBEventStore.open(at: folder.path) }
        #expect(error?.code == .corrupted)
        #expect(error?.message.hasPrefix("The data file \(folder.path)/data.mdb is empty (0 bytes)") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["data.mdb"])
    }
}

/// An LMDB environment another program made is not adopted: the ledger would add its
/// databases and its format version to it.
@Suite struct ForeignEnvironmentTests {
    /// With raw LMDB, as another program would: two entries of its own in the main database,
    /// or two named databases, one of them called `meta` (without a format version).
    static func makeForeignEnvironment(at path: String, namedDatabases: Bool) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var environment: OpaquePointer?
        try #require(mdb_env_create(&environment) == 0)
        defer { mdb_env_close(environment) }
        mdb_env_set_maxdbs(environment, 4)
        try #require(mdb_env_open(environment, path, 0, 0o600) == 0)
        var transaction: OpaquePointer?
        try #require(mdb_txn_begin(environment, nil, 0, &transaction) == 0)
        for (name, key, value) in [("meta", "owner", "inventory"), ("parts", "P-1", "bolt")] {
            var database: MDB_dbi = 0
            try #require(mdb_dbi_open(transaction, namedDatabases ? name : nil, UInt32(MDB_CREATE), &database) == 0)
            var keyBytes = Array((namedDatabases ? key : name + "." + key).utf8)
            var valueBytes = Array(value.utf8)
            try keyBytes.withUnsafeMutableBytes { keyBuffer in
                try valueBytes.withUnsafeMutableBytes { valueBuffer in
                    var keyValue = MDB_val(mv_size: keyBuffer.count, mv_data: keyBuffer.baseAddress)
                    var dataValue = MDB_val(mv_size: valueBuffer.count, mv_data: valueBuffer.baseAddress)
                    try #require(mdb_put(transaction, database, &keyValue, &dataValue, 0) == 0)
                }
            }
        }
        try #require(mdb_txn_commit(transaction) == 0)
    }

    /// The keys of the environment's main database.
    static func mainKeys(at path: String) throws -> [String] {
        var environment: OpaquePointer?
        try #require(mdb_env_create(&environment) == 0)
        defer { mdb_env_close(environment) }
        try #require(mdb_env_open(environment, path, UInt32(MDB_RDONLY), 0o600) == 0)
        var transaction: OpaquePointer?
        try #require(mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &transaction) == 0)
        defer { mdb_txn_abort(transaction) }
        var main: MDB_dbi = 0
        try #require(mdb_dbi_open(transaction, nil, 0, &main) == 0)
        var cursor: OpaquePointer?
        try #require(mdb_cursor_open(transaction, main, &cursor) == 0)
        defer { mdb_cursor_close(cursor) }
        var keys: [String] = []
        var key = MDB_val(), value = MDB_val()
        var operation = MDB_FIRST
        while mdb_cursor_get(cursor, &key, &value, operation) == 0 {
            keys.append(String(decoding: UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size), as: UTF8.self))
            operation = MDB_NEXT
        }
        return keys
    }

    @Test(arguments: [false, true])
    func anotherProgramsEnvironmentIsRefusedAndLeftAsItWas(namedDatabases: Bool) throws {
        let folder = TemporaryFolder()
        try Self.makeForeignEnvironment(at: folder.path, namedDatabases: namedDatabases)
        let keys = try Self.mainKeys(at: folder.path)
        #expect(keys == (namedDatabases ? ["meta", "parts"] : ["meta.owner", "parts.P-1"]))
        let message = "The folder \(folder.path) holds an LMDB database of another program, not a ledger: its main database has 2 entries but no ledger format version. Give the folder of a ledger, or an empty folder for a new one; the files were left as they were."
        let error = #expect(throws: LedgerError.self) { try LMDBEventStore.open(at: folder.path) }
        #expect(error?.code == .corrupted)
        #expect(error?.message == message)
        // The command line says the same, for a reading and a writing command.
        for command in [["stats"], ["append", "--customer", "C1", "--type", "x.y", "--data", "{}"]] {
            let run = try runLedger(command + ["--path", folder.path])
            #expect(run.status == 1, "\(command)")
            #expect(run.stderr == "error: \(message)\n", "\(command)")
        }
        #expect(try Self.mainKeys(at: folder.path) == keys)
    }

    @Test func aLedgerAndAnEmptyEnvironmentAreOpened() async throws {
        // An environment with nothing in it is a new ledger.
        let empty = TemporaryFolder()
        try FileManager.default.createDirectory(atPath: empty.path, withIntermediateDirectories: true)
        do {
            var environment: OpaquePointer?
            try #require(mdb_env_create(&environment) == 0)
            try #require(mdb_env_open(environment, empty.path, 0, 0o600) == 0)
            mdb_env_close(environment)
        }
        let store = try LMDBEventStore.open(at: empty.path)
        try await store.append([sampleEvent()], to: "C1")
        store.close()
        // The ledger's own databases, format version included, open again.
        let again = try LMDBEventStore.open(at: empty.path)
        #expect(try again.totals().eventCount == 1)
        again.close()
        #expect(try Self.mainKeys(at: empty.path).contains("meta"))
    }
}
