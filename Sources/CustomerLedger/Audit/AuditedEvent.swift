public import Foundation
public import LedgerCore

/// One event behind an audited result: where the ledger keeps it, when it happened and
/// was recorded, and who and what caused it.
public struct AuditedEvent: Sendable, Hashable {
    /// The customer whose stream holds it (a merged customer's own id for its events).
    public var customer: StreamID
    /// Its place in the global log.
    public var position: LogPosition
    /// Its version in its stream.
    public var version: StreamVersion
    /// Its id, the same in every export and import of the ledger.
    public var id: EventID
    /// Its type's wire name, such as `purchase.completed`.
    public var type: String
    /// When it happened in the world.
    public var occurredAt: Date
    /// When the ledger recorded it.
    public var recordedAt: Date
    /// Who and what caused it, as given when it was appended.
    public var metadata: EventMetadata
    /// The typed event.
    public var event: CustomerEvent

    /// Who made the change: a user, an agent, a system.
    public var actor: String? { metadata.actor }
    /// The business operation it was part of.
    public var correlationID: String? { metadata.correlationID }
    /// The event or command that caused it.
    public var causationID: String? { metadata.causationID }

    /// The event of a record.
    public init(_ record: CustomerEventRecord) {
        customer = record.customer
        position = record.position
        version = record.version
        id = record.id
        type = record.event.typeName
        occurredAt = record.occurredAt
        recordedAt = record.recordedAt
        metadata = record.metadata
        event = record.event
    }
}

/// A customer's event that a point of view leaves out, and why: it had not happened by
/// ``AsOf/time``, or the ledger had not recorded it by ``AsOf/knownAt`` (a correction
/// recorded later, for instance), or both.
public struct UncountedEvent: Sendable, Hashable {
    /// The event.
    public var event: AuditedEvent
    /// It happened after ``AsOf/time``.
    public var happenedLater: Bool
    /// It was recorded after ``AsOf/knownAt`` (a later position or `recordedAt`).
    public var recordedLater: Bool

    public init(event: AuditedEvent, happenedLater: Bool, recordedLater: Bool) {
        self.event = event
        self.happenedLater = happenedLater
        self.recordedLater = recordedLater
    }
}
