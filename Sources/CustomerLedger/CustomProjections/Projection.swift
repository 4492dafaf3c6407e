public import Foundation
public import LedgerCore

/// A fold of customer events into a state: the one type a host writes to build its own
/// view of the ledger.
///
/// ```swift
/// struct PreferredChannel: Projection {
///     let name = "acme.preferredChannel"
///     let version: UInt32 = 1
///     func initialState() -> [String: Int] { [:] }
///     func apply(_ event: ProjectedEvent, to counts: inout [String: Int]) {
///         if case .interactionRecorded(let interaction) = event.event {
///             counts[interaction.channel.rawValue, default: 0] += 1
///         }
///     }
/// }
/// ```
///
/// Run it on demand with ``Ledger/project(_:for:asOf:registry:)`` or
/// ``Ledger/project(_:asOf:registry:)``, or keep its state in the ledger with
/// ``Ledger/startProjection(_:mode:registry:progress:)``. `apply` must be deterministic: a rebuild
/// folds the same events again and must reach the same state.
public protocol Projection: Sendable {
    /// What the projection keeps per key.
    associatedtype State: Sendable

    /// A stable name, 1–200 bytes without control characters: the state is stored under it.
    var name: String { get }
    /// Raise it whenever `apply` or `State` changes meaning: stored state of another
    /// version is then rebuilt from the start of the log, never misread.
    var version: UInt32 { get }
    /// One state per customer (the default) or one for the whole ledger.
    var keying: ProjectionKeying { get }
    /// The event types `apply` reads (the default: all). Events of other types are not
    /// decoded and never reach `apply`, in every way the projection runs: declaring them
    /// makes a rebuild skip the rest of the log cheaply.
    var eventTypes: EventTypeFilter { get }

    /// The state before any event.
    func initialState() -> State
    /// Folds one event into the state. Throwing stops the run with
    /// `LedgerError.Code.projectionFailed` (and rolls back the append, inline).
    func apply(_ event: ProjectedEvent, to state: inout State) throws
}

extension Projection {
    public var keying: ProjectionKeying { .customer }
    public var eventTypes: EventTypeFilter { .all }
}

/// How a projection's states are keyed.
public enum ProjectionKeying: Sendable, Hashable {
    /// One state per customer, keyed by the customer id.
    case customer
    /// One state for the whole ledger, under ``globalKey``.
    case global

    /// The key of a global projection's only state.
    public static let globalKey = "*"
}

/// One event as a projection sees it: typed when the type is built in, decodable into the
/// host's own type (upcast to its current schema version) when registered, raw otherwise.
public struct ProjectedEvent: Sendable {
    /// The event with its place and times; `record.event` is the typed built-in event or
    /// ``CustomerEvent/other(_:)``.
    public let record: CustomerEventRecord
    /// The key whose state this event folds into: the customer (the survivor, when an
    /// on-demand run folds merged customers together) or ``ProjectionKeying/globalKey``.
    public let key: String
    let registry: EventTypeRegistry

    /// The typed event.
    public var event: CustomerEvent { record.event }
    /// When it happened.
    public var occurredAt: Date { record.occurredAt }

    /// The payload as a host-registered type, upcast to its current schema version; `nil`
    /// when the event is of another type.
    /// - Throws: `LedgerError` when it is of that type but does not decode.
    public func payload<Event: CustomerEventPayload>(as type: Event.Type) throws(LedgerError) -> Event? {
        guard case .other(let recorded) = record.event, recorded.type == Event.eventType else { return nil }
        guard let payload = try registry.decode(recorded) else { return try recorded.decode(as: type) }
        return payload as? Event
    }
}
