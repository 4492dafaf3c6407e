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

    /// The inline projection hook, if one is set (see ``LMDBEventStore/setInlineProjectionHook(_:)``).
    let inlineHook: InlineHookSlot

    /// What one request of a group came to.
    private enum Outcome {
        case append(AppendRequest, Result<[AppendResult], LedgerError>)
        case projection(ProjectionWriteRequest, Result<any Sendable, LedgerError>)
    }

    /// Commits one group in one transaction and answers every request in it. A full map
    /// is grown and the whole group retried, so callers never see it below the maximum.
    func commit(_ group: [any WriterRequest]) {
        while true {
            do {
                let hook = inlineHook.hook
                let (outcomes, head, createdTypes) = try environment.write { transaction in
                    var work = try GroupTransaction(transaction: transaction, schema: schema, types: types, cache: cache)
                    var outcomes: [Outcome] = []
                    outcomes.reserveCapacity(group.count)
                    for request in group {
                        if let append = request as? AppendRequest {
                            let result = if let hook {
                                try applyWithInlineProjections(append, hook, &work, transaction)
                            } else {
                                try work.apply(append)
                            }
                            outcomes.append(.append(append, result))
                        } else if let write = request as? ProjectionWriteRequest {
                            outcomes.append(.projection(write, try run(write, in: transaction)))
                        }
                    }
                    try work.finish()
                    return (outcomes, work.head.position, work.createdTypes)
                }
                cache.committed(at: head)
                types.add(createdTypes)
                for outcome in outcomes {
                    switch outcome {
                    case .append(let request, let result): request.finish(result)
                    case .projection(let request, let result): request.finish(result)
                    }
                }
                watcher.publish(head)
                return
            } catch let error as LedgerError where error.code == .ledgerFull {
                cache.reset()
                if let failure = grow() {
                    for request in group { request.fail(failure) }
                    return
                }
            } catch {
                cache.reset()
                var failure = error as? LedgerError
                    ?? LedgerError(.storageFailure, "Appending failed: \(error). Nothing of this group was written.")
                failure.message += spaceFacts(for: failure.systemCode, at: environment.path)
                for request in group { request.fail(failure) }
                return
            }
        }
    }

    /// A projection write in its own nested transaction: its failure is its own, except a
    /// full map, which the whole group retries after growing.
    private func run(_ request: ProjectionWriteRequest, in transaction: LMDBTransaction) throws -> Result<any Sendable, LedgerError> {
        do {
            return .success(try transaction.nested { child in
                try request.body(ProjectionTransaction(transaction: child, schema: schema, types: types, isWritable: true))
            })
        } catch let error as LedgerError where error.code == .ledgerFull {
            throw error
        } catch {
            return .failure(LedgerError.wrapping(error, while: "Writing projection state"))
        }
    }

    /// One append and the inline projections over its events, in one nested transaction:
    /// when a projection throws, the append is rolled back and fails with that error.
    private func applyWithInlineProjections(
        _ request: AppendRequest, _ hook: InlineProjectionHook, _ work: inout GroupTransaction, _ parent: LMDBTransaction
    ) throws -> Result<[AppendResult], LedgerError> {
        let saved = work
        do {
            return try parent.nested { child in
                work.transaction = child
                defer { work.transaction = parent }
                let outcome = try work.apply(request)
                guard case .success(let results) = outcome else { return outcome }
                let storage = ProjectionTransaction(transaction: child, schema: schema, types: types, isWritable: true)
                var events: [RecordedEvent] = []
                for result in results where !result.wasAlreadyStored {
                    try storage.readLog(after: LogPosition(result.positions.lowerBound.rawValue - 1), through: result.positions.upperBound) {
                        events.append($0)
                    }
                }
                if !events.isEmpty { try hook(events, storage) }
                return outcome
            }
        } catch let error as LedgerError where error.code == .ledgerFull {
            throw error
        } catch {
            // The nested transaction is gone: so must be what the writer noted of it.
            work = saved
            cache.reset()
            if let error = error as? LedgerError, error.code == .projectionFailed { return .failure(error) }
            return .failure(LedgerError(
                .projectionFailed,
                "An inline projection failed, so the append was rolled back and nothing of it was written: \(error)"
            ))
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
