import CustomerLedger
import Foundation

/// The checkpoint and every state stored for the projection's version, read in one
/// transaction whether or not the version serves reads yet: what a killed process left.
func storedStates<P: Projection>(of projection: P, in ledger: Ledger) throws -> (LogPosition, [String: P.State]) where P.State: Codable {
    try ledger.store.readProjections { storage in
        var states: [String: P.State] = [:]
        try storage.forEachState(projection.name, version: projection.version, from: nil) { key, bytes in
            states[key] = try JSONDecoder().decode(P.State.self, from: Data(bytes))
            return true
        }
        return (try storage.checkpoint(projection.name, version: projection.version) ?? .start, states)
    }
}
