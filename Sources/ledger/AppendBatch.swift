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
    func appendCounting(_ appends: [StreamAppend]) async throws(LedgerError) -> AppendOutcome {
        let results = try await append(appends)
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
