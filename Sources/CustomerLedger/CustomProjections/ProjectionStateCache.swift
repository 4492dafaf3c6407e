/// The states a running persistent projection holds between its writes: an array of
/// states behind a map from key to slot, with the slots changed since the last write.
///
/// When the cache is complete (a build from the start of the log, never evicted), a key
/// that is not in it has no stored state, so the fold needs no lookup in the ledger.
struct ProjectionStateCache<State> {
    private var slots: [String: Int] = [:]
    private(set) var keys: [String] = []
    var states: [State] = []
    private var changed: [Bool] = []
    private(set) var changedSlots: [Int] = []
    /// Whether every stored state of the version is here.
    private(set) var isComplete: Bool

    init(isComplete: Bool) {
        self.isComplete = isComplete
    }

    var count: Int { states.count }

    /// The slot of `key`, or `nil` when it is not cached.
    func slot(of key: String) -> Int? { slots[key] }

    /// Caches `state` under `key` (which must not be cached) and returns its slot.
    mutating func add(_ key: String, _ state: State) -> Int {
        let slot = states.count
        slots[key] = slot
        keys.append(key)
        states.append(state)
        changed.append(false)
        return slot
    }

    /// Notes that the state in `slot` changed.
    mutating func markChanged(_ slot: Int) {
        guard !changed[slot] else { return }
        changed[slot] = true
        changedSlots.append(slot)
    }

    /// Forgets which states changed (after they were written).
    mutating func clearChanged() {
        for slot in changedSlots { changed[slot] = false }
        changedSlots.removeAll(keepingCapacity: true)
    }

    /// Drops every state; the cache is no longer complete.
    mutating func removeAll() {
        slots.removeAll()
        keys.removeAll()
        states.removeAll()
        changed.removeAll()
        changedSlots.removeAll()
        isComplete = false
    }
}
