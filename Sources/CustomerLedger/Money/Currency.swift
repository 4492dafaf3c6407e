public import LedgerCore

/// An ISO 4217 currency code with its number of minor-unit digits.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The three-letter code, such as `USD`.
    public let code: String
    /// Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    public let minorUnitDigits: Int

    /// A currency by its ISO 4217 code. Codes in ISO 4217 whose minor unit is not 2 are
    /// known by the table below; any other three upper-case letters get 2 decimals.
    /// - Throws: `LedgerError.Code.invalidInput` unless `code` is three
    ///   upper-case ASCII letters.
    public init(_ code: String) throws(LedgerError) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw LedgerError(.invalidInput, "Currency \(code.debugDescription) is not an ISO 4217 code: give three upper-case letters, like USD.")
        }
        self.code = code
        self.minorUnitDigits = Self.nonTwoDigitCurrencies[code] ?? 2
    }

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

    /// ISO 4217 currencies whose minor unit is not two digits.
    static let nonTwoDigitCurrencies: [String: Int] = [
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
        "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "CLF": 4, "UYW": 4,
    ]
}
