/// What verifying a ledger's hash chain found (docs/audit-chain.md).
///
/// Verification stops at the first problem: ``problem`` names the position, what the chain
/// expected there and what the files hold.
public struct VerificationReport: Hashable, Sendable {
    /// The position whose stored link the recomputation started from: 0 (the genesis) for
    /// the whole log, the digest's position for an incremental check.
    public var startPosition: LogPosition
    /// The digest the log was checked against, if any.
    public var digest: LedgerDigest?
    /// How many events' links were recomputed (up to the problem, when there is one).
    public var eventsVerified: UInt64
    /// The last position verified: the head, when the ledger is intact.
    public var lastVerified: LogPosition
    /// The link at ``lastVerified``: the head's hash, when the ledger is intact.
    public var lastHash: ChainHash
    /// The first problem, or `nil` when every link, the head and the digest agree.
    public var problem: VerificationProblem?
    /// How long it took.
    public var duration: Duration

    public init(
        startPosition: LogPosition,
        digest: LedgerDigest?,
        eventsVerified: UInt64,
        lastVerified: LogPosition,
        lastHash: ChainHash,
        problem: VerificationProblem?,
        duration: Duration
    ) {
        self.startPosition = startPosition
        self.digest = digest
        self.eventsVerified = eventsVerified
        self.lastVerified = lastVerified
        self.lastHash = lastHash
        self.problem = problem
        self.duration = duration
    }

    /// Whether the chain, the head and the digest (if any) all agree.
    public var isIntact: Bool { problem == nil }
}

/// The first place where a ledger's chain does not hold.
public struct VerificationProblem: Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is. Static values of an open struct, like `LedgerError.Code`,
    /// so that a kind can be added without breaking anybody's `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The link recomputed from the previous link and the record's bytes differs from
        /// the stored one: the record (or its link) was changed, or records were moved.
        public static let hashMismatch = Kind("hashMismatch")
        /// A position between the start and the head holds no event: an event was deleted.
        public static let missingEvent = Kind("missingEvent")
        /// A record's bytes do not follow the record layout (too short, an unknown layout
        /// byte, lengths that do not add up), so it has no link to check.
        public static let unreadableRecord = Kind("unreadableRecord")
        /// The head stored beside the log (position and hash) does not match its last record.
        public static let headMismatch = Kind("headMismatch")
        /// The link stored at the digest's position is not the digest's hash: the log up to
        /// that position was changed since the digest was taken.
        public static let digestMismatch = Kind("digestMismatch")
        /// The digest names a position past the ledger's head: the log lost events since.
        public static let digestBeyondHead = Kind("digestBeyondHead")
    }

    /// What kind of problem it is.
    public var kind: Kind
    /// The position concerned: the first one that does not verify.
    public var position: LogPosition
    /// What the chain expected there (a hash in hex, a position…).
    public var expected: String
    /// What the files hold there.
    public var found: String
    /// One line that names the position, for people.
    public var message: String

    public init(kind: Kind, position: LogPosition, expected: String, found: String, message: String) {
        self.kind = kind
        self.position = position
        self.expected = expected
        self.found = found
        self.message = message
    }

    public var description: String { message }
}

/// How far a running verification got, reported between its read transactions.
public struct VerificationProgress: Hashable, Sendable {
    /// Events whose links were recomputed so far.
    public var verified: UInt64
    /// Events to recompute in all: from the start to the head as it was when the
    /// verification began (appends made since are verified too, and raise it).
    public var total: UInt64
    /// The last position verified.
    public var position: LogPosition
    /// Time since the verification began.
    public var elapsed: Duration

    public init(verified: UInt64, total: UInt64, position: LogPosition, elapsed: Duration) {
        self.verified = verified
        self.total = total
        self.position = position
        self.elapsed = elapsed
    }

    /// Events verified per second so far.
    public var eventsPerSecond: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(verified) / seconds : 0
    }
}
