/// A place in the ledger's global log.
///
/// Positions start at 1 and have no gaps: the n-th event ever committed has position n,
/// in commit order. Position 0 (``LogPosition/start``) stands before the first event.
public struct LogPosition: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    ExpressibleByIntegerLiteral, CustomStringConvertible
{
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    /// Before the first event: reading forward from here reads everything.
    public static let start = LogPosition(0)
    /// After the last possible event: reading backward from here starts at the newest.
    public static let end = LogPosition(UInt64.max)

    /// The position right after this one.
    public var next: LogPosition { LogPosition(rawValue + 1) }

    public var description: String { String(rawValue) }
    public static func < (lhs: LogPosition, rhs: LogPosition) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The number of events in a stream, and so the version of its newest event.
///
/// A stream's first event has version 1; version 0 means the stream has no events.
public struct StreamVersion: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    ExpressibleByIntegerLiteral, CustomStringConvertible
{
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    /// A stream with no events.
    public static let none = StreamVersion(0)
    /// The first event of a stream.
    public static let first = StreamVersion(1)
    /// Past the newest event: reading backward from here starts at the newest.
    public static let end = StreamVersion(UInt64.max)

    public var description: String { String(rawValue) }
    public static func < (lhs: StreamVersion, rhs: StreamVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Which way a read goes.
public enum ReadDirection: Sendable, Hashable {
    /// Oldest first.
    case forward
    /// Newest first.
    case backward
}
