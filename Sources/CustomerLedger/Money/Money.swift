public import LedgerCore

/// An exact amount of money: whole minor units (cents, pence, yen) and an ISO 4217
/// currency. Never a floating-point number.
///
/// In JSON an amount is a decimal string with exactly the currency's decimals or fewer
/// (`"12.30"`, `"12.3"`, `"12"` for USD; `"1500"` for JPY); more decimals than the
/// currency has is an error, never a rounding.
public struct Money: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The amount in minor units (for USD, cents).
    public var minorUnits: Int64
    /// The currency.
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses a decimal string such as `"12.30"` in `currency`.
    /// - Throws: `LedgerError.Code.invalidInput` for anything but an
    ///   optional minus sign, digits and at most the currency's number of decimals.
    public init(_ amount: String, _ currency: Currency) throws(LedgerError) {
        self.init(minorUnits: try Self.parse(amount, decimals: currency.minorUnitDigits, currency: currency), currency: currency)
    }

    /// Zero in `currency`.
    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// The amount as a decimal string with the currency's decimals, such as `"12.30"`.
    public var amountText: String {
        let digits = currency.minorUnitDigits
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        guard digits > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let fraction = String(magnitude % scale)
        return (negative ? "-" : "") + String(magnitude / scale) + "."
            + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    public var description: String { "\(amountText) \(currency)" }

    /// Orders amounts of one currency; amounts of different currencies order by currency.
    public static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.currency == rhs.currency ? lhs.minorUnits < rhs.minorUnits : lhs.currency < rhs.currency
    }

    static func parse(_ text: String, decimals: Int, currency: Currency) throws(LedgerError) -> Int64 {
        func invalid(_ why: String) -> LedgerError {
            LedgerError(.invalidInput, "Amount \(text.debugDescription) in \(currency) \(why).")
        }
        var bytes = Array(text.utf8)
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes.removeFirst()
        }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard !bytes.isEmpty, parts.count <= 2, !parts[0].isEmpty,
              parts.allSatisfy({ $0.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } })
        else {
            throw invalid("is not a decimal number: write it like \"12.30\"")
        }
        let fraction = parts.count == 2 ? Array(parts[1]) : []
        if parts.count == 2, fraction.isEmpty { throw invalid("ends with a decimal point") }
        guard fraction.count <= decimals else {
            throw invalid("has \(fraction.count) decimals, but \(currency.code) has \(decimals): amounts are exact, never rounded")
        }
        var value: Int64 = 0
        for digit in Array(parts[0]) + fraction + Array(repeating: UInt8(ascii: "0"), count: decimals - fraction.count) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw invalid("is too large") }
            value = sum
        }
        return negative ? -value : value
    }
}

extension Money {
    /// Adds amounts of the same currency; adding another currency is a programmer error.
    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "Adding \(rhs.currency) to \(lhs.currency)")
        return Money(minorUnits: lhs.minorUnits + rhs.minorUnits, currency: lhs.currency)
    }

    /// Subtracts amounts of the same currency.
    public static func - (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "Subtracting \(rhs.currency) from \(lhs.currency)")
        return Money(minorUnits: lhs.minorUnits - rhs.minorUnits, currency: lhs.currency)
    }
}
