public import LedgerCore

/// Who was merged into whom, from `customers.merged` and `customers.unmerged` events
/// applied in the order they happened (domain.md §7).
///
/// A merged customer resolves to its survivor, through chains (A into B, B into C: A
/// resolves to C). An unmerge makes the restored customers stand alone again.
public struct IdentityMap: Sendable, Hashable {
    private var mergedInto: [StreamID: StreamID] = [:]

    public init() {}

    /// Applies one identity event.
    public mutating func apply(_ event: CustomerEvent) {
        switch event {
        case .merged(let merge):
            for customer in merge.merged where customer != merge.survivor { mergedInto[customer] = merge.survivor }
        case .unmerged(let unmerge):
            for customer in unmerge.restored where mergedInto[customer] == unmerge.survivor {
                mergedInto[customer] = nil
            }
        default:
            break
        }
    }

    /// The customer `id` stands for now: itself, or the survivor it was merged into.
    public func resolve(_ id: StreamID) -> StreamID {
        var current = id
        var seen: Set<StreamID> = [id]
        while let next = mergedInto[current], seen.insert(next).inserted { current = next }
        return current
    }

    /// Every merged id with the survivor it resolves to, for passes that resolve many
    /// events.
    func resolvedSurvivors() -> [StreamID: StreamID] {
        var survivors: [StreamID: StreamID] = [:]
        for id in mergedInto.keys {
            let survivor = resolve(id)
            if survivor != id { survivors[id] = survivor }
        }
        return survivors
    }

    /// Whether `id` is merged into another customer.
    public func isMerged(_ id: StreamID) -> Bool { mergedInto[id] != nil }

    /// The customers that resolve to `survivor`, other than itself.
    public func members(of survivor: StreamID) -> [StreamID] {
        mergedInto.keys.filter { $0 != survivor && resolve($0) == survivor }.sorted()
    }

    /// The identity event types, to read them alone with a type filter.
    public static let eventTypes: EventTypeFilter = .only([CustomersMerged.eventType, CustomersUnmerged.eventType])
}
