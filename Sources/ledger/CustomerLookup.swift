import CustomerLedger
import Foundation

extension ViewOptions {
    /// Opens the ledger for reading; a missing one is an error, never created.
    func openLedger() throws -> Ledger {
        try ledgerOptions.openExistingLedger()
    }

    /// The customer `text` names, checked: a valid id with events in the ledger (a
    /// merged id is accepted; the projections resolve it to its survivor).
    func customer(_ text: String, in ledger: Ledger) throws -> StreamID {
        let id: StreamID
        do {
            id = try StreamID(text)
        } catch {
            throw CommandFailure("\(text.debugDescription) is not a customer id: \(error.message)")
        }
        guard try ledger.streamInfo(id) != nil else {
            throw CommandFailure("There is no customer \(id) in the ledger at \(ledgerOptions.path): check the id ('ledger events' lists the events and their customers).")
        }
        return id
    }

    /// The failure for a customer the ledger knows, but not from this point of view.
    func unknownAsOf(_ customer: StreamID, _ asOf: AsOf) -> CommandFailure {
        CommandFailure("Customer \(customer) has no events as of \(Show.date(asOf.time))\(Self.describe(asOf.knownAt)): try a later --as-of or --known-at.")
    }

    static func describe(_ knownAt: AsOf.KnownAt) -> String {
        switch knownAt {
        case .everything: ""
        case .position(let position): " known at position \(position.rawValue)"
        case .recordedAt(let time): " known at \(Show.date(time))"
        }
    }
}

extension JSONValue {
    /// The point of view, as every document starts with it.
    static func asOf(_ asOf: AsOf) -> JSONValue {
        var members: [(String, JSONValue)] = [("time", .date(asOf.time))]
        switch asOf.knownAt {
        case .everything: members.append(("knownAt", .null))
        case .position(let position): members.append(("knownAt", .object([("position", .integer(position.rawValue))])))
        case .recordedAt(let time): members.append(("knownAt", .object([("recordedAt", .date(time))])))
        }
        return .object(members)
    }
}
