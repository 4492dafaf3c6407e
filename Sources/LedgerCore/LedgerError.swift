/// Every error the ledger throws: a code to match on, and a message that says what
/// was being done and what to do about it.
///
/// Codes are static values of an open struct rather than enum cases, so new codes can
/// be added without breaking anybody's `switch`:
///
/// ```swift
/// do { try await store.append(events, to: id, expecting: .exactly(3)) }
/// catch let error as LedgerError where error.code == .wrongExpectedVersion {
///     // reload and decide again: error.actualVersion says where the stream is
/// }
/// ```
public struct LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The stream was not at the version the append expected.
        public static let wrongExpectedVersion = Code("wrongExpectedVersion")
        /// An event id is already stored with different content, or a batch only partly exists.
        public static let duplicateEventID = Code("duplicateEventID")
        /// A stream id is empty, too long or not printable.
        public static let invalidStreamID = Code("invalidStreamID")
        /// An event or request is malformed (empty batch, bad type name, a stream twice in one batch…).
        public static let invalidEvent = Code("invalidEvent")
        /// An event is larger than the configured limit.
        public static let eventTooLarge = Code("eventTooLarge")
        /// The ledger was closed.
        public static let closed = Code("closed")
        /// The ledger was written by a newer format than this library reads.
        public static let unsupportedFormat = Code("unsupportedFormat")
        /// The files are not a ledger, or are damaged.
        public static let corrupted = Code("corrupted")
        /// The ledger reached its configured maximum size.
        public static let ledgerFull = Code("ledgerFull")
        /// The file system refused access.
        public static let permissionDenied = Code("permissionDenied")
        /// The ledger is already open in this process.
        public static let alreadyOpen = Code("alreadyOpen")
        /// A bad line or value in imported data.
        public static let invalidInput = Code("invalidInput")
        /// The storage engine or the operating system failed.
        public static let storageFailure = Code("storageFailure")
        /// A projection's `apply` failed; for an inline projection, the append was rolled back.
        public static let projectionFailed = Code("projectionFailed")
        /// A persistent projection's state cannot be read: it is not built yet, or another
        /// version replaced it.
        public static let projectionNotReady = Code("projectionNotReady")
    }

    /// What kind of problem this is.
    public var code: Code
    /// What happened, what was being done and what to do.
    public var message: String
    /// The stream concerned, when there is one.
    public var stream: StreamID?
    /// With ``Code-swift.struct/wrongExpectedVersion``: what the append expected.
    public var expectedVersion: ExpectedVersion?
    /// With ``Code-swift.struct/wrongExpectedVersion``: the stream's actual version.
    public var actualVersion: StreamVersion?
    /// The engine's or the system's own error number, when it gave one.
    public var systemCode: Int32?

    public init(
        _ code: Code,
        _ message: String,
        stream: StreamID? = nil,
        expectedVersion: ExpectedVersion? = nil,
        actualVersion: StreamVersion? = nil,
        systemCode: Int32? = nil
    ) {
        self.code = code
        self.message = message
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.actualVersion = actualVersion
        self.systemCode = systemCode
    }

    public var description: String { "\(code): \(message)" }
}

extension LedgerError {
    /// `error` as a ``LedgerError``: itself when it is one, else a storage failure that says
    /// what was being done.
    package static func wrapping(_ error: any Error, while doing: @autoclosure () -> String) -> LedgerError {
        if let error = error as? LedgerError { return error }
        return LedgerError(.storageFailure, "\(doing()) failed: \(error).")
    }
}
