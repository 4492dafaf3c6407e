/// A value in the JSON payload of a host event, as an upcaster reads and changes it.
///
/// An upcaster (``EventTypeRegistry/registerUpcaster(for:from:_:)``) receives the
/// payload's top-level object as `[String: EventJSON]`, so the whole of `Dictionary`'s API
/// is at hand, and literals build new values:
///
/// ```swift
/// try registry.registerUpcaster(for: PointsAwarded.self, from: 2) { json in
///     json["amount"] = ["value": json.removeValue(forKey: "points") ?? .null, "unit": "points"]
///     if case .string(let reason)? = json["reason"], reason.isEmpty { json["reason"] = "unspecified" }
/// }
/// ```
///
/// It is a plain value (`Sendable`, `Hashable`), unlike the `[String: Any]` of
/// `JSONSerialization`, so an upcaster is an ordinary `@Sendable` closure with nothing
/// to cast. Values keep the JSON form of docs/event-types.md: amounts are decimal
/// strings, times ISO 8601 strings.
public enum EventJSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without a fraction that fits in `Int64`, kept exactly.
    case integer(Int64)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([EventJSON])
    /// An object.
    case object([String: EventJSON])
}

extension EventJSON: Codable {
    /// Reads any JSON value. A number reads as ``integer(_:)`` when it is whole and fits in
    /// `Int64`, otherwise as ``double(_:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode([String: EventJSON].self) {
            self = .object(value)
        } else {
            self = .array(try container.decode([EventJSON].self))
        }
    }

    /// Writes the value as the JSON it stands for.
    /// - Throws: `EncodingError.invalidValue` for a ``double(_:)`` that is not finite.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension EventJSON: ExpressibleByStringLiteral {
    /// `"text"` as ``string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension EventJSON: ExpressibleByIntegerLiteral {
    /// `42` as ``integer(_:)``.
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension EventJSON: ExpressibleByFloatLiteral {
    /// `2.5` as ``double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension EventJSON: ExpressibleByBooleanLiteral {
    /// `true` as ``bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension EventJSON: ExpressibleByArrayLiteral {
    /// `[1, "two"]` as ``array(_:)``.
    public init(arrayLiteral elements: EventJSON...) { self = .array(elements) }
}

extension EventJSON: ExpressibleByDictionaryLiteral {
    /// `["unit": "points"]` as ``object(_:)``; a key given twice keeps its last value.
    public init(dictionaryLiteral elements: (String, EventJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
