public import LedgerCore

extension Ledger {
    /// Starts keeping `projection`'s state in the ledger: it catches up from its stored
    /// checkpoint (the start of the log the first time) in the background, then follows
    /// appends, this process's at once and other processes' within their poll interval.
    ///
    /// A new version of a projection is built from the start of the log beside the version
    /// serving reads, and replaces it in one transaction once it has caught up; the old
    /// version's state is then removed. Until then this version's reads throw
    /// `LedgerError.Code.projectionNotReady`, and the old version's instance (if this
    /// process runs it) keeps serving. ``rebuild(_:as:registry:progress:)`` does that switch for an
    /// instance that is running.
    ///
    /// - Parameters:
    ///   - projection: the projection to keep; its name and version say where its state is.
    ///   - mode: ``ProjectionMode/background`` (the default) or ``ProjectionMode/inline``.
    ///   - registry: the host event types and the unknown-event policy the projection sees.
    ///   - progress: called after each batch until the projection has first caught up with
    ///     the log (the build), not for the batches that follow it live.
    /// - Throws: `LedgerError.Code.invalidInput` for a bad name or when this version runs
    ///   in this process already; `LedgerError.Code.projectionNotReady` when a newer version
    ///   already serves reads.
    public func startProjection<P: Projection>(
        _ projection: P,
        mode: ProjectionMode = .background,
        registry: EventTypeRegistry = EventTypeRegistry(),
        progress: (@Sendable (ProjectionProgress) -> Void)? = nil
    ) async throws(LedgerError) -> PersistentProjection<P> where P.State: Codable {
        try await startProjection(projection, mode: mode, registry: registry, progress: progress, batching: ProjectionBatching())
    }

    /// ``startProjection(_:mode:registry:progress:)`` with its batch sizes chosen (for tests).
    package func startProjection<P: Projection>(
        _ projection: P, mode: ProjectionMode, registry: EventTypeRegistry,
        progress: (@Sendable (ProjectionProgress) -> Void)?, batching: ProjectionBatching
    ) async throws(LedgerError) -> PersistentProjection<P> where P.State: Codable {
        try Self.validateProjectionName(projection.name)
        let active = try store.readProjections { try $0.activeVersion(projection.name) }
        if let active, active > projection.version {
            throw LedgerError(
                .projectionNotReady,
                "Projection \(projection.name) version \(active) already serves reads; this code has the older version \(projection.version). Deploy the newer code."
            )
        }
        let running = PersistentProjection(projection, mode: mode, ledger: self, registry: registry, progress: progress, batching: batching)
        try runningProjections.claim(projection.name, version: projection.version, by: running)
        running.start()
        return running
    }

    /// Builds `newVersion` beside the running `current` instance, which keeps serving reads
    /// meanwhile; returns the new instance once it has caught up and replaced the old one
    /// (which then stops). Progress is reported after each batch of the build.
    ///
    /// The new instance runs in `current`'s mode, with `registry` when given (a new
    /// version may need new upcasters), else with `current`'s.
    /// - Throws: `LedgerError.Code.invalidInput` unless `newVersion` has the same name and a
    ///   higher version; the error that stopped the build.
    public func rebuild<Old: Projection, New: Projection>(
        _ current: PersistentProjection<Old>,
        as newVersion: New,
        registry: EventTypeRegistry? = nil,
        progress: (@Sendable (ProjectionProgress) -> Void)? = nil
    ) async throws(LedgerError) -> PersistentProjection<New> where New.State: Codable {
        guard newVersion.name == current.projection.name, newVersion.version > current.projection.version else {
            throw LedgerError(
                .invalidInput,
                "A rebuild of \(current.projection.name) version \(current.projection.version) needs the same name and a higher version, not \(newVersion.name) version \(newVersion.version)."
            )
        }
        let rebuilt = try await startProjection(newVersion, mode: current.mode, registry: registry ?? current.registry, progress: progress, batching: current.batching)
        try await rebuilt.waitUntilCaughtUp()
        await current.stop()
        return rebuilt
    }

    static func validateProjectionName(_ name: String) throws(LedgerError) {
        guard !name.isEmpty, name.utf8.count <= 200, !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw LedgerError(.invalidInput, "The projection name \(name.debugDescription) must be 1–200 bytes without control characters.")
        }
        guard !name.hasPrefix("subscription/") else {
            throw LedgerError(.invalidInput, "The projection name \(name.debugDescription) starts with subscription/, which checkpointed subscriptions use: choose another name.")
        }
    }
}
