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
/// try registry.registerUpcaster(for: LoyaltyPointsEarned.self, from: 1) { json in
///     json["points"] = json.removeValue(forKey: "score")   // version 1 called it "score"
/// }
/// if case .other(let recorded) = record.event,
///    let earned = try registry.decode(recorded) as? LoyaltyPointsEarned { … }
/// ```
///
/// When a type's shape changes, its schema version goes up and an upcaster says how the
/// previous version becomes the new one (``registerUpcaster(for:from:_:)``); events of
/// older versions are upcast as they are read, and their stored bytes stay as they were.
/// ``resolve(_:)`` is the one call a projection runner needs: every event typed and in
/// its current shape, and events of types nobody registered handled as
/// ``unknownEvents`` says.
///
/// Names are unique: registering a built-in name, or one name for two Swift types, is an
/// error. A registry is a value; build it once at start-up and share it.
public struct EventTypeRegistry: Sendable {
    /// How one host type is decoded.
    struct Entry: Sendable {
        let swiftType: ObjectIdentifier
        let swiftName: String
        let eventType: String
        let schemaVersion: UInt16
        let decodeJSON: @Sendable (Data) throws -> any CustomerEventPayload
        /// The upcaster from each older version to the next.
        var upcasters: [UInt16: Upcaster] = [:]
    }

    /// Brings a payload's JSON object from one schema version to the next.
    typealias Upcaster = @Sendable (inout [String: EventJSON]) throws -> Void

    /// The registered host types, by wire name.
    var entries: [String: Entry] = [:]

    /// What ``resolve(_:)`` does with an event whose type is neither built in nor
    /// registered: hand it over as stored (the default), leave it out, or fail the read.
    public var unknownEvents: UnknownEventPolicy = .deliverRaw

    /// A registry that knows the built-in types only.
    public init() {}

    /// The wire names of the built-in event types, sorted.
    public static var builtInTypeNames: [String] { EventCoding.builtIn.keys.sorted() }

    /// The wire names of the registered host types, sorted.
    public var registeredTypeNames: [String] { entries.keys.sorted() }

    /// Adds a host type. Registering the same type again does nothing (and keeps its
    /// upcasters).
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
            eventType: name,
            schemaVersion: Event.schemaVersion,
            decodeJSON: { data in try EventCoding.jsonDecoder.decode(Event.self, from: data) }
        )
        // Its personal fields are sealed however its events are appended.
        HostPersonalFields.note(Event.self)
    }

    /// Whether `typeName` is a built-in or a registered type.
    public func knows(_ typeName: String) -> Bool {
        EventCoding.builtIn[typeName] != nil || entries[typeName] != nil
    }

    /// Whether `typeName` is a built-in type, stored in the binary layout.
    public static func isBuiltIn(_ typeName: String) -> Bool {
        EventCoding.builtIn[typeName] != nil
    }

    /// An event as a projection should see it: a built-in event typed, a registered host
    /// event typed and upcast to its current schema version, and an event of any other
    /// type as ``unknownEvents`` says (as stored, `nil` to leave it out, or an error).
    ///
    /// A projection runner calls it once per event it reads:
    ///
    /// ```swift
    /// try ledger.readLog(from: checkpoint) { recorded in
    ///     switch try registry.resolve(recorded) {
    ///     case .builtIn(let event)?: projection.apply(event, at: recorded.position)
    ///     case .registered(let payload)?: projection.apply(payload, at: recorded.position)
    ///     case .unknown(let raw)?: projection.applyUnknown(raw)
    ///     case nil: break   // unknownEvents is .skip
    ///     }
    /// }
    /// ```
    /// An event of a known type that cannot be read always throws, whatever the policy:
    /// it is never skipped in silence. Nothing here traps on stored data.
    /// - Throws: `LedgerError.Code.unsupportedFormat` for a type nobody registered under
    ///   ``UnknownEventPolicy/fail``, for a schema version newer than the type's, and for
    ///   an older one with a missing upcaster (the message names the type and the
    ///   version); `LedgerError.Code.corrupted` when the payload does not decode (malformed
    ///   JSON, a shape the upcasters or the type do not read). Messages name the type and
    ///   the position.
    public func resolve(_ recorded: RecordedEvent) throws(LedgerError) -> ResolvedEvent? {
        if let builtIn = EventCoding.builtIn[recorded.type] {
            return .builtIn(try EventCoding.decode(recorded, as: builtIn))
        }
        if let entry = entries[recorded.type] {
            return .registered(try decode(recorded, as: entry))
        }
        switch unknownEvents {
        case .deliverRaw:
            return .unknown(recorded)
        case .skip:
            return nil
        case .fail:
            throw LedgerError(
                .unsupportedFormat,
                "The event at position \(recorded.position) of \(recorded.stream) is of type \(recorded.type), which this service does not know: register its type in the EventTypeRegistry, or set unknownEvents to .deliverRaw or .skip to read past it.",
                stream: recorded.stream
            )
        }
    }

    /// The typed payload of a recorded event: a built-in or a registered type, a
    /// registered one upcast to its current schema version; `nil` for any other type.
    /// - Throws: `LedgerError.Code.corrupted` when the payload does not
    ///   decode as its type; `LedgerError.Code.unsupportedFormat` when it
    ///   has a newer schema version than the type, or an older one that an upcaster is
    ///   missing for.
    public func decode(_ recorded: RecordedEvent) throws(LedgerError) -> (any CustomerEventPayload)? {
        if let builtIn = EventCoding.builtIn[recorded.type] {
            return try EventCoding.decode(recorded, as: builtIn).payload
        }
        guard let entry = entries[recorded.type] else { return nil }
        return try decode(recorded, as: entry)
    }

    /// A registered host event in its current shape.
    private func decode(_ recorded: RecordedEvent, as entry: Entry) throws(LedgerError) -> any CustomerEventPayload {
        // Sealed personal fields: without the ledger's keys they are left out (locked);
        // `Ledger.customerEventRecord(_:)` opens them.
        let recorded = recorded.contentType == .sealedJSON ? try SealedJSON.open(recorded, personal: .withheld(.locked)).0 : recorded
        do throws(LedgerError) {
            guard recorded.schemaVersion < entry.schemaVersion else {
                return try Self.decodeHostEvent(
                    schemaVersion: recorded.schemaVersion, contentType: recorded.contentType, payload: recorded.payload,
                    currentVersion: entry.schemaVersion, entry.decodeJSON
                )
            }
            guard recorded.contentType == .json else {
                throw LedgerError(.corrupted, "its content type is \(recorded.contentType), and a registered event type is stored as JSON.")
            }
            return try entry.decodeUpcast(recorded.payload, from: recorded.schemaVersion)
        } catch {
            throw LedgerError(
                error.code, "The \(recorded.type) event at position \(recorded.position) does not decode: \(error.message)",
                stream: recorded.stream
            )
        }
    }

    /// Reads the JSON form of an event (as `ledger import` finds it in a line's `data`)
    /// into its typed payload, strictly: a field the type does not have is an error
    /// rather than dropped. The schema version must be the type's own, or, for a
    /// registered type, an older one that its upcasters bring to the current one; the
    /// payload returned is then the upcast one, in the current shape. `nil` when the type
    /// is neither built in nor registered.
    ///
    /// The returned payload is for checking the line. To keep history as it was given,
    /// store an older version's original bytes with their own schema version (as `ledger
    /// import` does: `ProposedEvent(type:schemaVersion:contentType:payload:)`), not the
    /// upcast payload: it is upcast again each time it is read.
    ///
    /// The payload is not validated here; ``LedgerCore/ProposedEvent/init(_:occurredAt:id:metadata:)``
    /// does that when it is appended.
    /// - Throws: `LedgerError.Code.invalidInput` with a message that starts
    ///   with the type name, such as `purchase.completed: "orderId" is missing.`
    public func payload(fromJSON json: Data, type: String, schemaVersion: UInt16) throws(LedgerError) -> (any CustomerEventPayload)? {
        let expectedVersion: UInt16
        let decodeJSON: @Sendable (Data) throws -> any CustomerEventPayload
        var entry: Entry?
        if let builtIn = EventCoding.builtIn[type] {
            expectedVersion = builtIn.type.schemaVersion
            decodeJSON = { data in try builtIn.decodeJSON(data).payload! }
        } else if let registered = entries[type] {
            expectedVersion = registered.schemaVersion
            decodeJSON = registered.decodeJSON
            entry = registered
        } else {
            return nil
        }
        var json = json
        if schemaVersion != expectedVersion {
            guard let entry, schemaVersion < expectedVersion else {
                throw LedgerError(
                    .invalidInput,
                    "\(type): schema version \(schemaVersion) is not one this ledger reads: \(type) is version \(expectedVersion)."
                )
            }
            if let missing = entry.missingUpcaster(from: schemaVersion) {
                throw LedgerError(
                    .invalidInput,
                    "\(type): schema version \(schemaVersion) is not one this ledger reads: \(type) is version \(expectedVersion), and no upcaster is registered from version \(missing) to \(missing + 1)."
                )
            }
            do throws(LedgerError) {
                json = try entry.upcast(json, from: schemaVersion)
            } catch {
                throw LedgerError(.invalidInput, "\(type): \(error.message.hasSuffix(".") ? String(error.message.dropLast()) : error.message).")
            }
        }
        let payload: any CustomerEventPayload
        do {
            payload = try decodeJSON(json)
        } catch {
            let upcast = schemaVersion == expectedVersion ? "" : " (upcast from schema version \(schemaVersion) to \(expectedVersion))"
            throw LedgerError(.invalidInput, "\(type): \(EventCoding.describe(error, json: json))\(upcast).")
        }
        if let field = try Self.unknownField(in: json, comparedWith: payload) {
            let upcast = schemaVersion == expectedVersion ? "" : ", nor do its upcasters from schema version \(schemaVersion) read it"
            throw LedgerError(.invalidInput, "\(type): unknown field \"\(field)\": \(type) has no such field\(upcast), so it would be lost.")
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
            throw LedgerError(.corrupted, "its JSON payload does not decode: \(EventCoding.describe(error, json: payload)).")
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

/// An event as ``EventTypeRegistry/resolve(_:)`` hands it to a projection.
public enum ResolvedEvent: Sendable, Hashable {
    /// A built-in event, typed (never ``CustomerEvent/other(_:)``).
    case builtIn(CustomerEvent)
    /// A registered host event as its Swift type, in the type's current schema version
    /// whatever version it was stored in.
    case registered(any CustomerEventPayload)
    /// An event of a type that is neither built in nor registered, exactly as stored;
    /// only under ``UnknownEventPolicy/deliverRaw``.
    case unknown(RecordedEvent)

    /// Whether both are the same case with equal values; two registered payloads are
    /// equal when they are of the same type and equal as that type.
    public static func == (lhs: ResolvedEvent, rhs: ResolvedEvent) -> Bool {
        switch (lhs, rhs) {
        case (.builtIn(let lhs), .builtIn(let rhs)): lhs == rhs
        case (.registered(let lhs), .registered(let rhs)): AnyHashable(lhs) == AnyHashable(rhs)
        case (.unknown(let lhs), .unknown(let rhs)): lhs == rhs
        default: false
        }
    }

    /// Hashes the case and its value, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .builtIn(let event):
            hasher.combine(0)
            hasher.combine(event)
        case .registered(let payload):
            hasher.combine(1)
            hasher.combine(AnyHashable(payload))
        case .unknown(let recorded):
            hasher.combine(2)
            hasher.combine(recorded)
        }
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
    /// This call has no registry, so it cannot upcast: an event of an older schema version
    /// decodes only when the type's `Codable` implementation still reads that shape; a
    /// newer one is refused. To read older versions through their upcasters, use
    /// ``CustomerLedger/EventTypeRegistry/resolve(_:)`` or
    /// ``CustomerLedger/EventTypeRegistry/decode(_:)``.
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
        let recorded = contentType == .sealedJSON ? try SealedJSON.open(self, personal: .withheld(.locked)).0 : self
        do throws(LedgerError) {
            let value = try EventTypeRegistry.decodeHostEvent(
                schemaVersion: schemaVersion, contentType: recorded.contentType, payload: recorded.payload, currentVersion: Event.schemaVersion
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
