import CLMDB
import Foundation
import LedgerCore

/// An open LMDB environment (one ledger folder).
///
/// `@unchecked Sendable` is safe here: the environment is opened with `MDB_NOTLS`, so read
/// transactions may run on any thread; write transactions are begun only by the store's
/// single writer thread; and the one call LMDB forbids while transactions are live in this
/// process, `mdb_env_set_mapsize`, runs under the exclusive side of ``mapLock`` while every
/// transaction holds its shared side.
final class LMDBEnvironment: @unchecked Sendable {
    let handle: OpaquePointer
    let path: String
    private let mapLock: UnsafeMutablePointer<pthread_rwlock_t>
    private var isClosed = false

    /// Opens (creating when missing) the environment in folder `path`.
    ///
    /// `readOnly` opens an existing environment that nothing else has open, such as a
    /// backup, to read it without changing its folder: `MDB_RDONLY | MDB_NOLOCK`, so no
    /// lock file is created and only read transactions may begin.
    init(path: String, mapSize: Int, maxDatabases: UInt32, maxReaders: UInt32, synced: Bool, readOnly: Bool = false) throws {
        var environment: OpaquePointer?
        try lmdbCheck(mdb_env_create(&environment), "Creating the LMDB environment")
        guard let environment else {
            throw LedgerError(.storageFailure, "Creating the LMDB environment returned no handle.")
        }
        do {
            try lmdbCheck(mdb_env_set_maxdbs(environment, maxDatabases), "Setting the number of databases")
            try lmdbCheck(mdb_env_set_maxreaders(environment, maxReaders), "Setting the number of readers")
            try lmdbCheck(mdb_env_set_mapsize(environment, mapSize), "Setting the map size")
            var flags = UInt32(MDB_NOTLS)
            if !synced { flags |= UInt32(MDB_NOSYNC) }
            if readOnly { flags |= UInt32(MDB_RDONLY) | UInt32(MDB_NOLOCK) }
            try Self.refuseEmptyDataFile(path: path, waitForCreator: !readOnly)
            try lmdbCheck(mdb_env_open(environment, path, flags, 0o600), "Opening the ledger at \(path)")
            try Self.checkFileHoldsEveryPage(environment, path: path)
        } catch {
            mdb_env_close(environment)
            throw error
        }
        self.handle = environment
        self.path = path
        self.mapLock = .allocate(capacity: 1)
        pthread_rwlock_init(mapLock, nil)
    }

    /// LMDB takes a data file of 0 bytes for a new environment and starts one in it, so a
    /// ledger whose `data.mdb` was cut to nothing (or replaced by an empty file) would open
    /// as a new, empty ledger, and the next append would start it. A ledger's data file is
    /// never empty, except for the moment in which LMDB creates it: the process creating it
    /// writes its first pages while it holds the exclusive lock of `lock.mdb`. While another
    /// process holds that lock (`waitForCreator`), wait for it, for up to 10 s; then refuse
    /// a data file that is still empty. A missing data file is a new ledger.
    private static func refuseEmptyDataFile(path: String, waitForCreator: Bool) throws {
        let dataPath = path + "/data.mdb"
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            var status = stat()
            guard stat(dataPath, &status) == 0, status.st_size == 0 else { return }
            guard waitForCreator, anotherProcessIsCreating(lockFile: path + "/lock.mdb"), ContinuousClock.now < deadline else { break }
            usleep(2_000)
        }
        throw LedgerError(
            .corrupted,
            "The data file \(dataPath) is empty (0 bytes): it was cut to nothing or replaced, and the ledger's events are not in it. Restore the ledger from a backup (if the folder never held a ledger, delete data.mdb to start a new one)."
        )
    }

    /// Whether another process holds the exclusive lock that LMDB takes on the first byte of
    /// `lock.mdb` while it opens an environment, and so writes a new data file's first pages.
    /// (Closing the descriptor drops this process's own record locks on the file; it holds
    /// none, as it does not have this ledger open.)
    private static func anotherProcessIsCreating(lockFile: String) -> Bool {
        let descriptor = open(lockFile, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { _ = Foundation.close(descriptor) }
        var lock = flock()
        lock.l_type = Int16(F_RDLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 0
        lock.l_len = 1
        guard fcntl(descriptor, F_GETLK, &lock) == 0 else { return false }
        return lock.l_type == Int16(F_WRLCK)
    }

    /// LMDB maps the file and trusts its meta page: a data file cut short after it would
    /// fault (SIGBUS) at the first read of a missing page. Compare the size the meta page
    /// promises with the file's before anything is read.
    private static func checkFileHoldsEveryPage(_ environment: OpaquePointer, path: String) throws {
        var info = MDB_envinfo()
        var pages = MDB_stat()
        try lmdbCheck(mdb_env_info(environment, &info), "Reading the ledger's environment info")
        try lmdbCheck(mdb_env_stat(environment, &pages), "Reading the ledger's page size")
        let needed = (Int(info.me_last_pgno) + 1) * Int(pages.ms_psize)
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb"))?[.size] as? Int else { return }
        guard size >= needed else {
            throw LedgerError(
                .corrupted,
                "The data file \(path)/data.mdb has \(size) bytes, but its last committed page ends at byte \(needed): the file was cut short. Restore the ledger from a backup."
            )
        }
    }

    deinit {
        close()
        pthread_rwlock_destroy(mapLock)
        mapLock.deallocate()
    }

    /// Closes the environment once every running transaction has ended.
    func close() {
        pthread_rwlock_wrlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        guard !isClosed else { return }
        isClosed = true
        mdb_env_close(handle)
    }

    /// The current size of the memory map in bytes.
    var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// Runs `body` in a read-only transaction.
    func read<R>(_ body: (LMDBTransaction) throws -> R) throws -> R {
        try transaction(flags: UInt32(MDB_RDONLY)) { transaction in
            defer { mdb_txn_abort(transaction.pointer) }
            return try body(transaction)
        }
    }

    /// Runs `body` in a write transaction and commits it; a throw aborts it.
    /// Call only from the writer thread.
    func write<R>(_ body: (LMDBTransaction) throws -> R) throws -> R {
        try transaction(flags: 0) { transaction in
            let result: R
            do {
                result = try body(transaction)
            } catch {
                mdb_txn_abort(transaction.pointer)
                throw error
            }
            try lmdbCheck(mdb_txn_commit(transaction.pointer), "Committing a write transaction")
            return result
        }
    }

    private func transaction<R>(flags: UInt32, _ body: (LMDBTransaction) throws -> R) throws -> R {
        while true {
            pthread_rwlock_rdlock(mapLock)
            if isClosed {
                pthread_rwlock_unlock(mapLock)
                throw LedgerError(.closed, "The ledger at \(path) is closed: open it again to read or write.")
            }
            var pointer: OpaquePointer?
            let code = mdb_txn_begin(handle, nil, flags, &pointer)
            if code == MDB_MAP_RESIZED {
                // Another process grew the map: adopt its size, then try again.
                pthread_rwlock_unlock(mapLock)
                try adoptMapSize()
                continue
            }
            defer { pthread_rwlock_unlock(mapLock) }
            try lmdbCheck(code, "Beginning a transaction")
            return try body(LMDBTransaction(pointer: pointer!))
        }
    }

    /// Sets the map to `newSize` bytes (0 adopts the size another process chose), once no
    /// transaction of this process is running.
    func setMapSize(_ newSize: Int) throws {
        pthread_rwlock_wrlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        guard !isClosed else { return }
        try lmdbCheck(mdb_env_set_mapsize(handle, newSize), "Resizing the memory map to \(newSize) bytes")
    }

    private func adoptMapSize() throws {
        try setMapSize(0)
    }

    /// Clears reader slots left by processes that died; returns how many.
    @discardableResult
    func clearStaleReaders() throws -> Int {
        var dead: Int32 = 0
        try lmdbCheck(mdb_reader_check(handle, &dead), "Clearing stale reader slots")
        return Int(dead)
    }

    /// The reader slots in use, across every process that has the environment open
    /// (`mdb_reader_list`): each slot's process and the transaction it pins, `nil` for a
    /// slot kept between transactions.
    func readerSlots() throws -> [ReaderSlot] {
        final class Lines { var text = "" }
        let lines = Lines()
        let code = withExtendedLifetime(lines) {
            mdb_reader_list(handle, { message, context in
                guard let message, let context else { return 0 }
                Unmanaged<Lines>.fromOpaque(context).takeUnretainedValue().text += String(cString: message)
                return 0
            }, Unmanaged.passUnretained(lines).toOpaque())
        }
        // mdb_reader_list returns what the callback last returned, and its callback never fails.
        try lmdbCheck(code < 0 ? code : 0, "Listing the reader slots")
        // "    pid     thread     txnid" then one "PID THREAD TXNID" line per slot, with
        // "-" for no transaction; or "(no active readers)".
        return lines.text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let pid = Int32(fields[0]) else { return nil }
            return ReaderSlot(processID: pid, transaction: UInt64(fields[2]))
        }
    }

    /// Writes a consistent copy of the environment's data file to `descriptor`, compacted
    /// (`MDB_CP_COMPACT`: free pages left out, pages renumbered in order) when `compact`.
    ///
    /// LMDB takes the copy inside one read transaction, so the copy is the environment as
    /// of the moment that transaction began and writers keep committing meanwhile. Like a
    /// transaction, the copy holds the shared side of ``mapLock``: this process's map growth
    /// waits for it to end. When another process grew the map first, the copy adopts the new
    /// size and starts again from an emptied file. The caller syncs and closes `descriptor`.
    func copy(to descriptor: Int32, compact: Bool) throws {
        while true {
            pthread_rwlock_rdlock(mapLock)
            if isClosed {
                pthread_rwlock_unlock(mapLock)
                throw LedgerError(.closed, "The ledger at \(path) is closed: open it again to back it up.")
            }
            let code = mdb_env_copyfd2(handle, descriptor, compact ? UInt32(MDB_CP_COMPACT) : 0)
            pthread_rwlock_unlock(mapLock)
            if code == MDB_MAP_RESIZED {
                guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
                    throw lmdbError(errno, "Emptying the copy of \(path) to start again")
                }
                try adoptMapSize()
                continue
            }
            try lmdbCheck(code, "Copying the ledger at \(path)")
            return
        }
    }

    /// Flushes committed data to disk (matters in the relaxed durability mode).
    func sync() throws {
        try lmdbCheck(mdb_env_sync(handle, 1), "Syncing the ledger to disk")
    }

    /// Opens (creating when `create`) a named database; call once, at open.
    func openDatabase(_ name: String, in transaction: LMDBTransaction, create: Bool) throws -> LMDBDatabase {
        var handle: MDB_dbi = 0
        try lmdbCheck(
            mdb_dbi_open(transaction.pointer, name, create ? UInt32(MDB_CREATE) : 0, &handle),
            "Opening the \(name) database"
        )
        return LMDBDatabase(handle: handle, name: name)
    }
}

/// One slot of LMDB's reader table, shared by every process that has the ledger open.
package struct ReaderSlot: Hashable, Sendable {
    /// The process that took the slot.
    package var processID: Int32
    /// The transaction whose snapshot the slot pins, or `nil` when it pins none.
    package var transaction: UInt64?
}
