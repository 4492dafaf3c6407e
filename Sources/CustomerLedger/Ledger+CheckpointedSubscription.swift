extension Ledger {
    /// A subscription whose position is kept in the ledger, for feeding another system at
    /// least once, in log order, with no gaps, across restarts: see
    /// `LMDBEventStore.checkpointedSubscription(named:filter:batchSize:)`.
    ///
    /// ```swift
    /// let feed = try ledger.checkpointedSubscription(named: "search-index")
    /// for try await event in feed {
    ///     try await index.put(event)
    ///     try await feed.acknowledge(event.position)
    /// }
    /// ```
    ///
    /// - Throws: `LedgerError` with code `invalidInput` for a bad name or batch size.
    public func checkpointedSubscription(
        named name: String,
        filter: EventTypeFilter = .all,
        batchSize: Int = 512
    ) throws(LedgerError) -> CheckpointedSubscription {
        try store.checkpointedSubscription(named: name, filter: filter, batchSize: batchSize)
    }
}
