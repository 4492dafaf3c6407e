public import Foundation
public import LedgerCore

/// The event types a host service adds to the built-in ones, so that they flow through
/// the same store, export and import, and can be read back as typed values.
///
/// A host event is any ``CustomerEventPayload``: a `Codable` type with its own wire
/// name and schema version. It is stored as JSON (content type
/// `ContentType.json`); append it with ``Ledger/record(_:for:occurredAt:id:metadata:expecting:)``
/// or ``LedgerCore/ProposedEvent/init(_:occurredAt:id:metadata:)`` like a built-in one.
/// Projections see it as ``CustomerEvent/other(_:)``; the registry turns it back into
/// the host's type:
///
/// ```swift
/// struct LoyaltyPointsEarned: CustomerEventPayload {
///     static let eventType = "acme.loyalty.pointsEarned"
///     static let schemaVersion: UInt16 = 2
///     var points: Int
/// }
///
/// var registry = EventTypeRegistry()
/// try registry.register(LoyaltyPointsEarned.self)
/// if case .other(let recorded) = record.event,
///    let earned = try registry.decode(recorded) as? LoyaltyPointsEarned { … }
/// ```
///
/// Names are unique: registering a built-in name, or one name for two Swift types, is an
/// error. A registry is a value; build it once at start-up and share it.
public struct EventTypeRegistry: Sendable {
    /// How one host type is decoded.
    private struct Entry: Sendable {
        let swiftType: ObjectIdentifier
        let swiftName: String
        let schemaVersion: UInt16
        let decodeJSON: @Sendable (Data) throws -> any CustomerEventPayload
    }

    private var entries: [String: Entry] = [:]

    /// A registry that knows the built-in types only.
    public init() {}

    /// The wire names of the built-in event types, sorted.
    public static var builtInTypeNames: [String] { EventCoding.builtIn.keys.sorted() }

    /// The wire names of the registered host types, sorted.
    public var registeredTypeNames: [String] { entries.keys.sorted() }

    /// Adds a host type. Registering the same type again does nothing.
    /// - Throws: `LedgerError.Code.invalidEvent` when its name is a built-in
    ///   type's, is taken by another Swift type, or is not a valid type name (1–255 bytes,
    ///   no spaces or control characters), or when its schema version is 0.
    public mutating func register<Event: CustomerEventPayload>(_ type: Event.Type) throws(LedgerError) {
        let name = Event.eventType
        if EventCoding.builtIn[name] != nil {
            throw LedgerError(
                .invalidEvent,
                "\(Event.self) cannot be registered as \(name): that is a built-in event type. Give it a name of your own, such as acme.\(name)."
            )
        }
        if name.isEmpty || name.utf8.count > 255 || hasControlCharacter(name, orSpace: true) {
            throw LedgerError(
                .invalidEvent,
                "\(Event.self) cannot be registered: its event type \(name.debugDescription) must be 1–255 bytes without spaces or control characters."
            )
        }
        guard Event.schemaVersion >= 1 else {
            throw LedgerError(.invalidEvent, "\(Event.self) cannot be registered: schema versions start at 1.")
        }
        if let existing = entries[name] {
            guard existing.swiftType == ObjectIdentifier(Event.self) else {
                throw LedgerError(
                    .invalidEvent,
                    "\(Event.self) cannot be registered as \(name): \(existing.swiftName) is already registered under that name."
                )
            }
            return
        }
        entries[name] = Entry(
            swiftType: ObjectIdentifier(Event.self),
            swiftName: String(describing: Event.self),
            schemaVersion: Event.schemaVersion,
            decodeJSON: { data in try EventCoding.jsonDecoder.decode(Event.self, from: data) }
        )
    }

    /// Whether `typeName` is a built-in or a registered type.
    public func knows(_ typeName: String) -> Bool {
        EventCoding.builtIn[typeName] != nil || entries[typeName] != nil
    }

    /// Whether `typeName` is a built-in type, stored in the binary layout.
    public static func isBuiltIn(_ typeName: String) -> Bool {
        EventCoding.builtIn[typeName] != nil
    }

    /// The typed payload of a recorded event: a built-in or a registered type; `nil` for
    /// any other type.
    /// - Throws: `LedgerError.Code.corrupted` when the payload does not
    ///   decode as its type; `LedgerError.Code.unsupportedFormat` when it
    ///   has a newer schema version than the type.
    public func decode(_ recorded: RecordedEvent) throws(LedgerError) -> (any CustomerEventPayload)? {
        if let builtIn = EventCoding.builtIn[recorded.type] {
            return try EventCoding.decode(recorded, as: builtIn).payload
        }
        guard let entry = entries[recorded.type] else { return nil }
        do throws(LedgerError) {
            return try Self.decodeHostEvent(
                schemaVersion: recorded.schemaVersion, contentType: recorded.contentType, payload: recorded.payload,
                currentVersion: entry.schemaVersion, entry.decodeJSON
            )
        } catch {
            throw LedgerError(error.code, "The \(recorded.type) event at position \(recorded.position) does not decode: \(error.message)")
        }
    }

    /// Reads the JSON form of an event (as `ledger import` finds it in a line's `data`)
    /// into its typed payload, strictly: a field the type does not have is an error
    /// rather than dropped, and the schema version must be the type's own. `nil` when the
    /// type is neither built in nor registered.
    ///
    /// The payload is not validated here; ``LedgerCore/ProposedEvent/init(_:occurredAt:id:metadata:)``
    /// does that when it is appended.
    /// - Throws: `LedgerError.Code.invalidInput` with a message that starts
    ///   with the type name, such as `purchase.completed: "orderId" is missing.`
    public func payload(fromJSON json: Data, type: String, schemaVersion: UInt16) throws(LedgerError) -> (any CustomerEventPayload)? {
        let expectedVersion: UInt16
        let decodeJSON: @Sendable (Data) throws -> any CustomerEventPayload
        if let builtIn = EventCoding.builtIn[type] {
            expectedVersion = builtIn.type.schemaVersion
            decodeJSON = { data in try builtIn.decodeJSON(data).payload! }
        } else if let entry = entries[type] {
            expectedVersion = entry.schemaVersion
            decodeJSON = entry.decodeJSON
        } else {
            return nil
        }
        guard schemaVersion == expectedVersion else {
            throw LedgerError(
                .invalidInput,
                "\(type): schema version \(schemaVersion) is not one this ledger reads: \(type) is version \(expectedVersion)."
            )
        }
        let payload: any CustomerEventPayload
        do {
            payload = try decodeJSON(json)
        } catch {
            throw LedgerError(.invalidInput, "\(type): \(EventCoding.describe(error)).")
        }
        if let field = try Self.unknownField(in: json, comparedWith: payload) {
            throw LedgerError(.invalidInput, "\(type): unknown field \"\(field)\": \(type) has no such field, so it would be lost.")
        }
        return payload
    }

    /// Decodes a host type's JSON payload of this or an older schema version.
    static func decodeHostEvent(
        schemaVersion: UInt16, contentType: ContentType, payload: Data, currentVersion: UInt16,
        _ decodeJSON: (Data) throws -> any CustomerEventPayload
    ) throws(LedgerError) -> any CustomerEventPayload {
        guard schemaVersion <= currentVersion else {
            throw LedgerError(
                .unsupportedFormat,
                "it has schema version \(schemaVersion), newer than the \(currentVersion) this service knows: update the service that reads it."
            )
        }
        guard contentType == .json else {
            throw LedgerError(.corrupted, "its content type is \(contentType), and a registered event type is stored as JSON.")
        }
        do {
            return try decodeJSON(payload)
        } catch {
            throw LedgerError(.corrupted, "its JSON payload does not decode: \(EventCoding.describe(error)).")
        }
    }

    /// The path of a field in `json` that the typed payload does not write back, or `nil`.
    /// Fields whose value is `null`, `[]` or `{}` are skipped: types leave such fields out.
    private static func unknownField(in json: Data, comparedWith payload: some CustomerEventPayload) throws(LedgerError) -> String? {
        guard let original = try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]),
              let again = try? JSONSerialization.jsonObject(with: EventCoding.jsonData(payload), options: [.fragmentsAllowed])
        else { return nil }
        return unknownField(original, again, path: "")
    }

    private static func unknownField(_ original: Any, _ again: Any, path: String) -> String? {
        switch (original, again) {
        case (let original as [String: Any], let again as [String: Any]):
            for key in original.keys.sorted() {
                let value = original[key]!
                let keyPath = path.isEmpty ? key : "\(path).\(key)"
                guard let counterpart = again[key] else {
                    if value is NSNull || (value as? [Any])?.isEmpty == true || (value as? [String: Any])?.isEmpty == true { continue }
                    return keyPath
                }
                if let field = unknownField(value, counterpart, path: keyPath) { return field }
            }
        case (let original as [Any], let again as [Any]) where original.count == again.count:
            for (index, (value, counterpart)) in zip(original, again).enumerated() {
                if let field = unknownField(value, counterpart, path: "\(path)[\(index)]") { return field }
            }
        default:
            break
        }
        return nil
    }
}

extension RecordedEvent {
    /// The payload as a host's own event type (or a built-in one).
    ///
    /// ```swift
    /// if case .other(let recorded) = record.event, recorded.type == LoyaltyPointsEarned.eventType {
    ///     let earned = try recorded.decode(as: LoyaltyPointsEarned.self)
    /// }
    /// ```
    /// An event of an older schema version decodes when the type's `Codable`
    /// implementation reads that shape; a newer one is refused.
    /// - Throws: `LedgerError.Code.invalidEvent` when the event is of
    ///   another type; `LedgerError.Code.corrupted` when it does not decode;
    ///   `LedgerError.Code.unsupportedFormat` for a newer schema version.
    public func decode<Event: CustomerEventPayload>(as type: Event.Type) throws(LedgerError) -> Event {
        guard self.type == Event.eventType else {
            throw LedgerError(.invalidEvent, "The event at position \(position) is of type \(self.type), not \(Event.eventType).")
        }
        if let builtIn = EventCoding.builtIn[self.type] {
            guard let payload = try EventCoding.decode(self, as: builtIn).payload as? Event else {
                throw LedgerError(.invalidEvent, "\(Event.self) uses the name of the built-in \(self.type) event.")
            }
            return payload
        }
        do throws(LedgerError) {
            let value = try EventTypeRegistry.decodeHostEvent(
                schemaVersion: schemaVersion, contentType: contentType, payload: payload, currentVersion: Event.schemaVersion
            ) { data in try EventCoding.jsonDecoder.decode(Event.self, from: data) }
            return value as! Event
        } catch {
            throw LedgerError(error.code, "The \(self.type) event at position \(position) does not decode: \(error.message)")
        }
    }
}

extension CustomerEventPayload {
    /// The event's JSON form, as `ledger export` writes it in a line's `data`: compact,
    /// keys sorted, amounts as decimal strings, dates as ISO 8601 UTC
    /// (docs/event-types.md).
    public func jsonData() throws(LedgerError) -> Data {
        try EventCoding.jsonData(self)
    }
}
