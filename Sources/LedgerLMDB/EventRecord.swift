import Foundation
import LedgerCore

/// The binary layout of one event in the `log` database (layout 2, see docs/format.md).
///
/// ```
/// offset size field
///  0     1    layout (2)
///  1     1    content type
///  2     2    schema version          u16 LE
///  4     4    type number             u32 LE   (set by the writer)
///  8     8    stream version          u64 LE   (set by the writer)
/// 16     8    occurredAt, µs          i64 LE
/// 24     8    recordedAt, µs          i64 LE   (set by the writer)
/// 32    16    event id (UUID bytes)
/// 48     2    stream id length        u16 LE
/// 50     2    reserved (0)
/// 52     4    metadata length         u32 LE
/// 56     4    payload length          u32 LE
/// 60          stream id, metadata, payload
/// end-32 32   chain link: SHA-256(previous record's link ‖ every byte before this one)
/// ```
///
/// Layout 1 (format 1) was the same without the trailing link; a format-1 ledger is
/// migrated to layout 2 when it is first opened (``ChainMigration``).
enum EventRecord {
    static let layout: UInt8 = 2
    /// The layout of format 1: no chain link. Read only by the migration.
    static let unchainedLayout: UInt8 = 1
    static let headerSize = 60
    /// The chain link after the record's bytes.
    static let linkSize = ChainHash.byteCount

    enum Offset {
        static let contentType = 1
        static let schemaVersion = 2
        static let typeNumber = 4
        static let version = 8
        static let occurredAt = 16
        static let recordedAt = 24
        static let id = 32
        static let streamLength = 48
        static let metadataLength = 52
        static let payloadLength = 56
    }

    /// Appends the record of everything the caller knows to `out`; the writer fills in
    /// type number, version and recordedAt with ``write(_:into:typeNumber:version:recordedAt:)``.
    static func encode(_ event: ProposedEvent, stream: StreamID, into out: inout [UInt8]) {
        let metadata = event.metadata.isEmpty ? [] : encode(event.metadata)
        var streamText = stream.rawValue
        streamText.withUTF8 { streamBytes in
            out.append(layout)
            out.append(event.contentType.rawValue)
            out.appendLE(event.schemaVersion)
            out.appendLE(UInt32(0))
            out.appendLE(UInt64(0))
            out.appendLE(event.occurredAt.microsecondsSince1970)
            out.appendLE(Int64(0))
            withIDKey(event.id) { out.append(contentsOf: $0) }
            out.appendLE(UInt16(streamBytes.count))
            out.appendLE(UInt16(0))
            out.appendLE(UInt32(metadata.count))
            out.appendLE(UInt32(event.payload.count))
            out.append(contentsOf: UnsafeRawBufferPointer(streamBytes))
        }
        out.append(contentsOf: metadata)
        event.payload.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// The size a record of `encodedSize` bytes takes in the `log`: the record and its link.
    @inline(__always)
    static func storedSize(_ encodedSize: Int) -> Int { encodedSize + linkSize }

    /// Copies an encoded record into `destination` (its reserved place in the map, of
    /// ``storedSize(_:)`` bytes) with the fields that only the writer knows, then hashes
    /// those stored bytes after `previous` and puts the link behind them. Returns the link.
    @inline(__always)
    static func write(
        _ record: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer,
        typeNumber: UInt32,
        version: StreamVersion,
        recordedAt: Int64,
        after previous: ChainHash
    ) -> ChainHash {
        let body = UnsafeMutableRawBufferPointer(rebasing: destination[..<record.count])
        body.copyMemory(from: record)
        body.storeBytes(of: typeNumber.littleEndian, toByteOffset: Offset.typeNumber, as: UInt32.self)
        body.storeBytes(of: version.rawValue.littleEndian, toByteOffset: Offset.version, as: UInt64.self)
        body.storeBytes(of: recordedAt.littleEndian, toByteOffset: Offset.recordedAt, as: Int64.self)
        let link = ChainLink.after(previous, record: UnsafeRawBufferPointer(body))
        ChainLink.store(link, into: UnsafeMutableRawBufferPointer(rebasing: destination[record.count...]))
        return link
    }

    /// A stored record's bytes without its link: what the link hashes. The caller has
    /// checked that `stored` is at least ``linkSize`` long.
    @inline(__always)
    static func body(of stored: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: stored[..<(stored.count - linkSize)])
    }

    /// A stored record's link (its last 32 bytes).
    @inline(__always)
    static func link(of stored: UnsafeRawBufferPointer) -> ChainHash {
        ChainHash(unsafeBytes: UnsafeRawBufferPointer(rebasing: stored[(stored.count - linkSize)...]))
    }

    /// Why a stored record does not follow the layout, or `nil` when it does: layout byte,
    /// header, lengths adding up to its size with the link.
    static func layoutProblem(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= headerSize + linkSize, bytes[0] == layout else {
            return "has an unknown layout or is shorter than its header"
        }
        let streamLength = Int(bytes.readLE(UInt16.self, at: Offset.streamLength))
        let metadataLength = Int(bytes.readLE(UInt32.self, at: Offset.metadataLength))
        let payloadLength = Int(bytes.readLE(UInt32.self, at: Offset.payloadLength))
        guard headerSize + streamLength + metadataLength + payloadLength + linkSize == bytes.count else {
            return "has lengths that do not add up to its size"
        }
        return nil
    }

    /// Whether two records hold the same event apart from what the writer assigned (type
    /// number, stream version, recordedAt and the chain link; the caller compares type
    /// names): the test for an idempotent re-append. `stored` is a record of the `log`,
    /// `proposed` an encoded one without a link.
    static func sameContent(_ stored: UnsafeRawBufferPointer, _ proposed: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == storedSize(proposed.count) else { return false }
        return memcmp(stored.baseAddress!, proposed.baseAddress!, Offset.typeNumber) == 0
                && memcmp(
                    stored.baseAddress! + Offset.occurredAt,
                    proposed.baseAddress! + Offset.occurredAt,
                    Offset.recordedAt - Offset.occurredAt
                ) == 0
                && memcmp(
                    stored.baseAddress! + Offset.id,
                    proposed.baseAddress! + Offset.id,
                    proposed.count - Offset.id
                ) == 0
    }

    /// The type number of a stored record, read without decoding the rest.
    @inline(__always)
    static func typeNumber(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        bytes.count >= headerSize ? bytes.readLE(UInt32.self, at: Offset.typeNumber) : 0
    }

    /// The stream version of a stored record.
    @inline(__always)
    static func version(of bytes: UnsafeRawBufferPointer) -> StreamVersion {
        StreamVersion(bytes.readLE(UInt64.self, at: Offset.version))
    }

    /// The stream id bytes of a stored record.
    static func streamBytes(of bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let length = Int(bytes.readLE(UInt16.self, at: Offset.streamLength))
        return UnsafeRawBufferPointer(rebasing: bytes[headerSize..<(headerSize + length)])
    }

    /// Decodes a stored record; any inconsistency is reported as corruption, never a crash.
    static func decode(
        _ bytes: UnsafeRawBufferPointer,
        position: LogPosition,
        type: String
    ) throws -> RecordedEvent {
        guard bytes.count >= headerSize + linkSize, bytes[0] == layout else {
            throw corrupted(position, "has an unknown layout or is shorter than its header")
        }
        let streamLength = Int(bytes.readLE(UInt16.self, at: Offset.streamLength))
        let metadataLength = Int(bytes.readLE(UInt32.self, at: Offset.metadataLength))
        let payloadLength = Int(bytes.readLE(UInt32.self, at: Offset.payloadLength))
        guard headerSize + streamLength + metadataLength + payloadLength + linkSize == bytes.count else {
            throw corrupted(position, "has lengths that do not add up to its size")
        }
        let streamStart = headerSize
        let metadataStart = streamStart + streamLength
        let payloadStart = metadataStart + metadataLength
        guard let streamText = text(UnsafeRawBufferPointer(rebasing: bytes[streamStart..<metadataStart])) else {
            throw corrupted(position, "has a stream id that is not UTF-8")
        }
        let metadata: EventMetadata
        if metadataLength == 0 {
            metadata = .empty
        } else {
            guard let decoded = decodeMetadata(UnsafeRawBufferPointer(rebasing: bytes[metadataStart..<payloadStart])) else {
                throw corrupted(position, "has malformed metadata")
            }
            metadata = decoded
        }
        let uuid = bytes.loadUnaligned(fromByteOffset: Offset.id, as: uuid_t.self)
        return RecordedEvent(
            position: position,
            stream: StreamID(validated: streamText),
            version: StreamVersion(bytes.readLE(UInt64.self, at: Offset.version)),
            id: EventID(UUID(uuid: uuid)),
            type: type,
            schemaVersion: bytes.readLE(UInt16.self, at: Offset.schemaVersion),
            occurredAt: Date(microsecondsSince1970: bytes.readLE(Int64.self, at: Offset.occurredAt)),
            recordedAt: Date(microsecondsSince1970: bytes.readLE(Int64.self, at: Offset.recordedAt)),
            metadata: metadata,
            contentType: ContentType(rawValue: bytes[Offset.contentType]),
            payload: Data(bytes: bytes.baseAddress! + payloadStart, count: payloadLength)
        )
    }

    /// UTF-8 bytes as a string, or `nil` when they are not UTF-8. ASCII, the common case,
    /// takes a fast path that needs no validation.
    @inline(__always)
    static func text(_ bytes: UnsafeRawBufferPointer) -> String? {
        var isASCII = true
        for byte in bytes where byte >= 0x80 {
            isASCII = false
            break
        }
        return isASCII ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }

    static func corrupted(_ position: LogPosition, _ problem: String) -> LedgerError {
        LedgerError(.corrupted, "The event record at position \(position) \(problem). Verify the ledger and restore from a backup.")
    }

    // MARK: Metadata: u8 presence bits (1 correlation, 2 causation, 4 actor), each present
    // field as u16 length + UTF-8, then u16 count of custom pairs, each u16 key length +
    // key + u16 value length + value, keys sorted. Empty metadata takes no bytes at all.

    static func encode(_ metadata: EventMetadata) -> [UInt8] {
        guard !metadata.isEmpty else { return [] }
        var out: [UInt8] = []
        let fields = [metadata.correlationID, metadata.causationID, metadata.actor]
        var presence: UInt8 = 0
        for (index, field) in fields.enumerated() where field != nil { presence |= 1 << UInt8(index) }
        out.append(presence)
        for field in fields { if let field { appendString(field, to: &out) } }
        out.appendLE(UInt16(metadata.custom.count))
        for key in metadata.custom.keys.sorted() {
            appendString(key, to: &out)
            appendString(metadata.custom[key]!, to: &out)
        }
        return out
    }

    private static func appendString(_ string: String, to out: inout [UInt8]) {
        out.appendLE(UInt16(string.utf8.count))
        out.append(contentsOf: string.utf8)
    }

    static func decodeMetadata(_ bytes: UnsafeRawBufferPointer) -> EventMetadata? {
        var offset = 0
        func readString() -> String? {
            guard offset + 2 <= bytes.count else { return nil }
            let length = Int(bytes.readLE(UInt16.self, at: offset))
            offset += 2
            guard offset + length <= bytes.count else { return nil }
            defer { offset += length }
            return text(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
        }
        guard bytes.count >= 1 else { return nil }
        let presence = bytes[0]
        offset = 1
        var fields: [String?] = [nil, nil, nil]
        for index in 0..<3 where presence & (1 << UInt8(index)) != 0 {
            guard let value = readString() else { return nil }
            fields[index] = value
        }
        guard offset + 2 <= bytes.count else { return nil }
        let customCount = Int(bytes.readLE(UInt16.self, at: offset))
        offset += 2
        var custom: [String: String] = [:]
        for _ in 0..<customCount {
            guard let key = readString(), let value = readString() else { return nil }
            custom[key] = value
        }
        guard offset == bytes.count else { return nil }
        return EventMetadata(correlationID: fields[0], causationID: fields[1], actor: fields[2], custom: custom)
    }

    /// Checks the sizes the layout can hold; returns a problem or `nil`.
    static func sizeProblem(_ event: ProposedEvent, maximumEventSize: Int) -> String? {
        if event.payload.count > maximumEventSize {
            return "has a \(event.payload.count)-byte payload, over the limit of \(maximumEventSize) bytes"
        }
        if event.metadata.isEmpty { return nil }
        let metadataStrings = [event.metadata.correlationID, event.metadata.causationID, event.metadata.actor]
            .compactMap { $0 } + event.metadata.custom.flatMap { [$0.key, $0.value] }
        if metadataStrings.contains(where: { $0.utf8.count > Int(UInt16.max) }) {
            return "has a metadata value longer than \(UInt16.max) bytes"
        }
        if event.metadata.custom.count > Int(UInt16.max) {
            return "has more than \(UInt16.max) custom metadata entries"
        }
        if event.payload.count > maximumEventSize {
            return "has a \(event.payload.count)-byte payload, over the limit of \(maximumEventSize) bytes"
        }
        return nil
    }
}
