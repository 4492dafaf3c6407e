public import Foundation

/// A ledger's chain at one moment: the head position, the hash chain's link there, and
/// when the digest was taken.
///
/// Keep a digest somewhere the ledger's host cannot change (another system, a signed
/// mail, paper). Verifying the ledger against it later proves that the log up to
/// ``position`` is still what it was and has only grown since: the link at that position
/// depends on every event before it (docs/audit-chain.md).
///
/// Its JSON form, as `ledger digest` prints it:
///
/// ```json
/// {"position":1042,"hash":"9f86d0…","time":"2026-11-26T10:00:00.000000Z"}
/// ```
public struct LedgerDigest: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The newest position the digest covers (0 for an empty ledger).
    public var position: LogPosition
    /// The hash chain's link at ``position`` (``ChainHash/genesis`` at position 0).
    public var hash: ChainHash
    /// When the digest was taken.
    public var time: Date

    public init(position: LogPosition, hash: ChainHash, time: Date) {
        self.position = position
        self.hash = hash
        self.time = time
    }

    public var description: String {
        "position \(position), hash \(hash.hex), taken \(iso8601Microseconds(time.microsecondsSince1970))"
    }

    private enum CodingKeys: String, CodingKey {
        case position, hash, time
    }

    /// Times are ISO 8601 text in UTC with microseconds, whatever the coder's date strategy.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        position = LogPosition(try container.decode(UInt64.self, forKey: .position))
        hash = try container.decode(ChainHash.self, forKey: .hash)
        let text = try container.decode(String.self, forKey: .time)
        guard let micros = microseconds(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .time, in: container,
                debugDescription: "A digest's time is ISO 8601 in UTC, like 2026-11-26T10:00:00.000000Z, not \(text.debugDescription)."
            )
        }
        time = Date(microsecondsSince1970: micros)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(position.rawValue, forKey: .position)
        try container.encode(hash, forKey: .hash)
        try container.encode(iso8601Microseconds(time.microsecondsSince1970), forKey: .time)
    }
}
