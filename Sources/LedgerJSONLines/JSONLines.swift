public import CustomerLedger
public import Foundation

/// One event read from a line: the stream it goes to and the event to append.
public struct EventLine: Sendable {
    /// The customer: the stream the event goes to.
    public var customer: StreamID
    /// The event to append, a built-in type already checked and in the binary layout.
    public var event: ProposedEvent

    package init(customer: StreamID, event: ProposedEvent) {
        self.customer = customer
        self.event = event
    }
}

/// Why a line is not an event (or an event cannot be written as a line); `ledger import`
/// prints it after `FILE:LINE: `.
public struct LineProblem: Error, CustomStringConvertible {
    /// What is wrong, in words, such as `missing "type" (the event type, like
    /// purchase.completed)`.
    public var reason: String
    /// ``reason``.
    public var description: String { reason }

    package init(reason: String) { self.reason = reason }
}

/// The line codec of the JSON Lines format that `ledger import`, `export`, `events --json`
/// and `append` share: one event per line. docs/jsonl-format.md is its specification; keep
/// the two in step.
///
/// ```swift
/// let line = try JSONLines.decode(Data(text.utf8), maximumPayloadSize: ledger.store.options.maximumEventSize)
/// try await ledger.store.append([line.event], to: line.customer)
/// let exported = try JSONLines.encode(recorded)  // the line, without a line break
/// ```
public enum JSONLines {
    /// Every top-level key a line may have.
    static let keys = [
        "id", "customer", "type", "schemaVersion", "occurredAt", "recordedAt", "metadata",
        "data", "dataBase64", "contentType", "position", "version", "personalData",
    ]
    private static let knownKeys = Set(keys)
    /// The metadata keys that map to ``EventMetadata`` fields rather than `custom`.
    static let metadataFields = ["correlationId", "causationId", "actor"]

    // MARK: Reading

    /// Reads one line (without its line break) into an event to append, as `ledger import`
    /// does: the keys of the format only, each of its type; a built-in event's payload
    /// decoded strictly, checked and encoded in the binary layout; any other type's stored
    /// as given (JSON in canonical form, or the bytes of `dataBase64`).
    ///
    /// - Parameter maximumPayloadSize: the ledger's limit, checked here so that the error
    ///   names the line.
    /// - Throws: ``LineProblem`` saying what is wrong with the line.
    public static func decode(_ line: Data, maximumPayloadSize: Int) throws(LineProblem) -> EventLine {
        let parsed: Any
        do { parsed = try JSONPayload.parse(line) } catch { throw LineProblem(reason: "the line \(error.reason)") }
        guard let object = parsed as? [String: Any] else {
            throw LineProblem(reason: "the line is \(describe(parsed)), not a JSON object: each line holds one event object")
        }
        if let unknown = object.keys.filter({ !knownKeys.contains($0) }).sorted().first {
            throw LineProblem(reason: "unknown key \(unknown.debugDescription) (a line may have: \(keys.joined(separator: ", ")))")
        }
        if let status = object["personalData"] {
            guard let text = status as? String, let status = PersonalDataStatus(rawValue: text) else {
                throw LineProblem(reason: "\"personalData\" must be \"readable\", \"locked\" or \"erased\", not \(describe(status))")
            }
            switch status {
            case .readable: break
            case .locked:
                throw LineProblem(reason: "the line was exported with its personal data locked (null in \"data\"), so it cannot be imported as the original event: export again with the ledger's master key (--master-key-file)")
            case .erased:
                throw LineProblem(reason: "the line's personal data was erased (the customer was forgotten), so it cannot be imported as the original event: leave out the forgotten customer's lines, or skip them with --skip-invalid")
            }
        }
        let customerText = try requiredString(object, "customer", "the customer id, which names the event's stream")
        let customer: StreamID
        do { customer = try StreamID(customerText) } catch { throw LineProblem(reason: "invalid \"customer\": \(error.message)") }
        let type = try requiredString(object, "type", "the event type, like purchase.completed")
        if let problem = typeNameProblem(type) {
            throw LineProblem(reason: "\"type\" \(type.debugDescription) \(problem)")
        }
        let id: EventID
        if let text = try optionalString(object, "id") {
            guard let parsedID = EventID(uuidString: text) else {
                throw LineProblem(reason: "\"id\" \(text.debugDescription) is not a UUID (like 0190a5e0-8a4c-7c3e-9b1d-2f4a6c8e0a12)")
            }
            id = parsedID
        } else {
            id = EventID()
        }
        var schemaVersion = builtInSchemaVersion(of: type) ?? 1
        if let value = object["schemaVersion"] {
            guard let number = integer(value), (1...Int64(UInt16.max)).contains(number) else {
                throw LineProblem(reason: "\"schemaVersion\" must be a whole number from 1 to 65535, not \(describe(value))")
            }
            schemaVersion = UInt16(number)
        }
        guard let occurredAt = try time(object, "occurredAt") else {
            throw LineProblem(reason: "missing \"occurredAt\" (when it happened, like 2024-05-01T10:00:00Z)")
        }
        let recordedAt = try time(object, "recordedAt")
        let metadata = try metadata(object["metadata"])
        let (contentType, payload) = try payload(object)
        let event = try typed(
            ProposedEvent(
                id: id, type: type, schemaVersion: schemaVersion, occurredAt: occurredAt, metadata: metadata,
                contentType: contentType, payload: payload, recordedAt: recordedAt
            )
        )
        guard event.payload.count <= maximumPayloadSize else {
            throw LineProblem(reason: "the payload is \(event.payload.count) bytes, over the ledger's limit of \(maximumPayloadSize) bytes")
        }
        return EventLine(customer: customer, event: event)
    }

    // MARK: Built-in events

    /// The built-in types and the custom types a host registered (none, in this tool).
    static let registry = EventTypeRegistry()

    /// The schema version of a built-in type, or `nil` for any other type.
    package static func builtInSchemaVersion(of type: String) -> UInt16? {
        CustomerEvent.builtInTypes.first { $0.eventType == type }?.schemaVersion
    }

    /// A built-in event given as JSON, as the ledger stores it: decoded into its typed
    /// form (unknown fields and a wrong schema version are errors), validated and encoded
    /// in the binary layout. Any other type is returned as it is.
    package static func typed(_ event: ProposedEvent) throws(LineProblem) -> ProposedEvent {
        guard EventTypeRegistry.isBuiltIn(event.type) else { return event }
        guard event.contentType == .json else {
            throw LineProblem(
                reason: "\(event.type) is a built-in event: give its payload as JSON in \"data\" (or as \"dataBase64\" with \"contentType\":\"json\"), not as \(event.contentType) content"
            )
        }
        do {
            guard let payload = try registry.payload(fromJSON: event.payload, type: event.type, schemaVersion: event.schemaVersion) else {
                return event
            }
            var typed = try ProposedEvent(payload, occurredAt: event.occurredAt, id: event.id, metadata: event.metadata)
            typed.recordedAt = event.recordedAt
            return typed
        } catch {
            throw LineProblem(reason: error.message)
        }
    }

    /// The JSON form of a built-in event stored in the binary layout, in the canonical
    /// form of ``JSONPayload``; `nil` for other events and for payloads that do not decode.
    static func builtInJSON(_ event: RecordedEvent) -> Data? {
        guard event.contentType == .ledgerBinary, EventTypeRegistry.isBuiltIn(event.type),
              let payload = try? registry.decode(event), let json = try? payload.jsonData()
        else { return nil }
        return try? JSONPayload.canonical(text: json)
    }

    /// The event with a built-in binary payload replaced by its JSON form, for showing
    /// it to people; any other event as it is.
    package static func readable(_ event: RecordedEvent) -> RecordedEvent {
        guard let json = builtInJSON(event) else { return event }
        var readable = event
        readable.contentType = .json
        readable.payload = json
        return readable
    }

    /// Why an event type name is refused, or `nil`. The ledger's own rule (LedgerLMDB's
    /// `PreparedAppend.typeNameProblem`, not public), repeated so the error names the line.
    static func typeNameProblem(_ name: String) -> String? {
        let length = name.utf8.count
        if length == 0 { return "is empty" }
        if length > 255 { return "is longer than 255 bytes" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) {
            return "contains a space or a control character"
        }
        return nil
    }

    private static func requiredString(_ object: [String: Any], _ key: String, _ meaning: String) throws(LineProblem) -> String {
        guard let text = try optionalString(object, key) else {
            throw LineProblem(reason: "missing \"\(key)\" (\(meaning))")
        }
        return text
    }

    private static func optionalString(_ object: [String: Any], _ key: String) throws(LineProblem) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value as? String else {
            throw LineProblem(reason: "\"\(key)\" must be a string, not \(describe(value))")
        }
        return text
    }

    private static func time(_ object: [String: Any], _ key: String) throws(LineProblem) -> Date? {
        guard let text = try optionalString(object, key) else { return nil }
        do {
            return try Timestamp.parse(text)
        } catch {
            throw LineProblem(reason: "\"\(key)\" \(text.debugDescription) is not an ISO 8601 time with a zone: it \(error.reason)")
        }
    }

    private static func metadata(_ value: Any?) throws(LineProblem) -> EventMetadata {
        guard let value else { return .empty }
        guard let object = value as? [String: Any] else {
            throw LineProblem(reason: "\"metadata\" must be an object of strings, not \(describe(value))")
        }
        guard object.count <= Int(UInt16.max) else {
            throw LineProblem(reason: "\"metadata\" has more than \(UInt16.max) keys")
        }
        var metadata = EventMetadata()
        for (key, value) in object {
            guard let text = value as? String else {
                throw LineProblem(reason: "metadata \(key.debugDescription) must be a string, not \(describe(value))")
            }
            guard key.utf8.count <= Int(UInt16.max), text.utf8.count <= Int(UInt16.max) else {
                throw LineProblem(reason: "metadata \(key.debugDescription) is longer than \(UInt16.max) bytes")
            }
            switch key {
            case "correlationId": metadata.correlationID = text
            case "causationId": metadata.causationID = text
            case "actor": metadata.actor = text
            default: metadata.custom[key] = text
            }
        }
        return metadata
    }

    private static func payload(_ object: [String: Any]) throws(LineProblem) -> (ContentType, Data) {
        let declared = try object["contentType"].map { value throws(LineProblem) in try contentType(value) }
        switch (object["data"], object["dataBase64"]) {
        case (nil, nil):
            throw LineProblem(reason: "no payload: give exactly one of \"data\" (JSON) and \"dataBase64\"")
        case (.some, .some):
            throw LineProblem(reason: "both \"data\" and \"dataBase64\": give exactly one")
        case (let value?, nil):
            guard declared == nil || declared == .json else {
                throw LineProblem(reason: "\"contentType\" must be \"json\" with \"data\": give other content in \"dataBase64\"")
            }
            do {
                return (.json, try JSONPayload.canonical(value))
            } catch {
                throw LineProblem(reason: "\"data\" \(error.reason)")
            }
        case (nil, let value?):
            guard let text = value as? String else {
                throw LineProblem(reason: "\"dataBase64\" must be a string, not \(describe(value))")
            }
            guard let bytes = Data(base64Encoded: text) else {
                throw LineProblem(reason: "\"dataBase64\" is not valid base64 (RFC 4648, with padding, no line breaks)")
            }
            return (declared ?? .binary, bytes)
        }
    }

    private static func contentType(_ value: Any) throws(LineProblem) -> ContentType {
        switch value {
        case let name as String where name == "json": return .json
        case let name as String where name == "binary": return .binary
        default:
            guard let number = integer(value), (0...255).contains(number) else {
                throw LineProblem(reason: "\"contentType\" must be \"json\", \"binary\" or a number from 0 to 255, not \(describe(value))")
            }
            return ContentType(rawValue: UInt8(number))
        }
    }

    /// A whole number that `JSONSerialization` parsed, or `nil` (fractions, booleans, text).
    private static func integer(_ value: Any) -> Int64? {
        guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9e15 else { return nil }
        return Int64(double)
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// What a JSON value is, for error messages: `a string`, `an array`, `true`…
    static func describe(_ value: Any) -> String {
        switch value {
        case let text as String: "the string \(text.count > 40 ? String(text.prefix(40)).debugDescription + "…" : text.debugDescription)"
        case is NSNull: "null"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case let number as NSNumber: isBoolean(number) ? (number.boolValue ? "true" : "false") : "the number \(number)"
        default: "a value of an unknown kind"
        }
    }

    // MARK: Writing

    /// Writes one event as a line (without the line break), in a fixed key order:
    /// position, id, customer, version, type, schemaVersion, occurredAt, recordedAt,
    /// metadata, then the payload.
    ///
    /// A built-in event stored in the binary layout is written in its JSON form (`data`),
    /// which an import turns back into the same typed event. JSON content that is already
    /// in ``JSONPayload`` canonical form is embedded as it is stored (`data`); any other
    /// content, including JSON stored in another form by the library API and a built-in
    /// payload that does not decode, goes in `dataBase64` with its `contentType`, so
    /// nothing is lost.
    ///
    /// - Parameter personalData: how the event's personal data was read; other than
    ///   `.readable`, the line says so (`"personalData"`), and an import refuses it.
    /// - Throws: ``LineProblem`` when the event cannot be written as a line: its custom
    ///   metadata uses a key the format reserves.
    public static func encode(_ event: RecordedEvent, personalData: PersonalDataStatus = .readable) throws(LineProblem) -> [UInt8] {
        var line = JSONObjectWriter()
        line.add("position", event.position.rawValue)
        line.add("id", event.id.description)
        line.add("customer", event.stream.rawValue)
        line.add("version", event.version.rawValue)
        line.add("type", event.type)
        line.add("schemaVersion", event.schemaVersion)
        line.add("occurredAt", Timestamp.format(event.occurredAt))
        line.add("recordedAt", Timestamp.format(event.recordedAt))
        if !event.metadata.isEmpty {
            line.add("metadata", json: try encode(event.metadata))
        }
        if personalData != .readable {
            line.add("personalData", personalData.rawValue)
        }
        if let json = builtInJSON(event) {
            line.add("data", json: json)
        } else if event.contentType == .json, JSONPayload.isCanonical(event.payload) {
            line.add("data", json: event.payload)
        } else {
            switch event.contentType {
            case .binary: break
            case .json: line.add("contentType", "json")
            default: line.add("contentType", event.contentType.rawValue)
            }
            line.add("dataBase64", event.payload.base64EncodedString())
        }
        return line.finished()
    }

    private static func encode(_ metadata: EventMetadata) throws(LineProblem) -> [UInt8] {
        var object = JSONObjectWriter()
        object.add("correlationId", metadata.correlationID)
        object.add("causationId", metadata.causationID)
        object.add("actor", metadata.actor)
        for key in metadata.custom.keys.sorted() {
            guard !metadataFields.contains(key) else {
                throw LineProblem(
                    reason: "its custom metadata has the key \(key.debugDescription), which the JSON Lines format reserves for the metadata field of that name"
                )
            }
            object.add(key, metadata.custom[key])
        }
        return object.finished()
    }
}
