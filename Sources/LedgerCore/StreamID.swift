/// The name of one stream of events, such as a customer's id.
///
/// A stream id is 1–128 bytes of UTF-8 without control characters, so it can be
/// printed, exported and used as a storage key as it is.
public struct StreamID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The longest id, in UTF-8 bytes.
    public static let maximumLength = 128

    /// The id as given.
    public let rawValue: String

    /// Checks and wraps an id.
    /// - Throws: ``LedgerError/Code-swift.struct/invalidStreamID`` when it is empty,
    ///   longer than ``maximumLength`` bytes, or holds a control character.
    public init(_ rawValue: String) throws(LedgerError) {
        if let problem = StreamID.problem(with: rawValue) {
            throw LedgerError(.invalidStreamID, "Stream id \(rawValue.debugDescription) \(problem).")
        }
        self.rawValue = rawValue
    }

    /// Wraps an id already known to be valid (read back from storage).
    package init(validated rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }

    static func problem(with value: String) -> String? {
        let length = value.utf8.count
        if length == 0 { return "is empty: give a non-empty id" }
        if length > maximumLength {
            return "is \(length) bytes long: ids are at most \(maximumLength) bytes of UTF-8"
        }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "contains a control character: ids must be printable"
        }
        return nil
    }
}

extension StreamID: ExpressibleByStringLiteral {
    /// Wraps a literal id; an invalid literal is a programmer error.
    public init(stringLiteral value: String) {
        do { try self.init(value) } catch { preconditionFailure(error.message) }
    }
}

extension StreamID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
