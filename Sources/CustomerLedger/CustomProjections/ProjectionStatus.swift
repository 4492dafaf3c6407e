public import LedgerCore

/// Where a persistent projection stands.
public struct ProjectionStatus: Sendable, Hashable {
    /// The projection's name.
    public var name: String
    /// The version this status is about.
    public var version: UInt32
    /// The version whose state serves reads, if any.
    public var activeVersion: UInt32?
    /// The last position folded into this version's stored state (`.start` before any).
    public var checkpoint: LogPosition
    /// The newest position in the log.
    public var head: LogPosition
    /// Why the projection stopped, when it did.
    public var failure: LedgerError?

    /// Events in the log not yet folded into this version's state.
    public var lag: UInt64 { head.rawValue - min(checkpoint.rawValue, head.rawValue) }
    /// Whether this version serves reads.
    public var isActive: Bool { activeVersion == version }
}

/// How far a projection building from the start of the log has come.
public struct ProjectionProgress: Sendable, Hashable {
    /// The projection's name and the version being built.
    public var name: String
    public var version: UInt32
    /// Events folded since the build started.
    public var eventsDone: UInt64
    /// Events still between the checkpoint and the head.
    public var eventsLeft: UInt64
    /// Events folded per second since the build started.
    public var eventsPerSecond: Double
    /// At that rate, the time left; `nil` before any rate is known.
    public var estimatedTimeLeft: Duration? {
        guard eventsPerSecond > 0 else { return nil }
        return .milliseconds(Int64((Double(eventsLeft) / eventsPerSecond * 1000).rounded(.up)))
    }
}

/// Where a persistent projection's state is updated.
public enum ProjectionMode: Sendable, Hashable {
    /// By a background task that follows the log, a batch per write: appends never wait
    /// for it; reads lag by the events not yet folded (see ``ProjectionStatus/lag``).
    case background
    /// Inside each append's own transaction (read-your-writes): when `apply` throws, the
    /// append fails with `LedgerError.Code.projectionFailed` and writes nothing. It
    /// catches up in the background first, and still follows other processes' appends.
    case inline
}
