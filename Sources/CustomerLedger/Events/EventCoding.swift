public import Foundation
public import LedgerCore

extension ProposedEvent {
    /// A typed customer event ready to append: checked with
    /// ``CustomerEventPayload/validate()`` and encoded.
    public init(
        _ payload: some CustomerEventPayload,
        occurredAt: Date,
        id: EventID = EventID(),
        metadata: EventMetadata = .empty
    ) throws(LedgerError) {
        try payload.validate()
        let (contentType, bytes) = try EventCoding.encode(payload)
        let payloadType = Swift.type(of: payload)
        self.init(
            id: id, type: payloadType.eventType, schemaVersion: payloadType.schemaVersion,
            occurredAt: occurredAt, metadata: metadata, contentType: contentType, payload: bytes
        )
    }
}

extension CustomerEvent {
    /// Decodes a recorded event: a built-in type becomes its case, anything else
    /// ``other(_:)``.
    /// - Throws: ``LedgerError/Code-swift.struct/corrupted`` when a built-in event's
    ///   payload does not decode.
    public init(decoding recorded: RecordedEvent) throws(LedgerError) {
        self = try EventCoding.decode(recorded)
    }
}

extension CustomerEventRecord {
    /// A recorded event with its typed payload.
    public init(_ recorded: RecordedEvent) throws(LedgerError) {
        self.init(
            customer: recorded.stream, position: recorded.position, version: recorded.version,
            id: recorded.id, occurredAt: recorded.occurredAt, recordedAt: recorded.recordedAt,
            metadata: recorded.metadata, event: try CustomerEvent(decoding: recorded)
        )
    }
}

/// Encodes and decodes built-in payloads.
enum EventCoding {
    static let builtIn: [String: any CustomerEventPayload.Type] = Dictionary(
        uniqueKeysWithValues: CustomerEvent.builtInTypes.map { ($0.eventType, $0) }
    )

    static func encode(_ payload: some CustomerEventPayload) throws(LedgerError) -> (ContentType, Data) {
        do {
            return (.json, try jsonEncoder.encode(payload))
        } catch {
            throw LedgerError(.invalidEvent, "\(type(of: payload).eventType) could not be encoded: \(error).")
        }
    }

    static func decode(_ recorded: RecordedEvent) throws(LedgerError) -> CustomerEvent {
        guard let type = builtIn[recorded.type] else { return .other(recorded) }
        do {
            guard recorded.contentType == .json else {
                throw LedgerError(.corrupted, "content type \(recorded.contentType) is not JSON")
            }
            let payload = try jsonDecoder.decode(type, from: recorded.payload)
            return CustomerEvent(payload)!
        } catch {
            throw LedgerError(
                .corrupted,
                "The \(recorded.type) event at position \(recorded.position) does not decode: \(error)."
            )
        }
    }

    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let jsonDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
