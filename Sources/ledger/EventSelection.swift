import CustomerLedger

/// Which events `export` and `events` read, in what order, and the reading itself.
///
/// Reads go through the store's async sequences: a batch per short read transaction, no
/// transaction held while the output is written, so memory and reader slots stay bounded
/// however big the ledger is.
struct EventSelection {
    /// One customer's stream, or the whole log.
    var customer: StreamID?
    /// The first log position to deliver (inclusive); going backward, the newest one.
    var from: LogPosition?
    /// Only these event types; empty means all.
    var types: Set<String> = []
    var direction: ReadDirection = .forward
    /// At most this many events.
    var limit: Int?

    /// Calls `body` with each selected event in order, revealed: personal fields sealed in
    /// it opened with the ledger's keys, or marked withheld (``Ledger/revealed(_:)``).
    func forEach(in ledger: Ledger, _ body: (RevealedEvent) throws -> Void) async throws {
        var remaining = limit ?? .max
        guard remaining > 0 else { return }
        if let customer {
            // A stream read filters nothing itself: read full batches unless every event counts.
            let batchSize = types.isEmpty && from == nil ? min(remaining, 512) : 512
            let start: StreamVersion = direction == .forward ? .first : .end
            for try await event in ledger.events(in: customer, from: start, direction: direction, batchSize: batchSize) {
                if let from, direction == .forward ? event.position < from : event.position > from { continue }
                guard types.isEmpty || types.contains(event.type) else { continue }
                try body(try ledger.revealed(event))
                remaining -= 1
                if remaining == 0 { return }
            }
        } else {
            let start = from ?? (direction == .forward ? .start : .end)
            let filter: EventTypeFilter = types.isEmpty ? .all : .only(types)
            let events = ledger.events(from: start, direction: direction, filter: filter, batchSize: min(remaining, 512))
            for try await event in events {
                try body(try ledger.revealed(event))
                remaining -= 1
                if remaining == 0 { return }
            }
        }
    }
}
