public import Foundation
public import LedgerCore

extension ProposedEvent {
    /// A typed customer event ready to append: checked with
    /// ``CustomerEventPayload/validate()`` and encoded.
    ///
    /// A built-in event is stored in the compact binary layout
    /// (`ContentType.ledgerBinary`), a host's own type as JSON
    /// (`ContentType.json`).
    /// - Throws: `LedgerError.Code.invalidEvent` when the event fails its
    ///   checks, or when a host type uses the wire name of a built-in event.
    public init(
        _ payload: some CustomerEventPayload,
        occurredAt: Date,
        id: EventID = EventID(),
        metadata: EventMetadata = .empty
    ) throws(LedgerError) {
        try payload.validate()
        let (contentType, bytes) = try EventCoding.encode(payload)
        let payloadType = Swift.type(of: payload)
        HostPersonalFields.note(payloadType)
        self.init(
            id: id, type: payloadType.eventType, schemaVersion: payloadType.schemaVersion,
            occurredAt: occurredAt, metadata: metadata, contentType: contentType, payload: bytes
        )
    }
}

extension CustomerEvent {
    /// Decodes a recorded event: a built-in type becomes its case, anything else
    /// ``other(_:)`` (decode a host's own type with ``LedgerCore/RecordedEvent/decode(as:)``
    /// or ``EventTypeRegistry/decode(_:)``).
    ///
    /// Built-in events decode from the binary layout or, for events stored before it or
    /// through the raw store API, from JSON.
    /// - Throws: `LedgerError.Code.corrupted` when a built-in event's
    ///   payload does not decode; the message names the position, the field and the byte.
    public init(decoding recorded: RecordedEvent) throws(LedgerError) {
        self = try EventCoding.decode(recorded)
    }
}

extension CustomerEventRecord {
    /// A recorded event with its typed payload, decoded without the ledger's keys: personal
    /// fields sealed in the event read as ``PersonalDataStatus/locked`` (use
    /// ``Ledger/customerEventRecord(_:)`` to open them).
    public init(_ recorded: RecordedEvent) throws(LedgerError) {
        let (event, status) = try EventCoding.decode(recorded, personal: .withheld(.locked))
        self.init(
            customer: recorded.stream, position: recorded.position, version: recorded.version,
            id: recorded.id, occurredAt: recorded.occurredAt, recordedAt: recorded.recordedAt,
            metadata: recorded.metadata, event: event, personalData: status
        )
    }

    /// A recorded event with its typed payload, its personal section opened or withheld as
    /// `personal` says.
    init(_ recorded: RecordedEvent, personal: PersonalRead) throws(LedgerError) {
        let (event, status) = try EventCoding.decode(recorded, personal: personal)
        self.init(
            customer: recorded.stream, position: recorded.position, version: recorded.version,
            id: recorded.id, occurredAt: recorded.occurredAt, recordedAt: recorded.recordedAt,
            metadata: recorded.metadata, event: event, personalData: status
        )
    }
}

extension CustomerEventRecord {
    /// A stored event of `customer`'s stream with its typed payload, decoded in place.
    /// `entry` is the built-in type of `stored.type` (`nil`: not built in), looked up once
    /// per type number by the caller; `personal` opens or withholds a sealed section.
    /// `occurredAt` and `recordedAt` are the stored event's, already read by the caller.
    init(
        _ stored: borrowing StoredEvent, of customer: StreamID, as entry: BuiltInEventType?,
        occurredAt: Date, recordedAt: Date, personal: PersonalRead
    ) throws(LedgerError) {
        let event: CustomerEvent
        let status: PersonalDataStatus
        let id = stored.id
        if let entry, stored.contentType == .ledgerBinary, stored.schemaVersion == entry.schemaVersion {
            do throws(LedgerError) {
                (event, status) = try entry.decodeBinaryBytes(stored.payload, personal.for(id, stored.type))
            } catch {
                throw LedgerError(error.code, "The \(stored.type) event at position \(stored.position) does not decode: \(error.message)")
            }
        } else {
            // JSON, another schema version or a host's type: the general path.
            (event, status) = try EventCoding.decode(try stored.recordedEvent(), personal: personal)
        }
        self.init(
            customer: customer, position: stored.position, version: stored.version, id: id,
            occurredAt: occurredAt, recordedAt: recordedAt, metadata: try stored.metadata(), event: event,
            personalData: status
        )
    }
}

/// How one built-in type is decoded, without a dynamic cast on the replay path. A class,
/// so that a reader holding one per event retains one object, not each closure.
final class BuiltInEventType: Sendable {
    let type: any CustomerEventPayload.Type
    /// `type.schemaVersion`, without a witness call per event.
    let schemaVersion: UInt16
    /// Whether the type has personal fields (docs/privacy.md), which a ledger with a master
    /// key seals.
    let hasPersonalFields: Bool
    /// How a history read takes the payload's fact without building its record; `nil`
    /// when the record is decoded in full during the read.
    let factKind: FactKind?
    /// Decodes a whole payload; a sealed personal section is withheld as locked.
    let decodeBinary: @Sendable (Data) throws(LedgerError) -> CustomerEvent
    /// The same from bytes in place: a read that never copies the payload out of the map,
    /// opening a sealed section when it has the key.
    let decodeBinaryBytes: @Sendable (UnsafeRawBufferPointer, PersonalRead) throws(LedgerError) -> (CustomerEvent, PersonalDataStatus)
    let decodeJSON: @Sendable (Data) throws -> CustomerEvent
    /// A typed payload of this type set apart into its other fields and its personal values
    /// (``BinaryPayload/binaryParts()``).
    let parts: @Sendable (CustomerEvent) -> (main: [UInt8], personal: [UInt8])?

    init<Payload: BinaryPayload>(
        _ payload: Payload.Type, personal: Bool = false, _ wrap: @escaping @Sendable (consuming Payload) -> CustomerEvent
    ) {
        type = payload
        schemaVersion = payload.schemaVersion
        hasPersonalFields = personal
        factKind = FactKind(payload)
        decodeBinary = { data throws(LedgerError) in wrap(try Payload.binaryDecoded(data)) }
        decodeBinaryBytes = { bytes, personal throws(LedgerError) in
            let (value, status) = try Payload.binaryDecoded(bytes: bytes, personal: personal)
            return (wrap(value), status)
        }
        decodeJSON = { data in wrap(try EventCoding.jsonDecoder.decode(Payload.self, from: data)) }
        parts = { event in (event.payload as? Payload)?.binaryParts() }
    }
}

/// Encodes and decodes event payloads: built-ins in the binary layout (docs/format.md),
/// host types and import/export in JSON (docs/event-types.md).
enum EventCoding {
    static let builtIn: [String: BuiltInEventType] = {
        let types = [
            BuiltInEventType(CustomerRegistered.self, personal: true) { .registered($0) },
            BuiltInEventType(CustomerUpdated.self, personal: true) { .updated($0) },
            BuiltInEventType(ContactAdded.self, personal: true) { .contactAdded($0) },
            BuiltInEventType(ContactRemoved.self, personal: true) { .contactRemoved($0) },
            BuiltInEventType(OwnerAssigned.self) { .ownerAssigned($0) },
            BuiltInEventType(CustomerTagged.self) { .tagged($0) },
            BuiltInEventType(CustomerUntagged.self) { .untagged($0) },
            BuiltInEventType(ConsentChanged.self) { .consentChanged($0) },
            BuiltInEventType(CustomersMerged.self) { .merged($0) },
            BuiltInEventType(CustomersUnmerged.self) { .unmerged($0) },
            BuiltInEventType(CustomerForgotten.self) { .forgotten($0) },
            BuiltInEventType(InteractionRecorded.self, personal: true) { .interactionRecorded($0) },
            BuiltInEventType(FollowUpCompleted.self, personal: true) { .followUpCompleted($0) },
            BuiltInEventType(PurchaseCompleted.self) { .purchaseCompleted($0) },
            BuiltInEventType(RefundIssued.self, personal: true) { .refundIssued($0) },
            BuiltInEventType(OrderCancelled.self, personal: true) { .orderCancelled($0) },
            BuiltInEventType(ComplaintOpened.self, personal: true) { .complaintOpened($0) },
            BuiltInEventType(ComplaintResolved.self, personal: true) { .complaintResolved($0) },
            BuiltInEventType(SurveyAnswered.self, personal: true) { .surveyAnswered($0) },
        ]
        return Dictionary(uniqueKeysWithValues: types.map { ($0.type.eventType, $0) })
    }()

    static func encode(_ payload: some CustomerEventPayload) throws(LedgerError) -> (ContentType, Data) {
        if let builtIn = payload as? any BinaryPayload {
            return (.ledgerBinary, builtIn.binaryEncoded())
        }
        let type = Swift.type(of: payload)
        if builtIn[type.eventType] != nil {
            throw LedgerError(
                .invalidEvent,
                "\(type) uses the wire name \(type.eventType), which belongs to a built-in event: give it a name of its own, such as acme.\(type.eventType)."
            )
        }
        return (.json, try jsonData(payload))
    }

    /// The JSON form of a payload: compact, keys sorted, dates as ISO 8601 UTC.
    static func jsonData(_ payload: some CustomerEventPayload) throws(LedgerError) -> Data {
        do {
            return try jsonEncoder.encode(payload)
        } catch {
            throw LedgerError(.invalidEvent, "\(type(of: payload).eventType) could not be encoded as JSON: \(error).")
        }
    }

    static func decode(_ recorded: RecordedEvent) throws(LedgerError) -> CustomerEvent {
        try decode(recorded, personal: .withheld(.locked)).event
    }

    /// Decodes a recorded event, opening or withholding a sealed personal section as
    /// `personal` says. A host type's sealed JSON (``ContentType/sealedJSON``) comes back
    /// as ``CustomerEvent/other(_:)`` with its payload as plain JSON: the personal fields
    /// merged back in, or left out when withheld.
    static func decode(_ recorded: RecordedEvent, personal: PersonalRead) throws(LedgerError) -> (event: CustomerEvent, status: PersonalDataStatus) {
        guard let entry = builtIn[recorded.type] else {
            guard recorded.contentType == .sealedJSON else { return (.other(recorded), .readable) }
            let (opened, status) = try SealedJSON.open(recorded, personal: personal.for(recorded.id, recorded.type))
            return (.other(opened), status)
        }
        return try decode(recorded, as: entry, personal: personal)
    }

    static func decode(_ recorded: RecordedEvent, as entry: BuiltInEventType) throws(LedgerError) -> CustomerEvent {
        try decode(recorded, as: entry, personal: .withheld(.locked)).event
    }

    static func decode(
        _ recorded: RecordedEvent, as entry: BuiltInEventType, personal: PersonalRead
    ) throws(LedgerError) -> (event: CustomerEvent, status: PersonalDataStatus) {
        do throws(LedgerError) {
            if recorded.contentType == .ledgerBinary, recorded.schemaVersion == entry.schemaVersion {
                let result: Result<(CustomerEvent, PersonalDataStatus), LedgerError> = recorded.payload.withUnsafeBytes { bytes in
                    do throws(LedgerError) {
                        return .success(try entry.decodeBinaryBytes(bytes, personal.for(recorded.id, recorded.type)))
                    } catch {
                        return .failure(error)
                    }
                }
                return try result.get()
            }
            return (try decode(
                type: recorded.type, schemaVersion: recorded.schemaVersion, contentType: recorded.contentType,
                payload: recorded.payload, as: entry
            ), .readable)
        } catch {
            throw LedgerError(error.code, "The \(recorded.type) event at position \(recorded.position) does not decode: \(error.message)")
        }
    }

    /// Decodes a built-in payload from either of its stored forms. The message of a
    /// thrown error does not name a position; callers add it.
    static func decode(
        type: String, schemaVersion: UInt16, contentType: ContentType, payload: Data, as entry: BuiltInEventType
    ) throws(LedgerError) -> CustomerEvent {
        guard schemaVersion == entry.type.schemaVersion else {
            throw LedgerError(
                schemaVersion > entry.type.schemaVersion ? .unsupportedFormat : .corrupted,
                "it has schema version \(schemaVersion), and this library's \(type) is version \(entry.type.schemaVersion)."
            )
        }
        switch contentType {
        case .ledgerBinary:
            return try entry.decodeBinary(payload)
        case .json:
            do {
                return try entry.decodeJSON(payload)
            } catch {
                throw LedgerError(.corrupted, "its JSON payload does not decode: \(describe(error, json: payload)).")
            }
        default:
            throw LedgerError(.corrupted, "its content type is \(contentType), and a built-in event is stored as ledger binary or JSON.")
        }
    }

    // MARK: JSON

    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(jsonText(of: date))
        }
        return encoder
    }()

    static let jsonDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = date(fromJSONText: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "\(text.debugDescription) is not an ISO 8601 time with a zone, like 2024-05-01T10:00:00Z"
                )
            }
            return date
        }
        return decoder
    }()

    /// A date in JSON: ISO 8601 in UTC, whole seconds when it has no fraction
    /// (`2024-05-01T10:00:00Z`), else to the microsecond (`2024-05-01T10:00:00.250000Z`).
    static func jsonText(of date: Date) -> String {
        let microseconds = date.microsecondsSince1970
        if microseconds % 1_000_000 == 0 {
            return Date(microsecondsSince1970: microseconds).formatted(.iso8601)
        }
        return iso8601Microseconds(microseconds)
    }

    /// Parses an ISO 8601 time with a zone and a fraction of any length, rounded to the
    /// microsecond (the resolution the binary layout stores).
    static func date(fromJSONText text: String) -> Date? {
        // The fraction is read here, exactly: parsed as a Double it can land a
        // microsecond off.
        var wholeSeconds = text
        var microseconds: Int64 = 0
        if let dot = text.firstIndex(of: ".") {
            let digitsStart = text.index(after: dot)
            let digitsEnd = text[digitsStart...].firstIndex { !("0"..."9").contains($0) } ?? text.endIndex
            let digits = text[digitsStart..<digitsEnd].utf8
            guard (1...9).contains(digits.count) else { return nil }
            var tenthsOfMicroseconds: Int64 = 0
            for index in 0..<7 {
                let digit = index < digits.count ? Int64(digits[digits.index(digits.startIndex, offsetBy: index)] - UInt8(ascii: "0")) : 0
                tenthsOfMicroseconds = tenthsOfMicroseconds * 10 + digit
            }
            microseconds = (tenthsOfMicroseconds + 5) / 10
            wholeSeconds = String(text[..<dot] + text[digitsEnd...])
        }
        guard let date = try? Date.ISO8601FormatStyle().parse(wholeSeconds) else { return nil }
        return Date(microsecondsSince1970: Int64(date.timeIntervalSince1970.rounded()) * 1_000_000 + microseconds)
    }

    /// A JSON decoding failure of `json` in words, such as `"orderId" is missing` or
    /// `"amount" is invalid: Amount "12.345" in USD has 3 decimals…`.
    static func describe(_ error: any Error, json: Data? = nil) -> String {
        if let error = error as? LedgerError {
            return error.message.hasSuffix(".") ? String(error.message.dropLast()) : error.message
        }
        guard let error = error as? DecodingError else { return "the payload does not decode: \(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "\"\(path(context.codingPath + [key]))\" is missing"
        case .valueNotFound(_, let context):
            return "\"\(path(context.codingPath))\" is null and needs a value"
        case .typeMismatch(let type, let context):
            let subject = context.codingPath.isEmpty ? "the payload" : "\"\(path(context.codingPath))\""
            return "\(subject) must be \(jsonKind(of: type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                // Foundation's decoder reports a number that does not fit a whole-number
                // field (a fraction, or beyond its bits) like text that is not JSON, with no
                // path and no underlying error: find the numbers that cannot be such a field's.
                if context.underlyingError == nil, let json, let numbers = try? JSONDecoder().decode(UnfitNumbers.self, from: json) {
                    return numbers.problem
                }
                let reason = context.underlyingError.map { JSONErrorText.reason(of: $0) } ?? context.debugDescription
                return "the payload is not valid JSON (\(reason))"
            }
            let detail = context.debugDescription.hasSuffix(".") ? String(context.debugDescription.dropLast()) : context.debugDescription
            return "\"\(path(context.codingPath))\" is invalid: \(detail)"
        @unknown default:
            return "the payload does not decode: \(error)"
        }
    }

    /// A coding path as the messages write it: `lines[0].quantity`.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }

    private static func jsonKind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt16.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

/// The numbers of a JSON value that no whole-number field takes: fractions, and whole
/// numbers beyond 64 bits, with their paths in key order. Read when Foundation's decoder
/// says only that the data is not valid JSON (which it says of such a number).
private struct UnfitNumbers: Decodable {
    /// Each number's path and its digits (`nil`: too large for a `Decimal` too).
    var found: [(path: String, digits: String?)] = []

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            while !array.isAtEnd { found += try array.decode(UnfitNumbers.self).found }
            return
        }
        if let object = try? decoder.container(keyedBy: Key.self) {
            for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                found += try object.decode(UnfitNumbers.self, forKey: key).found
            }
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() || (try? value.decode(Bool.self)) != nil || (try? value.decode(String.self)) != nil
            || (try? value.decode(Int64.self)) != nil {
            return
        }
        found = [(EventCoding.path(decoder.codingPath), (try? value.decode(Decimal.self)).map { "\($0)" })]
    }

    /// What is wrong, naming the field when one number can be the cause.
    var problem: String {
        switch found.count {
        case 0:
            return "a number does not fit its whole-number field (too large for it, or negative where it takes none), and the decoder does not say which"
        case 1:
            let (path, digits) = found[0]
            guard let digits else { return "\"\(path)\" must be a whole number that fits in 64 bits" }
            return digits.contains(".")
                ? "\"\(path)\" must be a whole number, not \(digits)"
                : "\"\(path)\" must be a whole number that fits in 64 bits, not \(digits)"
        default:
            let list = found.map { "\"\($0.path)\" (\($0.digits ?? "beyond 64 bits"))" }.joined(separator: ", ")
            return "a whole-number field holds a fraction or a number beyond 64 bits: one of \(list)"
        }
    }
}

/// The useful part of a Foundation error.
enum JSONErrorText {
    static func reason(of error: any Error) -> String {
        let error = error as NSError
        if let detail = error.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return error.localizedDescription
    }
}
