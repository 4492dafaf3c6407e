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
        var checkpoint: LogPosition
        var cache: ProjectionStateCache<P.State>
        var started: (at: ContinuousClock.Instant, done: UInt64)?
        var isActive = false
        do {
            (checkpoint, cache) = try ledger.store.readProjections { storage in
                let checkpoint = try storage.checkpoint(name, version: version)
                var hasStates = false
                try storage.forEachState(name, version: version, from: nil) { _, _ in hasStates = true; return false }
                // A version that never wrote anything is built from nothing: no lookups.
                return (checkpoint ?? .start, ProjectionStateCache(isComplete: checkpoint == nil && !hasStates))
            }
        } catch {
            return fail(error)
        }
        while !Task.isCancelled {
            do {
                let head = try ledger.head()
                if checkpoint >= head {
                    if !isActive {
                        switch try await activateWhenCaughtUp(at: checkpoint) {
                        case .replaced: return
                        case .notYet: break
                        case .active:
                            isActive = true
                            if mode == .inline { ledger.runningProjections.enableInline(self, in: ledger.store) }
                            markFollowing()
                        }
                    }
                    started = nil
                    try await ledger.waitForEvents(after: checkpoint)
                    continue
                }
                // Progress is about the build: batches after the first catch-up are live.
                if started == nil, !isActive { started = (.now, 0) }
                var last = checkpoint
                var folded = 0
                while folded < batching.events, cache.changedSlots.count < batching.states, last < head {
                    let limit = min(Self.chunkSize, batching.events - folded)
                    let (scanned, count) = try foldChunk(after: last, head: head, limit: limit, into: &cache)
                    folded += count
                    last = scanned
                    if count < limit { break }
                }
                guard last > checkpoint else { continue }
                let outcome = try await write(cache, from: checkpoint, to: last)
                switch outcome {
                case .written:
                    cache.clearChanged()
                    if var build = started {
                        build.done += last.rawValue - checkpoint.rawValue
                        started = build
                        report(build, checkpoint: last)
                    }
                    checkpoint = last
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

    /// Folds up to `limit` of the projection's events after `position`; returns how far
    /// the log was scanned and how many events were read. A complete cache folds inside
    /// the read; otherwise the chunk is read first and the states it misses loaded.
    private func foldChunk(
        after position: LogPosition, head: LogPosition, limit: Int, into cache: inout ProjectionStateCache<P.State>
    ) throws -> (LogPosition, Int) {
        let filter = projection.eventTypes
        let global = projection.keying == .global
        var lastRead = position
        var count = 0
        if cache.isComplete {
            try ledger.readLog(from: position.next, filter: filter, limit: limit) { recorded in
                let key = global ? ProjectionKeying.globalKey : recorded.stream.rawValue
                let slot = cache.slot(of: key) ?? cache.add(key, projection.initialState())
                try fold(recorded, key: key, slot: slot, into: &cache)
                lastRead = recorded.position
                count += 1
            }
        } else {
            var chunk: [RecordedEvent] = []
            chunk.reserveCapacity(limit)
            try ledger.readLog(from: position.next, filter: filter, limit: limit) { chunk.append($0) }
            var missing: [String] = []
            for index in chunk.indices {
                let key = global ? ProjectionKeying.globalKey : chunk[index].stream.rawValue
                if cache.slot(of: key) == nil, !missing.contains(key) { missing.append(key) }
            }
            if !missing.isEmpty {
                let loaded = try ledger.store.readProjections { storage in
                    try missing.map { key in try storage.state(projection.name, version: projection.version, key: key) }
                }
                for (key, bytes) in zip(missing, loaded) {
                    _ = cache.add(key, try Self.decode(bytes, of: projection) ?? projection.initialState())
                }
            }
            for index in chunk.indices {
                let key = global ? ProjectionKeying.globalKey : chunk[index].stream.rawValue
                try fold(chunk[index], key: key, slot: cache.slot(of: key)!, into: &cache)
            }
            lastRead = chunk.last?.position ?? position
            count = chunk.count
        }
        // A read of less than a chunk went to the end of the log, which was at least `head`
        // (events the filter left out up to there are done too).
        if count < limit, filter.types != nil { lastRead = max(lastRead, head) }
        return (lastRead, count)
    }

    @inline(__always)
    private func fold(_ recorded: RecordedEvent, key: String, slot: Int, into cache: inout ProjectionStateCache<P.State>) throws {
        // The read left out the types the projection does not declare.
        guard let event = try Ledger.projected(try CustomerEventRecord(recorded), key: key, types: nil, registry) else { return }
        try Ledger.apply(projection, event, to: &cache.states[slot])
        cache.markChanged(slot)
    }

    private enum WriteOutcome: Sendable {
        case written
        /// The stored checkpoint was not the one the batch started from.
        case moved(LogPosition)
        /// A newer version serves reads.
        case replaced(UInt32)
    }

    /// Writes the changed states and the checkpoint in one transaction, if the stored
    /// checkpoint is still the one the batch started from.
    private func write(_ cache: ProjectionStateCache<P.State>, from start: LogPosition, to end: LogPosition) async throws -> WriteOutcome {
        let encoder = JSONEncoder()
        var encoded: [(String, [UInt8])] = []
        encoded.reserveCapacity(cache.changedSlots.count)
        for slot in cache.changedSlots { encoded.append((cache.keys[slot], try Self.encode(cache.states[slot], of: projection, with: encoder))) }
        let name = projection.name
        let version = projection.version
        return try await ledger.store.writeProjections { [encoded] storage in
            if let active = try storage.activeVersion(name), active > version { return .replaced(active) }
            let stored = try storage.checkpoint(name, version: version) ?? .start
            guard stored == start else { return .moved(stored) }
            for (key, bytes) in encoded { try storage.setState(name, version: version, key: key, bytes) }
            try storage.setCheckpoint(name, version: version, end)
            return .written
        }
    }

    private enum Activation { case active, notYet, replaced }

    /// Once this version has folded the whole log, makes it the one serving reads (if no
    /// newer one does) and removes older versions' state.
    private func activateWhenCaughtUp(at checkpoint: LogPosition) async throws -> Activation {
        let name = projection.name
        let version = projection.version
        let active: UInt32? = try await ledger.store.writeProjections { storage in
            let active = try storage.activeVersion(name)
            if let active, active >= version { return active }
            guard try storage.checkpoint(name, version: version) ?? .start >= checkpoint else { return active }
            try storage.setActiveVersion(name, version)
            return version
        }
        guard let active, active >= version else { return .notYet }
        if active > version {
            fail(LedgerError(.projectionNotReady, "Projection \(name) version \(version) was replaced by version \(active)."))
            return .replaced
        }
        // The version replaced now, and any that a crash between an earlier switch and its
        // removal left behind, go.
        _ = try await ledger.store.writeProjections { storage in
            for old in try storage.versions(of: name) where old < version { try storage.removeVersion(name, version: old) }
        }
        return .active
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
