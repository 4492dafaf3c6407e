public import Foundation
public import LedgerCore

/// The point of view of a projection. The ledger is bitemporal: ``time`` says what had
/// happened in the world (events with `occurredAt` at or before it, and the moment at
/// which time-driven rules such as "churned after 180 days" are evaluated); ``knownAt``
/// says what the ledger had recorded by then (a position or a `recordedAt` time).
///
/// ```swift
/// // What we believed on 1 April about the state on 31 March:
/// let view = AsOf(time: march31, knownAt: .recordedAt(april1))
/// ```
public struct AsOf: Sendable, Hashable {
    /// Events that happened by this time count; time-driven rules are evaluated at it.
    public var time: Date
    /// How much of the log counts.
    public var knownAt: KnownAt

    /// How much of the log a projection reads.
    public enum KnownAt: Sendable, Hashable {
        /// Everything recorded.
        case everything
        /// Events at or before this position.
        case position(LogPosition)
        /// Events recorded at or before this time.
        case recordedAt(Date)
    }

    public init(time: Date = Date(), knownAt: KnownAt = .everything) {
        self.time = time
        self.knownAt = knownAt
    }

    /// Now, with everything recorded.
    public static func now() -> AsOf { AsOf() }

    /// Whether an event counts from this point of view.
    public func includes(occurredAt: Date, position: LogPosition, recordedAt: Date) -> Bool {
        guard occurredAt <= time else { return false }
        switch knownAt {
        case .everything: return true
        case .position(let last): return position <= last
        case .recordedAt(let last): return recordedAt <= last
        }
    }

    /// Whether a record counts from this point of view.
    public func includes(_ record: CustomerEventRecord) -> Bool {
        includes(occurredAt: record.occurredAt, position: record.position, recordedAt: record.recordedAt)
    }

    /// Whether events from `position` on can still count: log scans stop past it.
    func mayInclude(position: LogPosition) -> Bool {
        if case .position(let last) = knownAt { return position <= last }
        return true
    }
}
