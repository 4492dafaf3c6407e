/// What an append expects of its stream, checked inside the write transaction.
///
/// This is optimistic concurrency: read a stream, decide, then append expecting the
/// version you read; if somebody appended in between, the append fails with
/// ``LedgerError/Code-swift.struct/wrongExpectedVersion`` and nothing is written.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// No check.
    case any
    /// The stream must have no events yet.
    case noStream
    /// The stream must have at least one event.
    case streamExists
    /// The stream's version must be exactly this (0 means no events).
    case exactly(StreamVersion)

    /// Whether a stream at `actual` meets this expectation.
    public func isSatisfied(by actual: StreamVersion) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == .none
        case .streamExists: actual > .none
        case .exactly(let version): actual == version
        }
    }

    public var description: String {
        switch self {
        case .any: "any version"
        case .noStream: "no stream"
        case .streamExists: "an existing stream"
        case .exactly(let version): "version \(version)"
        }
    }
}
