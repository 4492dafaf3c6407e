public import Foundation

/// An event that a caller asks the ledger to append.
public struct ProposedEvent: Hashable, Sendable {
    /// The event's id; a new UUIDv7 unless given. Giving the same id again makes a
    /// retry idempotent.
    public var id: EventID
    /// The event's type name, such as `purchase.completed`.
    public var type: String
    /// The version of the payload's shape for this type, starting at 1.
    public var schemaVersion: UInt16
    /// When it happened in the world. Stored to the microsecond.
    public var occurredAt: Date
    /// Who and what caused it.
    public var metadata: EventMetadata
    /// How ``payload`` is encoded.
    public var contentType: ContentType
    /// The event's data.
    public var payload: Data
    /// When the ledger should say it recorded the event. Leave `nil`: the ledger sets it.
    /// Only a migration (`ledger import` of an export) passes the original time, and it
    /// must not be earlier than the newest event already stored.
    public var recordedAt: Date?

    public init(
        id: EventID = EventID(),
        type: String,
        schemaVersion: UInt16 = 1,
        occurredAt: Date = Date(),
        metadata: EventMetadata = .empty,
        contentType: ContentType = .json,
        payload: Data,
        recordedAt: Date? = nil
    ) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.occurredAt = occurredAt
        self.metadata = metadata
        self.contentType = contentType
        self.payload = payload
        self.recordedAt = recordedAt
    }
}

/// The events for one stream inside an atomic append.
public struct StreamAppend: Hashable, Sendable {
    public var stream: StreamID
    public var expectedVersion: ExpectedVersion
    public var events: [ProposedEvent]

    public init(stream: StreamID, expectedVersion: ExpectedVersion = .any, events: [ProposedEvent]) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
    }
}

/// Where an append's events landed.
public struct AppendResult: Hashable, Sendable {
    /// The stream appended to.
    public var stream: StreamID
    /// The global positions of the events, in order (consecutive).
    public var positions: ClosedRange<LogPosition>
    /// The stream versions of the events, in order.
    public var versions: ClosedRange<StreamVersion>
    /// True when every event was already stored with the same content, so nothing was
    /// written and the original positions are returned.
    public var wasAlreadyStored: Bool

    public init(
        stream: StreamID,
        positions: ClosedRange<LogPosition>,
        versions: ClosedRange<StreamVersion>,
        wasAlreadyStored: Bool
    ) {
        self.stream = stream
        self.positions = positions
        self.versions = versions
        self.wasAlreadyStored = wasAlreadyStored
    }

    /// The stream's version after the append: expect it on the next append.
    public var nextExpectedVersion: ExpectedVersion { .exactly(versions.upperBound) }
}
