public import LedgerCore

/// An ISO 4217 currency code with its number of minor-unit digits.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    // The three letters packed big-endian into the low 24 bits, and the digits: a plain
    // value, so an amount copies without retaining a string (amounts are copied at
    // every purchase a view folds).
    /// The three letters packed big-endian into the low 24 bits, as the binary layout
    /// stores them.
    let packedCode: UInt32
    private let digits: UInt8

    /// The three-letter code, such as `USD`.
    public var code: String {
        String(unsafeUninitializedCapacity: 3) { buffer in
            buffer[0] = UInt8(truncatingIfNeeded: packedCode >> 16)
            buffer[1] = UInt8(truncatingIfNeeded: packedCode >> 8)
            buffer[2] = UInt8(truncatingIfNeeded: packedCode)
            return 3
        }
    }

    /// Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    public var minorUnitDigits: Int { Int(digits) }

    /// A currency by its ISO 4217 code. Codes in ISO 4217 whose minor unit is not 2 are
    /// known by the table below; any other three upper-case letters get 2 decimals.
    /// - Throws: `LedgerError.Code.invalidInput` unless `code` is three
    ///   upper-case ASCII letters.
    public init(_ code: String) throws(LedgerError) {
        guard code.utf8.count == 3, code.utf8.allSatisfy(Self.isLetter) else {
            throw LedgerError(.invalidInput, "Currency \(code.debugDescription) is not an ISO 4217 code: give three upper-case letters, like USD.")
        }
        self.init(letters: Self.pack(code))
    }

    /// The currency of three upper-case letters, already checked, packed big-endian.
    private init(letters packed: UInt32) {
        self.packedCode = packed
        self.digits = Self.nonTwoDigitCurrencies[packed] ?? 2
    }

    /// The letters of `code` packed big-endian.
    private static func pack(_ code: String) -> UInt32 { code.utf8.reduce(0) { $0 << 8 | UInt32($1) } }

    /// The currency of three upper-case ASCII letters packed big-endian into the low 24
    /// bits (as the binary layout stores them); `nil` for anything else.
    init?(packedCode packed: UInt32) {
        guard packed >> 24 == 0, Self.isLetter(UInt8(truncatingIfNeeded: packed >> 16)),
              Self.isLetter(UInt8(truncatingIfNeeded: packed >> 8)), Self.isLetter(UInt8(truncatingIfNeeded: packed)) else { return nil }
        self.init(letters: packed)
    }

    private static func isLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }

    /// Orders currencies by their codes.
    static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.packedCode < rhs.packedCode }

    public static let usd = try! Currency("USD")
    public static let eur = try! Currency("EUR")
    public static let gbp = try! Currency("GBP")
    public static let jpy = try! Currency("JPY")

    public var description: String { code }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let code = try container.decode(String.self)
        do {
            try self.init(code)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }

    /// ISO 4217 currencies whose minor unit is not two digits, by packed code.
    private static let nonTwoDigitCurrencies: [UInt32: UInt8] = {
        let digits: [String: UInt8] = [
            "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
            "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
            "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
            "CLF": 4, "UYW": 4,
        ]
        return Dictionary(uniqueKeysWithValues: digits.map { code, digits in (pack(code), digits) })
    }()
}
