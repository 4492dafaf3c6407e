import CLMDB
import LedgerCore
import Synchronization

/// The in-memory copy of the `types` database: type names by number and numbers by name.
///
/// It caches only committed entries (read transactions see nothing else); the writer
/// adds the types it created after its transaction commits.
final class TypeTable: Sendable {
    fileprivate struct Table {
        var names: [String] = []  // index = number - 1
        var numbers: [String: UInt32] = [:]
        /// `names` as lent events share them, made when first asked for after a change.
        var snapshot: StoredEvent.TypeNames?
    }

    private let table = Mutex(Table())

    /// The cached names, indexed by number - 1, for a read loop to use without locking.
    func names() -> [String] {
        table.withLock { $0.names }
    }

    /// The cached names as one shared object, for reads that lend events.
    func typeNames() -> StoredEvent.TypeNames {
        table.withLock { table in
            if let snapshot = table.snapshot { return snapshot }
            let snapshot = StoredEvent.TypeNames(table.names)
            table.snapshot = snapshot
            return snapshot
        }
    }

    /// The cached number of a name.
    func number(of name: String) -> UInt32? {
        table.withLock { $0.numbers[name] }
    }

    /// Adds committed entries.
    func add(_ entries: [String: UInt32]) {
        table.withLock { table in
            for (name, number) in entries { table.add(name, number) }
        }
    }

    /// Loads every entry visible to a read transaction and returns the names.
    func reload(from transaction: LMDBTransaction, schema: LedgerSchema) throws -> [String] {
        var loaded: [String: UInt32] = [:]
        try transaction.withCursor(schema.types) { cursor in
            var entry = try withUnsafeBytes(of: UInt8(ascii: "i")) { try cursor.seek($0) }
            while let (key, value) = entry, key.count == 5, key[0] == UInt8(ascii: "i") {
                let number = key.readBE(UInt32.self, at: 1)
                guard let name = String(validating: value, as: UTF8.self) else {
                    throw LedgerError(.corrupted, "Event type number \(number) has a name that is not UTF-8.")
                }
                loaded[name] = number
                entry = try cursor.move(MDB_NEXT)
            }
        }
        add(loaded)
        return names()
    }
}

extension TypeTable.Table {
    fileprivate mutating func add(_ name: String, _ number: UInt32) {
        snapshot = nil
        let index = Int(number) - 1
        if names.count <= index { names.append(contentsOf: repeatElement("", count: index + 1 - names.count)) }
        names[index] = name
        numbers[name] = number
    }
}
