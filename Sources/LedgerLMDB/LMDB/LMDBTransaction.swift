import CLMDB
import LedgerCore

/// A named database inside the environment.
struct LMDBDatabase: Sendable {
    let handle: MDB_dbi
    let name: String
}

/// A live LMDB transaction. It exists only inside ``LMDBEnvironment/read(_:)`` or
/// ``LMDBEnvironment/write(_:)`` and must not leave that closure: values it returns
/// point into the memory map only while it lives, and a write transaction belongs to
/// the thread that began it.
struct LMDBTransaction {
    let pointer: OpaquePointer

    /// The value at `key`, pointing into the map (copy before the transaction ends).
    func get(_ database: LMDBDatabase, _ key: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var value = MDB_val()
        let code = mdb_get(pointer, database.handle, &keyValue, &value)
        if code == MDB_NOTFOUND { return nil }
        try lmdbCheck(code, "Reading \(database.name)")
        return UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
    }

    /// Stores `value` at `key`.
    func put(
        _ database: LMDBDatabase,
        _ key: UnsafeRawBufferPointer,
        _ value: UnsafeRawBufferPointer,
        flags: Int32 = 0
    ) throws {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataValue = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try lmdbCheck(mdb_put(pointer, database.handle, &keyValue, &dataValue, UInt32(flags)), "Writing \(database.name)")
    }

    /// Reserves `size` bytes for the value at `key` (`MDB_RESERVE`) and lets `fill` write
    /// them in place in the map, saving a copy.
    func putReserved(
        _ database: LMDBDatabase,
        _ key: UnsafeRawBufferPointer,
        size: Int,
        flags: Int32 = 0,
        _ fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataValue = MDB_val(mv_size: size, mv_data: nil)
        try lmdbCheck(
            mdb_put(pointer, database.handle, &keyValue, &dataValue, UInt32(flags | MDB_RESERVE)),
            "Writing \(database.name)"
        )
        fill(UnsafeMutableRawBufferPointer(start: dataValue.mv_data, count: size))
    }

    /// Number of entries in a database.
    func count(_ database: LMDBDatabase) throws -> UInt64 {
        var stat = MDB_stat()
        try lmdbCheck(mdb_stat(pointer, database.handle, &stat), "Counting \(database.name)")
        return UInt64(stat.ms_entries)
    }

    /// Runs `body` with a cursor on `database`, closed afterwards.
    func withCursor<R>(_ database: LMDBDatabase, _ body: (inout LMDBCursor) throws -> R) throws -> R {
        var cursorPointer: OpaquePointer?
        try lmdbCheck(mdb_cursor_open(pointer, database.handle, &cursorPointer), "Opening a cursor on \(database.name)")
        var cursor = LMDBCursor(pointer: cursorPointer!, database: database)
        defer { mdb_cursor_close(cursorPointer) }
        return try body(&cursor)
    }
}

@available(*, unavailable, message: "An LMDB transaction belongs to the closure that received it.")
extension LMDBTransaction: Sendable {}

/// A cursor over one database; lives inside ``LMDBTransaction/withCursor(_:_:)``.
struct LMDBCursor {
    typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    let pointer: OpaquePointer
    let database: LMDBDatabase

    /// Moves the cursor (`MDB_FIRST`, `MDB_NEXT`, `MDB_PREV`, `MDB_LAST`…) and returns the
    /// entry there, or `nil` when there is none.
    mutating func move(_ operation: MDB_cursor_op) throws -> Entry? {
        var key = MDB_val()
        var value = MDB_val()
        return try get(&key, &value, operation)
    }

    /// Positions at the first key at or after `key` (`MDB_SET_RANGE`) or exactly at it (`MDB_SET_KEY`).
    mutating func seek(_ key: UnsafeRawBufferPointer, _ operation: MDB_cursor_op = MDB_SET_RANGE) throws -> Entry? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var value = MDB_val()
        return try get(&keyValue, &value, operation)
    }

    private mutating func get(_ key: inout MDB_val, _ value: inout MDB_val, _ operation: MDB_cursor_op) throws -> Entry? {
        let code = mdb_cursor_get(pointer, &key, &value, operation)
        if code == MDB_NOTFOUND { return nil }
        try lmdbCheck(code, "Moving a cursor on \(database.name)")
        return (UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size),
                UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }
}

@available(*, unavailable, message: "An LMDB cursor belongs to the closure that received it.")
extension LMDBCursor: Sendable {}

extension LMDBTransaction {
    /// Runs `body` in a child transaction of this write transaction: committed into this
    /// one when `body` returns, discarded when it throws, so one piece of a group can fail
    /// without undoing the others. This transaction must not be used while `body` runs.
    func nested<R>(_ body: (LMDBTransaction) throws -> R) throws -> R {
        var child: OpaquePointer?
        try lmdbCheck(mdb_txn_begin(mdb_txn_env(pointer), pointer, 0, &child), "Beginning a nested transaction")
        let result: R
        do {
            result = try body(LMDBTransaction(pointer: child!))
        } catch {
            mdb_txn_abort(child)
            throw error
        }
        try lmdbCheck(mdb_txn_commit(child), "Committing a nested transaction")
        return result
    }

    /// Deletes the entry at `key`; returns whether there was one.
    @discardableResult
    func delete(_ database: LMDBDatabase, _ key: UnsafeRawBufferPointer) throws -> Bool {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let code = mdb_del(pointer, database.handle, &keyValue, nil)
        if code == MDB_NOTFOUND { return false }
        try lmdbCheck(code, "Deleting from \(database.name)")
        return true
    }
}

extension LMDBCursor {
    /// Deletes the entry the cursor is on.
    mutating func deleteCurrent() throws {
        try lmdbCheck(mdb_cursor_del(pointer, 0), "Deleting from \(database.name)")
    }
}
