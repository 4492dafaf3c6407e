public import Foundation
public import LedgerCore

/// A stored event lent to a read loop without copying it out of the map: the header
/// fields are read from the record's bytes when asked for, and ``payload`` points into
/// the map. It is valid only inside the callback that receives it
/// (``LMDBEventStore/readStoredEvents(of:_:)``); ``recordedEvent()`` makes the owned copy.
///
/// It is for hot read paths that decode the payload themselves (a customer's history):
/// no `Data`, metadata or stream id is built for an event the caller does not keep.
public struct StoredEvent: ~Copyable {
    /// The event's global position.
    public let position: LogPosition
    /// The event type's name.
    public var type: String { typeNames._withUnsafeGuaranteedRef { $0.names[Int(typeNumber) - 1] } }
    /// The event type's number in this ledger: the same name has the same number for the
    /// life of the ledger, so a reader can cache per number what it derives from the name.
    public let typeNumber: UInt32
    /// The whole stored record, chain link included (checked: its lengths add up).
    let bytes: UnsafeRawBufferPointer
    /// The read's type names, which outlive every event it lends (not retained per event).
    private let typeNames: Unmanaged<TypeNames>

    /// A snapshot of the ledger's type names, by number - 1, shared by reads until a type
    /// is added (the read checked that each lent event's `typeNumber` has one).
    final class TypeNames: Sendable {
        let names: [String]
        init(_ names: [String]) { self.names = names }

        /// Whether type `number` has a name here.
        func names(_ number: UInt32) -> Bool {
            let index = Int(number) - 1
            return index >= 0 && index < names.count && !names[index].isEmpty
        }
    }

    /// A view of a record whose layout and lengths were checked.
    init(position: LogPosition, typeNames: borrowing TypeNames, typeNumber: UInt32, bytes: UnsafeRawBufferPointer) throws {
        if let problem = EventRecord.layoutProblem(bytes) {
            throw EventRecord.corrupted(position, problem)
        }
        self.position = position
        self.typeNames = Unmanaged.passUnretained(typeNames)
        self.typeNumber = typeNumber
        self.bytes = bytes
    }

    /// Its version in its stream.
    public var version: StreamVersion { StreamVersion(bytes.readLE(UInt64.self, at: EventRecord.Offset.version)) }
    /// The event's id.
    public var id: EventID {
        EventID(UUID(uuid: bytes.loadUnaligned(fromByteOffset: EventRecord.Offset.id, as: uuid_t.self)))
    }
    /// When it happened.
    public var occurredAt: Date { Date(microsecondsSince1970: bytes.readLE(Int64.self, at: EventRecord.Offset.occurredAt)) }
    /// When the ledger recorded it.
    public var recordedAt: Date { Date(microsecondsSince1970: bytes.readLE(Int64.self, at: EventRecord.Offset.recordedAt)) }
    /// The payload's schema version.
    public var schemaVersion: UInt16 { bytes.readLE(UInt16.self, at: EventRecord.Offset.schemaVersion) }
    /// How the payload is encoded.
    public var contentType: ContentType { ContentType(rawValue: bytes[EventRecord.Offset.contentType]) }

    private var streamLength: Int { Int(bytes.readLE(UInt16.self, at: EventRecord.Offset.streamLength)) }
    private var metadataLength: Int { Int(bytes.readLE(UInt32.self, at: EventRecord.Offset.metadataLength)) }

    /// The payload's bytes, in the map: valid only inside the read callback.
    public var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(EventRecord.headerSize + streamLength + metadataLength)..<(bytes.count - EventRecord.linkSize)])
    }

    /// The stream the event was appended to.
    public func stream() throws(LedgerError) -> StreamID {
        let start = EventRecord.headerSize
        guard let text = EventRecord.text(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + streamLength)])) else {
            throw EventRecord.corrupted(position, "has a stream id that is not UTF-8")
        }
        return StreamID(validated: text)
    }

    /// Whether the stream the event was appended to is `stream` (without building its id).
    public func isInStream(_ stream: StreamID) -> Bool {
        let length = streamLength
        var name = stream.rawValue
        return name.withUTF8 { utf8 in
            utf8.count == length && (length == 0 || memcmp(utf8.baseAddress!, bytes.baseAddress! + EventRecord.headerSize, length) == 0)
        }
    }

    /// Whether the event carries metadata (``metadata()`` is `EventMetadata.empty` when not).
    public var hasMetadata: Bool { metadataLength > 0 }

    /// The event's metadata (`EventMetadata.empty`, without decoding, when it has none).
    public func metadata() throws(LedgerError) -> EventMetadata {
        let length = metadataLength
        guard length > 0 else { return .empty }
        let start = EventRecord.headerSize + streamLength
        guard let metadata = EventRecord.decodeMetadata(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)])) else {
            throw EventRecord.corrupted(position, "has malformed metadata")
        }
        return metadata
    }

    /// The owned copy, as ``LMDBEventStore/readStream(_:from:direction:limit:_:)`` gives it.
    public func recordedEvent() throws(LedgerError) -> RecordedEvent {
        do {
            return try EventRecord.decode(bytes, position: position, type: type)
        } catch {
            throw LedgerError.wrapping(error, while: "Reading the event at position \(position)")
        }
    }
}
