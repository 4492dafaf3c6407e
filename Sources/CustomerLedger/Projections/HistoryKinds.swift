import LedgerCore
import Synchronization

/// What a read of customer events (a history, a population pass) needs to know of each
/// event type, by the ledger's type number (stable for the life of a ledger): found once
/// per ledger rather than once per read, and kept apart in plain flags, so that reading
/// them per event copies no text or reference.
final class HistoryKinds: Sendable {
    /// The flags a read checks per event.
    struct Flags: Sendable {
        /// How the payload gives its fact; `nil` when the record is decoded in full.
        var fact: FactKind?
        var schemaVersion: UInt16
        var hasPersonalFields: Bool
        var isForgotten: Bool
        var isIdentity: Bool
    }

    /// Both lists indexed by type number (0 is never a type number).
    struct Table: Sendable {
        var flags: [Flags?] = []
        var kinds: [HistorySource.Kind?] = []

        /// The flags of `number`, when known.
        @inline(__always)
        func flags(_ number: UInt32) -> Flags? {
            Int(number) < flags.count ? flags[Int(number)] : nil
        }
    }

    private let table = Mutex(Table())

    /// The types known so far.
    func snapshot() -> Table { table.withLock { $0 } }

    /// Adds type `number`, named `type`, and gives the table with it.
    func learn(_ number: UInt32, type: String) -> Table {
        let entry = EventCoding.builtIn[type]
        let flags = Flags(
            fact: entry?.factKind, schemaVersion: entry?.schemaVersion ?? 0,
            hasPersonalFields: entry?.hasPersonalFields ?? true,
            isForgotten: entry?.type == CustomerForgotten.self,
            isIdentity: entry?.type == CustomersMerged.self || entry?.type == CustomersUnmerged.self
        )
        return table.withLock { table in
            let index = Int(number)
            if index >= table.flags.count {
                table.flags += Array(repeating: nil, count: index + 1 - table.flags.count)
                table.kinds += Array(repeating: nil, count: index + 1 - table.kinds.count)
            }
            table.flags[index] = flags
            table.kinds[index] = HistorySource.Kind(type: type, entry: entry)
            return table
        }
    }
}
