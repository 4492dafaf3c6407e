import Foundation
public import LedgerCore

extension EventTypeRegistry {
    /// Says how a registered type's payload of schema version `version` becomes version
    /// `version + 1`, so that events stored in older shapes are read in the current one.
    ///
    /// ```swift
    /// struct PointsAwarded: CustomerEventPayload {   // version 1 was {"points": 5}
    ///     static let eventType = "acme.loyalty.pointsAwarded"
    ///     static let schemaVersion: UInt16 = 3
    ///     struct Amount: Codable, Hashable { var value: Int; var unit: String }
    ///     var amount: Amount
    ///     var reason: String
    /// }
    ///
    /// try registry.register(PointsAwarded.self)
    /// try registry.registerUpcaster(for: PointsAwarded.self, from: 1) { json in
    ///     json["reason"] = "unspecified"                  // version 2 added a reason
    /// }
    /// try registry.registerUpcaster(for: PointsAwarded.self, from: 2) { json in
    ///     json["amount"] = ["value": json.removeValue(forKey: "points") ?? .null, "unit": "points"]
    /// }
    /// ```
    ///
    /// An event stored at version 1 is read by decoding its JSON object, running the
    /// upcasters from 1 and from 2 in turn, and decoding the result as the current type;
    /// its stored bytes and schema version never change. Every step from the oldest
    /// version still in the ledger must be registered, even one that changes nothing
    /// (`{ _ in }`, for a field added as optional): a missing step is an error when such an
    /// event is read, rather than a guess.
    ///
    /// Upcasters work on the JSON form (``EventJSON``) rather than on old Swift types, so
    /// the host keeps no type per past version, and one step reads exactly the JSON that
    /// the previous one wrote. They must be pure: the same input always gives the same
    /// output, since an event is upcast again on every read.
    ///
    /// - Parameters:
    ///   - type: The registered type; ``register(_:)`` it first.
    ///   - version: The version the upcaster reads, from 1 to one below the type's
    ///     current `schemaVersion`; it writes `version + 1`.
    ///   - upcast: Changes the payload's top-level object in place. An error it throws
    ///     fails the read of that event with `LedgerError.Code.corrupted` (or with its own
    ///     code, when it throws a `LedgerError`).
    /// - Throws: `LedgerError.Code.invalidEvent` when `type` is built in, is not
    ///   registered, already has an upcaster from `version`, or when `version` is not
    ///   older than its current one.
    public mutating func registerUpcaster<Event: CustomerEventPayload>(
        for type: Event.Type,
        from version: UInt16,
        _ upcast: @escaping @Sendable (inout [String: EventJSON]) throws -> Void
    ) throws(LedgerError) {
        let name = Event.eventType
        if EventCoding.builtIn[name] != nil {
            throw LedgerError(
                .invalidEvent,
                "\(Event.self) is the built-in \(name) event, which the ledger reads in every schema version itself: upcasters are for a host's registered types."
            )
        }
        guard let entry = entries[name] else {
            throw LedgerError(
                .invalidEvent,
                "\(Event.self) has no upcasters until it is registered: call register(\(Event.self).self) first."
            )
        }
        guard entry.swiftType == ObjectIdentifier(Event.self) else {
            throw LedgerError(
                .invalidEvent,
                "\(Event.self) cannot have upcasters as \(name): \(entry.swiftName) is registered under that name."
            )
        }
        guard version >= 1, version < entry.schemaVersion else {
            let range = entry.schemaVersion == 1
                ? "it is at schema version 1, so it has no older version to upcast"
                : "it is at schema version \(entry.schemaVersion), so its upcasters go from versions 1 to \(entry.schemaVersion - 1)"
            throw LedgerError(
                .invalidEvent,
                "\(name) cannot have an upcaster from schema version \(version): \(range) (each one reads a version and writes the next)."
            )
        }
        guard entry.upcasters[version] == nil else {
            throw LedgerError(
                .invalidEvent,
                "\(name) already has an upcaster from schema version \(version) to \(version + 1): one step per version."
            )
        }
        entries[name]?.upcasters[version] = upcast
    }
}

extension EventTypeRegistry.Entry {
    /// The first version from `version` on without an upcaster to the next, or `nil` when
    /// the chain to the current version is whole.
    func missingUpcaster(from version: UInt16) -> UInt16? {
        (version..<schemaVersion).first { upcasters[$0] == nil }
    }

    /// A payload of an older schema version, upcast and decoded as the current type.
    /// Messages name no position; the caller adds it.
    func decodeUpcast(_ payload: Data, from version: UInt16) throws(LedgerError) -> any CustomerEventPayload {
        if let missing = missingUpcaster(from: version) {
            throw LedgerError(
                .unsupportedFormat,
                "it has schema version \(version), and \(eventType) has no upcaster from version \(missing) to \(missing + 1): register one with registerUpcaster(for:from:_:)."
            )
        }
        let current = try upcast(payload, from: version)
        do {
            return try decodeJSON(current)
        } catch {
            throw LedgerError(
                .corrupted,
                "its JSON payload, upcast from schema version \(version) to \(schemaVersion), does not decode as \(swiftName): \(EventCoding.describe(error, json: current)). Check the upcasters of \(eventType)."
            )
        }
    }

    /// The JSON of a payload of `version`, brought to the current version by the
    /// upcasters. The chain must be whole (``missingUpcaster(from:)``).
    func upcast(_ payload: Data, from version: UInt16) throws(LedgerError) -> Data {
        var object: [String: EventJSON]
        do {
            object = try EventCoding.jsonDecoder.decode([String: EventJSON].self, from: payload)
        } catch {
            throw LedgerError(.corrupted, "its JSON payload of schema version \(version) does not decode: \(EventCoding.describe(error)).")
        }
        for step in version..<schemaVersion {
            guard let upcaster = upcasters[step] else {
                throw LedgerError(.unsupportedFormat, "\(eventType) has no upcaster from version \(step) to \(step + 1).")
            }
            do {
                try upcaster(&object)
            } catch {
                let ledgerError = error as? LedgerError
                let reason = ledgerError?.message ?? "\(error)"
                throw LedgerError(
                    ledgerError?.code ?? .corrupted,
                    "the upcaster of \(eventType) from schema version \(step) to \(step + 1) failed: \(reason.hasSuffix(".") ? String(reason.dropLast()) : reason)."
                )
            }
        }
        do {
            return try EventCoding.jsonEncoder.encode(object)
        } catch {
            throw LedgerError(
                .corrupted,
                "the upcasters of \(eventType) from schema version \(version) wrote a value JSON cannot hold (\(error)): check them."
            )
        }
    }
}
