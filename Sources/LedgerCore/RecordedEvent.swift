public import Foundation

/// An event as the ledger stored it.
public struct RecordedEvent: Hashable, Sendable {
    /// Its place in the global log.
    public var position: LogPosition
    /// The stream it belongs to.
    public var stream: StreamID
    /// Its version in that stream.
    public var version: StreamVersion
    /// Its unique id.
    public var id: EventID
    /// Its type name.
    public var type: String
    /// The version of its payload's shape.
    public var schemaVersion: UInt16
    /// When it happened in the world (given by the caller).
    public var occurredAt: Date
    /// When the ledger stored it (never decreases along the log).
    public var recordedAt: Date
    /// Who and what caused it.
    public var metadata: EventMetadata
    /// How ``payload`` is encoded.
    public var contentType: ContentType
    /// Its data.
    public var payload: Data

    public init(
        position: LogPosition,
        stream: StreamID,
        version: StreamVersion,
        id: EventID,
        type: String,
        schemaVersion: UInt16,
        occurredAt: Date,
        recordedAt: Date,
        metadata: EventMetadata,
        contentType: ContentType,
        payload: Data
    ) {
        self.position = position
        self.stream = stream
        self.version = version
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.metadata = metadata
        self.contentType = contentType
        self.payload = payload
    }
}

/// What the ledger knows about one stream.
public struct StreamInfo: Hashable, Sendable, Codable {
    public var stream: StreamID
    /// The version of its newest event.
    public var version: StreamVersion
    /// How many events it holds.
    public var eventCount: UInt64
    /// The position of its oldest event.
    public var firstPosition: LogPosition
    /// The position of its newest event.
    public var lastPosition: LogPosition

    public init(
        stream: StreamID,
        version: StreamVersion,
        eventCount: UInt64,
        firstPosition: LogPosition,
        lastPosition: LogPosition
    ) {
        self.stream = stream
        self.version = version
        self.eventCount = eventCount
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
    }
}

/// Counts over the whole ledger.
public struct StoreTotals: Hashable, Sendable, Codable {
    /// Events stored, which is also the head position.
    public var eventCount: UInt64
    /// Streams with at least one event.
    public var streamCount: UInt64
    /// The newest event's position (``LogPosition/start`` when empty).
    public var head: LogPosition
    /// When the newest event was recorded.
    public var lastRecordedAt: Date?

    public init(eventCount: UInt64, streamCount: UInt64, head: LogPosition, lastRecordedAt: Date?) {
        self.eventCount = eventCount
        self.streamCount = streamCount
        self.head = head
        self.lastRecordedAt = lastRecordedAt
    }
}

/// Which event types a log read delivers.
public struct EventTypeFilter: Hashable, Sendable {
    /// The type names to deliver, or `nil` for all.
    public var types: Set<String>?

    /// Every event.
    public static let all = EventTypeFilter(types: nil)

    /// Only events of these types.
    public static func only(_ types: some Sequence<String>) -> EventTypeFilter {
        EventTypeFilter(types: Set(types))
    }

    public init(types: Set<String>?) { self.types = types }

    /// Whether an event of this type passes.
    public func includes(_ type: String) -> Bool { types?.contains(type) ?? true }
}
