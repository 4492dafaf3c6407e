import LedgerCore

/// What the writer thread needs to commit a group: the environment, the schema, the type
/// cache to update and the watcher to wake.
struct WriterEngine: Sendable {
    let environment: LMDBEnvironment
    let schema: LedgerSchema
    let types: TypeTable
    let watcher: HeadWatcher
    let maximumMapSize: Int
    /// Stream states kept between transactions: enough for a busy service's active customers.
    let cache = WriterCache(capacity: 250_000)

    /// Commits one group in one transaction and answers every request in it. A full map
    /// is grown and the whole group retried, so callers never see it below the maximum.
    func commit(_ group: [AppendRequest]) {
        while true {
            do {
                let (outcomes, head, createdTypes) = try environment.write { transaction in
                    var work = try GroupTransaction(transaction: transaction, schema: schema, types: types, cache: cache)
                    var outcomes: [Result<[AppendResult], LedgerError>] = []
                    outcomes.reserveCapacity(group.count)
                    for request in group { outcomes.append(try work.apply(request)) }
                    try work.finish()
                    return (outcomes, work.head.position, work.createdTypes)
                }
                cache.committed(at: head)
                types.add(createdTypes)
                for (request, outcome) in zip(group, outcomes) { request.finish(outcome) }
                watcher.publish(head)
                return
            } catch let error as LedgerError where error.code == .ledgerFull {
                cache.reset()
                if let failure = grow() {
                    for request in group { request.finish(.failure(failure)) }
                    return
                }
            } catch {
                cache.reset()
                let failure = error as? LedgerError
                    ?? LedgerError(.storageFailure, "Appending failed: \(error). Nothing of this group was written.")
                for request in group { request.finish(.failure(failure)) }
                return
            }
        }
    }

    /// Grows the map (doubling up to 1 GiB, then by 1 GiB); returns the error to give
    /// when it is already at the maximum.
    private func grow() -> LedgerError? {
        let current = environment.mapSize
        guard current < maximumMapSize else {
            return LedgerError(
                .ledgerFull,
                "The ledger reached its maximum size of \(maximumMapSize) bytes (Options.maximumMapSize). Nothing of this append was written; raise the maximum and reopen."
            )
        }
        let step = min(current, 1 << 30)
        do {
            try environment.setMapSize(min(maximumMapSize, current + step))
            return nil
        } catch {
            return LedgerError.wrapping(error, while: "Growing the ledger's map")
        }
    }
}
