public import Foundation
public import LedgerCore

/// What a backup holds, written beside its data file as `backup.json` when the copy is
/// complete (docs/backups.md). A folder without it is not a complete backup.
///
/// ```json
/// {"backupFormat":1,"byteCount":1310720,"dataFile":"data.mdb","finishedAt":"…","head":48213,
///  "chainHash":"5c…","lastRecordedAt":"…","ledgerFormatVersion":2,"sha256":"9f…",
///  "source":"/srv/ledger","startedAt":"…","streamCount":4000}
/// ```
public struct BackupManifest: Sendable, Hashable, Codable {
    /// The layout of this manifest and its folder; this library writes and reads 1.
    public var backupFormat: Int
    /// The ledger's on-disk format version (docs/format.md) inside the copy.
    public var ledgerFormatVersion: UInt32
    /// The newest position in the copy: it holds every event from 1 to here, and none after.
    public var head: LogPosition
    /// When the event at ``head`` was recorded; `nil` for an empty ledger.
    public var lastRecordedAt: Date?
    /// The hash chain's link at ``head`` (docs/audit-chain.md): the copy's chain head,
    /// `ChainHash.genesis` for an empty ledger; `nil` in a manifest written without it.
    public var chainHash: ChainHash?
    /// Customers (streams) in the copy.
    public var streamCount: UInt64
    /// When the backup was asked for: every event committed before then is in the copy.
    public var startedAt: Date
    /// When the copy was complete.
    public var finishedAt: Date
    /// The folder of the ledger that was copied, as it was given.
    public var source: String
    /// The name of the data file in the backup folder.
    public var dataFile: String
    /// The data file's size in bytes.
    public var byteCount: Int
    /// The SHA-256 of the data file, lower-case hex: restore checks it.
    public var sha256: String

    /// The events in the copy: positions have no gaps, so it is the head.
    public var eventCount: UInt64 { head.rawValue }

    /// The copy's chain head as a digest: verifying the original ledger against it proves
    /// that the original's log up to ``head`` is still what the backup holds
    /// (`LMDBEventStore/verify(against:incrementally:recordsPerTransaction:progress:)`).
    public var digest: LedgerDigest? {
        chainHash.map { LedgerDigest(position: head, hash: $0, time: finishedAt) }
    }

    /// The manifest's file name inside a backup folder.
    public static let fileName = "backup.json"
    /// The backup format this library writes and the newest it reads.
    public static let currentFormat = 1

    public init(
        backupFormat: Int = BackupManifest.currentFormat, ledgerFormatVersion: UInt32, head: LogPosition, lastRecordedAt: Date?,
        chainHash: ChainHash?, streamCount: UInt64, startedAt: Date, finishedAt: Date, source: String, dataFile: String, byteCount: Int, sha256: String
    ) {
        self.backupFormat = backupFormat
        self.ledgerFormatVersion = ledgerFormatVersion
        self.head = head
        self.lastRecordedAt = lastRecordedAt
        self.chainHash = chainHash
        self.streamCount = streamCount
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.source = source
        self.dataFile = dataFile
        self.byteCount = byteCount
        self.sha256 = sha256
    }

    private enum CodingKeys: String, CodingKey {
        case backupFormat, ledgerFormatVersion, head, lastRecordedAt, chainHash, streamCount, startedAt, finishedAt, source, dataFile, byteCount, sha256
    }

    // Times are written as ISO 8601 UTC with microseconds, the ledger's own resolution.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        backupFormat = try container.decode(Int.self, forKey: .backupFormat)
        ledgerFormatVersion = try container.decode(UInt32.self, forKey: .ledgerFormatVersion)
        head = try container.decode(LogPosition.self, forKey: .head)
        lastRecordedAt = try container.decodeIfPresent(String.self, forKey: .lastRecordedAt).map { try Self.time($0, .lastRecordedAt, container) }
        chainHash = try container.decodeIfPresent(ChainHash.self, forKey: .chainHash)
        streamCount = try container.decode(UInt64.self, forKey: .streamCount)
        startedAt = try Self.time(try container.decode(String.self, forKey: .startedAt), .startedAt, container)
        finishedAt = try Self.time(try container.decode(String.self, forKey: .finishedAt), .finishedAt, container)
        source = try container.decode(String.self, forKey: .source)
        dataFile = try container.decode(String.self, forKey: .dataFile)
        byteCount = try container.decode(Int.self, forKey: .byteCount)
        sha256 = try container.decode(String.self, forKey: .sha256)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(backupFormat, forKey: .backupFormat)
        try container.encode(ledgerFormatVersion, forKey: .ledgerFormatVersion)
        try container.encode(head, forKey: .head)
        try container.encodeIfPresent(lastRecordedAt.map { iso8601Microseconds($0.microsecondsSince1970) }, forKey: .lastRecordedAt)
        try container.encodeIfPresent(chainHash, forKey: .chainHash)
        try container.encode(streamCount, forKey: .streamCount)
        try container.encode(iso8601Microseconds(startedAt.microsecondsSince1970), forKey: .startedAt)
        try container.encode(iso8601Microseconds(finishedAt.microsecondsSince1970), forKey: .finishedAt)
        try container.encode(source, forKey: .source)
        try container.encode(dataFile, forKey: .dataFile)
        try container.encode(byteCount, forKey: .byteCount)
        try container.encode(sha256, forKey: .sha256)
    }

    /// Reads `2024-05-01T10:00:00.000000Z` (the form ``encode(to:)`` writes).
    private static func time(_ text: String, _ key: CodingKeys, _ container: KeyedDecodingContainer<CodingKeys>) throws -> Date {
        guard let micros = microseconds(iso8601: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(text.debugDescription) is not a time like 2024-05-01T10:00:00.000000Z")
        }
        return Date(microsecondsSince1970: micros)
    }
}
