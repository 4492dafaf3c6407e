import Foundation

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
        var left = lhs.rawValue, right = rhs.rawValue
        return left.withUTF8 { left in
            right.withUTF8 { right in
                let common = Swift.min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order < 0 || (order == 0 && left.count < right.count)
            }
        }
    }

    static func problem(with value: String) -> String? {
        let length = value.utf8.count
        if length == 0 { return "is empty: give a non-empty id" }
        if length > maximumLength {
            return "is \(length) bytes long: ids are at most \(maximumLength) bytes of UTF-8"
        }
        if hasControlCharacter(value) {
            return "contains a control character: ids must be printable"
        }
        return nil
    }
}

/// Whether `text` holds a control character (Unicode category Cc), checked byte by byte
/// for ASCII text and by scalar otherwise.
package func hasControlCharacter(_ text: String, orSpace: Bool = false) -> Bool {
    var text = text
    let ascii = text.withUTF8 { bytes in
        bytes.allSatisfy { $0 < 0x80 }
    }
    if ascii {
        return text.utf8.contains { $0 < 0x20 || $0 == 0x7F || (orSpace && $0 == 0x20) }
    }
    return text.unicodeScalars.contains { scalar in
        scalar.properties.generalCategory == .control || (orSpace && scalar == " ")
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
