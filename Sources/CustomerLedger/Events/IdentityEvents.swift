public import LedgerCore

/// `customers.merged`: the `merged` customers are the same as `survivor`. Appended
/// atomically to the survivor's stream and to each merged customer's stream, so either
/// side can tell. Their streams stay as they are; projections of the survivor fold them in.
public struct CustomersMerged: CustomerEventPayload {
    public static let eventType = "customers.merged"
    public var survivor: StreamID
    public var merged: [StreamID]

    public init(survivor: StreamID, merged: [StreamID]) {
        self.survivor = survivor
        self.merged = merged
    }

    public func validate() throws(LedgerError) {
        guard !merged.isEmpty else { throw invalidField(Self.eventType, "merged", "is empty: name the customers merged into the survivor") }
        guard !merged.contains(survivor) else { throw invalidField(Self.eventType, "merged", "contains the survivor \(survivor)") }
        guard Set(merged).count == merged.count else { throw invalidField(Self.eventType, "merged", "names a customer twice") }
    }
}

/// `customers.unmerged`: undoes a merge; the customers are separate again.
public struct CustomersUnmerged: CustomerEventPayload {
    public static let eventType = "customers.unmerged"
    public var survivor: StreamID
    public var restored: [StreamID]

    public init(survivor: StreamID, restored: [StreamID]) {
        self.survivor = survivor
        self.restored = restored
    }

    public func validate() throws(LedgerError) {
        guard !restored.isEmpty else { throw invalidField(Self.eventType, "restored", "is empty") }
    }
}
