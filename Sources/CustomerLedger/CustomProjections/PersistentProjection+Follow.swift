import Foundation
import LedgerCore
import LedgerLMDB

extension PersistentProjection {
    /// Events read from the log at a time while catching up.
    static var chunkSize: Int { 4_096 }

    /// Catches up from the checkpoint, then follows live appends, one batch per write,
    /// until cancelled, replaced by a newer version, or failed.
    func follow() async {
        let name = projection.name
        let version = projection.version
        var cache: [String: P.State] = [:]
        var checkpoint: LogPosition
        var started: (at: ContinuousClock.Instant, done: UInt64)?
        var isActive = false
        do {
            checkpoint = try ledger.store.readProjections { try $0.checkpoint(name, version: version) } ?? .start
        } catch {
            return fail(error)
        }
        while !Task.isCancelled {
            do {
                let head = try ledger.head()
                if checkpoint >= head {
                    if !isActive {
                        guard try await activateWhenCaughtUp(at: checkpoint) else { return }
                        isActive = true
                        if mode == .inline { ledger.runningProjections.enableInline(self, in: ledger.store) }
                    }
                    started = nil
                    try await ledger.waitForEvents(after: checkpoint)
                    continue
                }
                if started == nil { started = (.now, 0) }
                var dirty: Set<String> = []
                var last = checkpoint
                var folded = 0
                while folded < batching.events, dirty.count < batching.states {
                    var chunk: [RecordedEvent] = []
                    chunk.reserveCapacity(Self.chunkSize)
                    try ledger.readLog(from: last.next, limit: Self.chunkSize) { chunk.append($0) }
                    guard let end = chunk.last?.position else { break }
                    try fold(chunk, into: &cache, dirty: &dirty)
                    last = end
                    folded += chunk.count
                    if chunk.count < Self.chunkSize { break }
                }
                guard last > checkpoint else { continue }
                let outcome = try await write(dirty.map { ($0, cache[$0]!) }, from: checkpoint, to: last)
                switch outcome {
                case .written:
                    started!.done += last.rawValue - checkpoint.rawValue
                    checkpoint = last
                    report(started!, checkpoint: checkpoint)
                case .moved(let stored):
                    // Another writer (an inline update, another process) got there first.
                    cache.removeAll()
                    checkpoint = stored
                case .replaced(let active):
                    return fail(LedgerError(.projectionNotReady, "Projection \(name) version \(version) was replaced by version \(active)."))
                }
                if cache.count > batching.cachedStates { cache.removeAll() }
            } catch let error as LedgerError where error.code == .closed {
                return
            } catch is CancellationError {
                return
            } catch {
                return fail(LedgerError.wrapping(error, while: "Running projection \(name)"))
            }
        }
    }

    /// Folds a chunk of the log, loading the states it touches that are not in `cache`.
    private func fold(_ chunk: [RecordedEvent], into cache: inout [String: P.State], dirty: inout Set<String>) throws {
        let global = projection.keying == .global
        var missing: Set<String> = []
        for event in chunk {
            let key = global ? ProjectionKeying.globalKey : event.stream.rawValue
            if cache[key] == nil { missing.insert(key) }
        }
        if !missing.isEmpty {
            let loaded = try ledger.store.readProjections { storage in
                try missing.map { key in (key, try storage.state(projection.name, version: projection.version, key: key)) }
            }
            for (key, bytes) in loaded { cache[key] = try Self.decode(bytes, of: projection) ?? projection.initialState() }
        }
        for recorded in chunk {
            let key = global ? ProjectionKeying.globalKey : recorded.stream.rawValue
            guard let event = try Ledger.projected(try CustomerEventRecord(recorded), key: key, registry) else { continue }
            try Ledger.apply(projection, event, to: &cache[key]!)
            dirty.insert(key)
        }
    }

    private enum WriteOutcome: Sendable {
        case written
        /// The stored checkpoint was not the one the batch started from.
        case moved(LogPosition)
        /// A newer version serves reads.
        case replaced(UInt32)
    }

    /// Writes a batch's states and its checkpoint in one transaction, if the stored
    /// checkpoint is still the one the batch started from.
    private func write(_ states: [(String, P.State)], from start: LogPosition, to end: LogPosition) async throws -> WriteOutcome {
        let encoded = try states.map { ($0.0, try Self.encode($0.1, of: projection)) }
        let name = projection.name
        let version = projection.version
        return try await ledger.store.writeProjections { storage in
            if let active = try storage.activeVersion(name), active > version { return .replaced(active) }
            let stored = try storage.checkpoint(name, version: version) ?? .start
            guard stored == start else { return .moved(stored) }
            for (key, bytes) in encoded { try storage.setState(name, version: version, key: key, bytes) }
            try storage.setCheckpoint(name, version: version, end)
            return .written
        }
    }

    /// Once this version has folded the whole log, makes it the one serving reads (if no
    /// newer one does) and removes the version it replaced. Returns false when a newer
    /// version serves reads, so this one must stop.
    private func activateWhenCaughtUp(at checkpoint: LogPosition) async throws -> Bool {
        let name = projection.name
        let version = projection.version
        let (active, replaced): (UInt32?, UInt32?) = try await ledger.store.writeProjections { storage in
            let active = try storage.activeVersion(name)
            if active == version { return (active, nil) }
            if let active, active > version { return (active, nil) }
            guard try storage.checkpoint(name, version: version) ?? .start >= checkpoint else { return (active, nil) }
            try storage.setActiveVersion(name, version)
            return (version, active)
        }
        if let active, active > version {
            fail(LedgerError(.projectionNotReady, "Projection \(name) version \(version) was replaced by version \(active)."))
            return false
        }
        if let replaced {
            _ = try await ledger.store.writeProjections { storage in try storage.removeVersion(name, version: replaced) }
        }
        return true
    }

    private func report(_ started: (at: ContinuousClock.Instant, done: UInt64), checkpoint: LogPosition) {
        guard let progress else { return }
        let elapsed = ContinuousClock.now - started.at
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let head = (try? ledger.head()) ?? checkpoint
        progress(ProjectionProgress(
            name: projection.name, version: projection.version, eventsDone: started.done,
            eventsLeft: head.rawValue - min(head.rawValue, checkpoint.rawValue),
            eventsPerSecond: seconds > 0 ? Double(started.done) / seconds : 0
        ))
    }
}
