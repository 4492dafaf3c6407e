import CustomerLedger

/// Events grouped for one atomic append, in their order: one ``StreamAppend`` per run of
/// consecutive events for the same customer, expecting any version. The store accepts a
/// stream more than once in one append, so the log keeps the input's order exactly.
struct AppendBatch {
    private(set) var appends: [StreamAppend] = []
    private(set) var eventCount = 0

    var isEmpty: Bool { appends.isEmpty }

    mutating func add(_ event: ProposedEvent, to stream: StreamID) {
        if let last = appends.indices.last, appends[last].stream == stream {
            appends[last].events.append(event)
        } else {
            appends.append(StreamAppend(stream: stream, expectedVersion: .any, events: [event]))
        }
        eventCount += 1
    }
}

/// What an atomic append did.
struct AppendOutcome {
    /// One result per ``StreamAppend``, in order.
    var results: [AppendResult]
    /// Events newly written.
    var written = 0
    /// Events that were already stored (an idempotent retry or re-import).
    var alreadyPresent = 0
}

extension Ledger {
    /// Appends atomically and counts what was written and what was already there.
    ///
    /// Works around a store behaviour: an append whose events are all already stored is
    /// still refused when they carry a `recordedAt` older than the ledger's newest event
    /// (the recordedAt order is checked before the idempotency result is used), which
    /// makes re-importing an export into the same ledger fail. When that happens, this
    /// asks again without `recordedAt` and with an expected version no stream can have:
    /// that probe returns the original results when everything is stored, and otherwise
    /// fails without writing anything, and then the original error is reported.
    func appendCounting(_ appends: [StreamAppend]) async throws(LedgerError) -> AppendOutcome {
        let results: [AppendResult]
        do {
            results = try await append(appends)
        } catch {
            let givesRecordedAt = appends.contains { $0.events.contains { $0.recordedAt != nil } }
            guard error.code == .invalidEvent, givesRecordedAt else { throw error }
            let probe = appends.map { part in
                StreamAppend(
                    stream: part.stream,
                    expectedVersion: .exactly(StreamVersion(.max)),
                    events: part.events.map { event in
                        var event = event
                        event.recordedAt = nil
                        return event
                    }
                )
            }
            guard let stored = try? await append(probe), stored.allSatisfy(\.wasAlreadyStored) else { throw error }
            results = stored
        }
        var outcome = AppendOutcome(results: results)
        for (part, result) in zip(appends, results) {
            if result.wasAlreadyStored {
                outcome.alreadyPresent += part.events.count
            } else {
                outcome.written += part.events.count
            }
        }
        return outcome
    }
}
