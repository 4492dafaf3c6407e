import CLMDB
import Foundation
public import LedgerCore
import Synchronization

/// An event store in one local folder, on LMDB: the embedded default engine.
///
/// ```swift
/// let store = try LMDBEventStore.open(at: "./ledger-data")
/// defer { store.close() }
/// try await store.append([event], to: "C20240501001", expecting: .noStream)
/// ```
///
/// Any number of tasks may append at once: their appends are coalesced into shared
/// transactions by one writer thread (group commit). Reads run on the caller's thread in
/// short read transactions. Several processes may open the same folder; their appends
/// serialize and each sees the others' events. Open a folder once per process.
public final class LMDBEventStore: EventStore {
    /// The folder holding the ledger.
    public let path: String
    /// The settings it was opened with.
    public let options: Options

    let environment: LMDBEnvironment
    let schema: LedgerSchema
    let types = TypeTable()
    private let watcher = HeadWatcher()
    private let writer: GroupCommitWriter
    private let isClosed = Atomic<Bool>(false)
    private let registryKey: String
    private let inlineHook = InlineHookSlot()
    /// How many reader slots of dead processes this open cleared (`mdb_reader_check`): a
    /// killed reader's slot would otherwise pin its snapshot and keep freed pages from reuse.
    package let staleReadersClearedAtOpen: Int

    /// Opens the ledger in folder `path`, creating the folder (mode 0700, with any missing
    /// parent folders) and its files (mode 0600) when missing, and clearing reader slots left by dead processes.
    ///
    /// - Throws: `LedgerError` with `LedgerError/Code` for
    ///   a ledger written by a newer version, `LedgerError/Code` for
    ///   files that are not a ledger, `LedgerError/Code`,
    ///   or `LedgerError/Code` when this process has it open.
    public static func open(at path: String, options: Options = Options()) throws(LedgerError) -> LMDBEventStore {
        try LMDBEventStore(path: path, options: options)
    }

    private init(path: String, options: Options) throws(LedgerError) {
        self.path = path
        self.options = options
        try Self.makeFolder(path)
        registryKey = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        try OpenLedgers.claim(registryKey)
        let environment: LMDBEnvironment
        let schema: LedgerSchema
        do {
            environment = try LMDBEnvironment(
                path: path,
                mapSize: Self.pageAligned(min(options.initialMapSize, options.maximumMapSize)),
                maxDatabases: UInt32(LedgerSchema.databaseNames.count + 2),
                maxReaders: options.maximumReaders,
                synced: options.durability == .durable
            )
            staleReadersClearedAtOpen = try environment.clearStaleReaders()
            let needsMigration: Bool
            (schema, needsMigration) = try environment.write { transaction in
                try LedgerSchema.refuseForeignEnvironment(transaction, path: path)
                let schema = try LedgerSchema(environment: environment, transaction: transaction, create: true)
                return (schema, try Self.checkFormat(transaction, schema, path: path))
            }
            if needsMigration {
                // Format 1 has no hash chain: add it before anything reads or appends.
                try ChainMigration(environment: environment, schema: schema, maximumMapSize: Self.pageAligned(options.maximumMapSize)).run()
            }
        } catch {
            OpenLedgers.release(registryKey)
            throw LedgerError.wrapping(error, while: "Opening the ledger at \(path)")
        }
        self.environment = environment
        self.schema = schema
        let engine = WriterEngine(
            environment: environment, schema: schema, types: types, watcher: watcher,
            maximumMapSize: Self.pageAligned(options.maximumMapSize),
            inlineHook: inlineHook
        )
        writer = GroupCommitWriter(
            maximumGroupSize: options.maximumGroupSize, gatherWindow: options.groupGatherWindow, name: "ledger-writer") { group in
            engine.commit(group)
        }
    }

    deinit {
        close()
    }

    /// Finishes the appends already queued, syncs, and closes. Later calls throw
    /// `LedgerError/Code`; waiting subscriptions end with it.
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        writer.stop()
        watcher.close(with: closedError)
        try? environment.sync()
        environment.close()
        OpenLedgers.release(registryKey)
    }

    /// Writes what relaxed durability left in the operating system's cache to disk.
    public func sync() throws(LedgerError) {
        do { try environment.sync() } catch { throw LedgerError.wrapping(error, while: "Syncing the ledger") }
    }

    /// Test hooks: hold the writer so that concurrent appends form one known group.
    package func pauseWriter() { writer.pause() }
    package func resumeWriter() { writer.resume() }
    package var queuedAppends: Int { writer.queuedRequests }
    package var committedGroups: Int { writer.groupCount }

    /// The reader slots in use across every process that has the ledger open, for fault
    /// tests that check a killed reader's slot is cleared.
    package func readerSlots() throws(LedgerError) -> [ReaderSlot] {
        do { return try environment.readerSlots() } catch { throw LedgerError.wrapping(error, while: "Listing the reader slots") }
    }

    var closedError: LedgerError {
        LedgerError(.closed, "The ledger at \(path) is closed: open it again to read or write.")
    }

    // MARK: Appends

    public func append(_ appends: [StreamAppend]) async throws(LedgerError) -> [AppendResult] {
        guard !isClosed.load(ordering: .acquiring) else { throw closedError }
        let prepared = try PreparedAppend.prepare(appends, maximumEventSize: options.maximumEventSize)
        let result = await withCheckedContinuation { continuation in
            writer.submit(AppendRequest(prepared, continuation: continuation), closedError: closedError)
        }
        return try result.get()
    }

    /// Queues a projection write for the writer thread (see `writeProjections`).
    func submitProjectionWrite(_ body: @escaping (ProjectionTransaction) throws -> any Sendable) async throws(LedgerError) -> any Sendable {
        guard !isClosed.load(ordering: .acquiring) else { throw closedError }
        let result = await withCheckedContinuation { continuation in
            writer.submit(ProjectionWriteRequest(body, continuation: continuation), closedError: closedError)
        }
        return try result.get()
    }

    /// Sets (or with `nil` removes) the hook that every later append of this process runs
    /// inside its own transaction, after its events are written (inline projections).
    package func setInlineProjectionHook(_ hook: InlineProjectionHook?) {
        inlineHook.hook = hook
    }

    // MARK: Waiting

    public func waitForEvents(after position: LogPosition) async throws {
        guard !isClosed.load(ordering: .acquiring) else { throw closedError }
        try await watcher.wait(after: position, pollInterval: options.crossProcessPollInterval) {
            try head()
        }
    }

    // MARK: Opening

    private static func makeFolder(_ path: String) throws(LedgerError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw LedgerError(.invalidInput, "\(path) is a file, not a ledger folder: give a folder path.")
            }
            guard access(path, R_OK | W_OK | X_OK) == 0 else {
                throw LedgerError(
                    .permissionDenied,
                    "The ledger folder \(path) is not readable and writable by this user: fix its owner or mode (the ledger creates it as 0700).",
                    systemCode: errno
                )
            }
            return
        }
        // URL, not NSString: Foundation's deletingLastPathComponent traps on one-character paths.
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: parent) {
            try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        guard mkdir(path, 0o700) == 0 else {
            let code = errno
            throw LedgerError(
                code == EACCES ? .permissionDenied : .storageFailure,
                "Creating the ledger folder \(path) failed: \(String(cString: strerror(code))). Check the path and its parent folder's permissions.",
                systemCode: code
            )
        }
    }

    /// Refuses a newer format, stamps a new ledger with the current one, and returns
    /// whether the ledger is of an older format that ``ChainMigration`` must bring up to date.
    private static func checkFormat(_ transaction: LMDBTransaction, _ schema: LedgerSchema, path: String) throws -> Bool {
        if let stored = try GroupTransaction.readMeta(transaction, schema, MetaKey.formatVersion) {
            let version = stored.readLE(UInt32.self, at: 0)
            guard version <= LedgerSchema.formatVersion else {
                throw LedgerError(
                    .unsupportedFormat,
                    "The ledger at \(path) has format version \(version); this library reads up to \(LedgerSchema.formatVersion). Upgrade the library to open it."
                )
            }
            return try ChainMigration.isNeeded(transaction, schema)
        } else {
            var bytes: [UInt8] = []
            bytes.appendLE(LedgerSchema.formatVersion)
            try GroupTransaction.writeMeta(transaction, schema, MetaKey.formatVersion, bytes)
            return false
        }
    }

    static func pageAligned(_ size: Int) -> Int {
        let page = 1 << 16
        return max(page, size / page * page)
    }
}

/// The folders open in this process: LMDB must not open one environment twice in a process.
enum OpenLedgers {
    private static let paths = Mutex<Set<String>>([])

    static func claim(_ path: String) throws(LedgerError) {
        let claimed = paths.withLock { $0.insert(path).inserted }
        guard claimed else {
            throw LedgerError(
                .alreadyOpen,
                "The ledger at \(path) is already open in this process: share that instance instead of opening it again."
            )
        }
    }

    static func release(_ path: String) {
        _ = paths.withLock { $0.remove(path) }
    }
}
