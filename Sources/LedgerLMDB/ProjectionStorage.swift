import CLMDB
import Foundation
package import LedgerCore
import Synchronization

/// Keys of the `projections` database (docs/format.md): one byte of kind, then the
/// projection's name, a 0 byte, and its version as u32 BE, then what the kind needs.
///
/// - `s` name 0 version key → state bytes
/// - `c` name 0 version → checkpoint, position u64 LE
/// - `a` name → active version u32 LE
/// - `n` name 0 version customer → snapshot (its layout is the projection layer's)
enum ProjectionKey {
    static let state = UInt8(ascii: "s")
    static let checkpoint = UInt8(ascii: "c")
    static let active = UInt8(ascii: "a")
    static let snapshot = UInt8(ascii: "n")

    static func make(_ kind: UInt8, _ name: String, version: UInt32?, suffix: String = "") -> [UInt8] {
        var key: [UInt8] = [kind]
        key.reserveCapacity(2 + name.utf8.count + 4 + suffix.utf8.count)
        key.append(contentsOf: name.utf8)
        if let version {
            key.append(0)
            key.appendBE(version)
        }
        key.append(contentsOf: suffix.utf8)
        return key
    }
}

/// Projection storage inside one LMDB transaction: a read transaction for queries, a
/// write transaction (on the writer thread) for updates. It exists only inside the
/// closure that received it.
///
/// Names are a projection's (or a checkpointed subscription's) name, 1–200 bytes without a
/// 0 byte; keys are 1–255 bytes. A state is opaque bytes to this layer.
package struct ProjectionTransaction {
    let transaction: LMDBTransaction
    let schema: LedgerSchema
    let types: TypeTable
    package let isWritable: Bool

    /// The stored state of `key`, copied out of the map.
    package func state(_ name: String, version: UInt32, key: String) throws -> [UInt8]? {
        try get(ProjectionKey.make(ProjectionKey.state, name, version: version, suffix: key)).map(Array.init)
    }

    /// Stores (or with `nil` removes) the state of `key`.
    package func setState(_ name: String, version: UInt32, key: String, _ bytes: [UInt8]?) throws {
        try set(ProjectionKey.make(ProjectionKey.state, name, version: version, suffix: key), bytes)
    }

    /// The states whose keys are at or after `start` (after it when `inclusive` is false),
    /// in key order, until `body` returns false.
    package func forEachState(
        _ name: String, version: UInt32, from start: String?, inclusive: Bool = true,
        _ body: (_ key: String, _ state: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let prefix = ProjectionKey.make(ProjectionKey.state, name, version: version)
        let first = prefix + Array((start ?? "").utf8)
        try transaction.withCursor(schema.projections) { cursor in
            var entry = try first.withUnsafeBytes { try cursor.seek($0) }
            while let (key, value) = entry, key.count > prefix.count, key.starts(with: prefix) {
                let suffix = UnsafeRawBufferPointer(rebasing: key[prefix.count...])
                let name = String(decoding: suffix, as: UTF8.self)
                if inclusive || start == nil || name != start {
                    guard try body(name, value) else { return }
                }
                entry = try cursor.move(MDB_NEXT)
            }
        }
    }

    /// How many states a version holds.
    package func stateCount(_ name: String, version: UInt32) throws -> Int {
        var count = 0
        try forEachState(name, version: version, from: nil) { _, _ in count += 1; return true }
        return count
    }

    /// The last position folded into a version's state; `nil` when it never ran.
    package func checkpoint(_ name: String, version: UInt32) throws -> LogPosition? {
        try get(ProjectionKey.make(ProjectionKey.checkpoint, name, version: version)).map { LogPosition($0.readLE(UInt64.self, at: 0)) }
    }

    package func setCheckpoint(_ name: String, version: UInt32, _ position: LogPosition?) throws {
        var bytes: [UInt8]?
        if let position {
            bytes = []
            bytes!.appendLE(position.rawValue)
        }
        try set(ProjectionKey.make(ProjectionKey.checkpoint, name, version: version), bytes)
    }

    /// The version whose state serves reads; `nil` when none has been switched in yet.
    package func activeVersion(_ name: String) throws -> UInt32? {
        try get(ProjectionKey.make(ProjectionKey.active, name, version: nil)).map { $0.readLE(UInt32.self, at: 0) }
    }

    package func setActiveVersion(_ name: String, _ version: UInt32) throws {
        var bytes: [UInt8] = []
        bytes.appendLE(version)
        try set(ProjectionKey.make(ProjectionKey.active, name, version: nil), bytes)
    }

    /// The snapshot stored for `customer` under this version (its layout is the caller's).
    package func snapshot(_ name: String, version: UInt32, customer: String) throws -> [UInt8]? {
        try get(ProjectionKey.make(ProjectionKey.snapshot, name, version: version, suffix: customer)).map(Array.init)
    }

    /// Stores (or with `nil` removes) the snapshot of `customer` under this version.
    package func setSnapshot(_ name: String, version: UInt32, customer: String, _ bytes: [UInt8]?) throws {
        try set(ProjectionKey.make(ProjectionKey.snapshot, name, version: version, suffix: customer), bytes)
    }

    /// The versions of a projection that have a checkpoint, ascending.
    package func versions(of name: String) throws -> [UInt32] {
        let prefix = ProjectionKey.make(ProjectionKey.checkpoint, name, version: nil) + [0]
        var versions: [UInt32] = []
        try transaction.withCursor(schema.projections) { cursor in
            var entry = try prefix.withUnsafeBytes { try cursor.seek($0) }
            while let (key, _) = entry, key.count == prefix.count + 4, key.starts(with: prefix) {
                versions.append(key.readBE(UInt32.self, at: prefix.count))
                entry = try cursor.move(MDB_NEXT)
            }
        }
        return versions
    }

    /// Removes everything stored for one version of a projection: states, checkpoint,
    /// snapshots. Returns how many entries went.
    @discardableResult
    package func removeVersion(_ name: String, version: UInt32) throws -> Int {
        try requireWritable()
        var removed = 0
        for kind in [ProjectionKey.state, ProjectionKey.checkpoint, ProjectionKey.snapshot] {
            let prefix = ProjectionKey.make(kind, name, version: version)
            try transaction.withCursor(schema.projections) { cursor in
                // Seek again after each delete: where a cursor stands after one is subtle.
                while let (key, _) = try prefix.withUnsafeBytes({ try cursor.seek($0) }), key.starts(with: prefix) {
                    try cursor.deleteCurrent()
                    removed += 1
                }
            }
        }
        return removed
    }

    // MARK: Keys

    /// The `keys` entry at `key` (1–500 bytes), copied out of the map.
    package func keyEntry(_ key: [UInt8]) throws -> [UInt8]? {
        try Self.checkKey(key)
        return try key.withUnsafeBytes { try transaction.get(schema.keys, $0) }.map(Array.init)
    }

    /// Stores (or with `nil` removes) the `keys` entry at `key`.
    package func setKeyEntry(_ key: [UInt8], _ value: [UInt8]?) throws {
        try requireWritable()
        try Self.checkKey(key)
        try key.withUnsafeBytes { keyBytes in
            if let value {
                try value.withUnsafeBytes { try transaction.put(schema.keys, keyBytes, $0) }
            } else {
                try transaction.delete(schema.keys, keyBytes)
            }
        }
    }

    /// Every `keys` entry in key order, until `body` returns false.
    package func forEachKeyEntry(_ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool) throws {
        try transaction.withCursor(schema.keys) { cursor in
            var entry = try cursor.move(MDB_FIRST)
            while let (key, value) = entry {
                guard try body(key, value) else { return }
                entry = try cursor.move(MDB_NEXT)
            }
        }
    }

    /// The newest position in the log as this transaction sees it.
    package func head() throws -> LogPosition {
        try GroupTransaction.readHead(transaction, schema).position
    }

    /// The events after `position` up to `last`, in log order, as this transaction sees
    /// them (so inside a write, including what it has just appended).
    package func readLog(after position: LogPosition, through last: LogPosition, _ body: (RecordedEvent) throws -> Void) throws {
        guard last > position else { return }
        // Committed names come from the shared cache; a name this write transaction has
        // just created is read from it and kept locally, never cached (it may abort).
        let names = types.names()
        var local: [UInt32: String] = [:]
        func name(of number: UInt32) throws -> String {
            let index = Int(number) - 1
            if index >= 0, index < names.count, !names[index].isEmpty { return names[index] }
            if let known = local[number] { return known }
            var key = [UInt8(ascii: "i")]
            key.appendBE(number)
            guard let bytes = try key.withUnsafeBytes({ try transaction.get(schema.types, $0) }),
                  let name = String(validating: bytes, as: UTF8.self)
            else {
                throw LedgerError(.corrupted, "An event has type number \(number), which the types database does not name.")
            }
            local[number] = name
            return name
        }
        try transaction.withCursor(schema.log) { cursor in
            var entry = try withPositionKey(position.rawValue + 1) { try cursor.seek($0) }
            while let (key, value) = entry {
                let at = key.readBE(UInt64.self, at: 0)
                guard at <= last.rawValue else { return }
                let type = try name(of: EventRecord.typeNumber(of: value))
                try body(try EventRecord.decode(value, position: LogPosition(at), type: type))
                entry = try cursor.move(MDB_NEXT)
            }
        }
    }

    // MARK: Bytes

    private func get(_ key: [UInt8]) throws -> UnsafeRawBufferPointer? {
        try Self.checkKey(key)
        return try key.withUnsafeBytes { try transaction.get(schema.projections, $0) }
    }

    private func set(_ key: [UInt8], _ value: [UInt8]?) throws {
        try requireWritable()
        try Self.checkKey(key)
        try key.withUnsafeBytes { keyBytes in
            if let value {
                try value.withUnsafeBytes { try transaction.put(schema.projections, keyBytes, $0) }
            } else {
                try transaction.delete(schema.projections, keyBytes)
            }
        }
    }

    private func requireWritable() throws {
        guard isWritable else { throw LedgerError(.invalidInput, "Projection state can only change inside a projection write.") }
    }

    private static func checkKey(_ key: [UInt8]) throws {
        guard key.count <= 500 else {
            throw LedgerError(.invalidInput, "A projection key of \(key.count) bytes with its name is over LMDB's 511-byte key limit: use keys of at most 255 bytes.")
        }
    }
}

/// A projection write waiting for the writer thread: it runs in a nested transaction of
/// the writer's group, so a failing write leaves nothing and does not affect the appends
/// or other writes of the group.
final class ProjectionWriteRequest: WriterRequest, @unchecked Sendable {
    // Safe: `body` runs once on the writer thread; `continuation` is resumed exactly once.
    let body: (ProjectionTransaction) throws -> any Sendable
    private let continuation: CheckedContinuation<Result<any Sendable, LedgerError>, Never>

    init(_ body: @escaping (ProjectionTransaction) throws -> any Sendable, continuation: CheckedContinuation<Result<any Sendable, LedgerError>, Never>) {
        self.body = body
        self.continuation = continuation
    }

    var eventCount: Int { 1 }

    func fail(_ error: LedgerError) {
        continuation.resume(returning: .failure(error))
    }

    func finish(_ result: Result<any Sendable, LedgerError>) {
        continuation.resume(returning: result)
    }
}

/// Called inside the append's own transaction with the events one append request has just
/// written (inline projections). Throwing rolls that request back and fails it with the
/// error; the other requests of the group are not affected.
package typealias InlineProjectionHook = @Sendable (_ events: [RecordedEvent], _ storage: ProjectionTransaction) throws -> Void

extension LMDBEventStore {
    /// Runs `body` with projection storage in a read transaction.
    package func readProjections<R>(_ body: (ProjectionTransaction) throws -> R) throws(LedgerError) -> R {
        try readTransaction { transaction in
            try body(ProjectionTransaction(transaction: transaction, schema: schema, types: types, isWritable: false))
        }
    }

    /// Runs `body` on the writer thread in its own nested transaction, committed with the
    /// writer's next group (so with its durability): all of it or, when it throws, none.
    package func writeProjections<R: Sendable>(_ body: @escaping @Sendable (ProjectionTransaction) throws -> R) async throws(LedgerError) -> R {
        let result = try await submitProjectionWrite { storage in try body(storage) }
        return result as! R
    }
}

/// Where the store keeps its inline projection hook, read by the writer once per group.
final class InlineHookSlot: Sendable {
    private let slot = Mutex<InlineProjectionHook?>(nil)

    var hook: InlineProjectionHook? {
        get { slot.withLock { $0 } }
        set { slot.withLock { $0 = newValue } }
    }
}
