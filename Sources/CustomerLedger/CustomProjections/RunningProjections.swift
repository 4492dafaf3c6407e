import Foundation
import LedgerCore
import LedgerLMDB
import Synchronization

/// The persistent projections running in this process, and the inline ones among them,
/// which the ledger's append hook updates.
final class RunningProjections: Sendable {
    private struct Running {
        var names: [String: ObjectIdentifier] = [:]
        var inline: [ObjectIdentifier: any InlineUpdating] = [:]
    }

    private let running = Mutex(Running())

    /// Claims `name` for one running instance in this process.
    func claim(_ name: String, version: UInt32, by owner: AnyObject) throws(LedgerError) {
        let key = "\(name)\u{0}\(version)"
        let claimed = running.withLock { running in
            guard running.names[key] == nil else { return false }
            running.names[key] = ObjectIdentifier(owner)
            return true
        }
        guard claimed else {
            throw LedgerError(.invalidInput, "Projection \(name) version \(version) is already running in this process: use the instance that runs it.")
        }
    }

    func remove<P: Projection>(_ projection: PersistentProjection<P>, from store: LMDBEventStore) {
        let key = "\(projection.projection.name)\u{0}\(projection.projection.version)"
        let anyInline = running.withLock { running in
            if running.names[key] == ObjectIdentifier(projection) { running.names[key] = nil }
            running.inline[ObjectIdentifier(projection)] = nil
            return !running.inline.isEmpty
        }
        // Appends take the plain path again once no projection is inline.
        if !anyInline { store.setInlineProjectionHook(nil) }
    }

    /// Makes later appends of this process update `projection` in their transaction.
    func enableInline(_ projection: some InlineUpdating & AnyObject, in store: LMDBEventStore) {
        running.withLock { $0.inline[ObjectIdentifier(projection)] = projection }
        store.setInlineProjectionHook { [self] events, storage in
            let inline = running.withLock { Array($0.inline.values) }
            for projection in inline { try projection.updateInline(events, storage) }
        }
    }
}

/// A projection updated inside appends.
protocol InlineUpdating: Sendable {
    func updateInline(_ events: [RecordedEvent], _ storage: ProjectionTransaction) throws
}

extension PersistentProjection: InlineUpdating {
    /// Folds an append's events (and any the checkpoint is behind by, from other
    /// processes) into the stored state, in the append's transaction.
    func updateInline(_ events: [RecordedEvent], _ storage: ProjectionTransaction) throws {
        let name = projection.name
        let version = projection.version
        guard let first = events.first?.position, let last = events.last?.position,
              try storage.activeVersion(name) == version
        else { return }
        let checkpoint = try storage.checkpoint(name, version: version) ?? .start
        guard checkpoint < last else { return }
        var pending: [RecordedEvent] = []
        if checkpoint.next < first {
            try storage.readLog(after: checkpoint, through: LogPosition(first.rawValue - 1)) { pending.append($0) }
        }
        pending += events.lazy.filter { $0.position > checkpoint }
        let global = projection.keying == .global
        var states: [String: P.State] = [:]
        let types = projection.eventTypes.types
        for recorded in pending {
            let key = global ? ProjectionKeying.globalKey : recorded.stream.rawValue
            if states[key] == nil {
                states[key] = try Self.decode(storage.state(name, version: version, key: key), of: projection) ?? projection.initialState()
            }
            guard let event = try Ledger.projected(try CustomerEventRecord(recorded), key: key, types: types, registry) else { continue }
            try Ledger.apply(projection, event, to: &states[key]!)
        }
        for (key, state) in states { try storage.setState(name, version: version, key: key, try Self.encode(state, of: projection)) }
        try storage.setCheckpoint(name, version: version, last)
    }
}
