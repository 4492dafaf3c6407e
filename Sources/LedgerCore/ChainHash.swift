/// One link of a ledger's hash chain: 32 bytes of SHA-256.
///
/// Every stored event carries the hash of the previous event's link and its own stored
/// bytes, so each link depends on the whole log before it (docs/audit-chain.md). The
/// link before the first event, ``genesis``, is 32 zero bytes.
///
/// The bytes are kept inline (no allocation), so a verification can carry a link from one
/// record to the next for free. Its text form is 64 lower-case hex digits.
public struct ChainHash: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The size of a link in bytes.
    public static let byteCount = 32

    /// The link before the first event: 32 zero bytes.
    public static let genesis = ChainHash(words: (0, 0, 0, 0))

    /// The 32 bytes in order, as four words in memory order (not numbers).
    private var words: (UInt64, UInt64, UInt64, UInt64)

    private init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// A link from exactly 32 bytes, or `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { destination in
            for (index, byte) in bytes.enumerated() { destination[index] = byte }
        }
        self.words = words
    }

    /// A link from 64 hex digits (either case), or `nil` when the text is anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == Self.byteCount * 2 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.init(bytes: bytes)
    }

    /// The first 32 bytes at `source`, which must hold at least that many (the engine's
    /// way of reading a link out of a stored record without copying it twice).
    package init(unsafeBytes source: UnsafeRawBufferPointer) {
        precondition(source.count >= Self.byteCount, "a chain link needs 32 bytes")
        words = source.loadUnaligned(as: (UInt64, UInt64, UInt64, UInt64).self)
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Calls `body` with the 32 bytes, without copying them.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// 64 lower-case hex digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(Self.byteCount * 2)
        withUnsafeBytes { bytes in
            for byte in bytes {
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }

    public static func == (lhs: ChainHash, rhs: ChainHash) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1
            && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// Encoded as its hex text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hash = ChainHash(hex: text) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "A chain hash is 64 hex digits, not \(text.debugDescription)."
            ))
        }
        self = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
