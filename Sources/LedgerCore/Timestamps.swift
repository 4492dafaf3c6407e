import Foundation

extension Date {
    /// Microseconds since 1970-01-01T00:00:00Z, the resolution the ledger stores; a date
    /// beyond what 64 bits of microseconds hold (about ±292,000 years) saturates instead of
    /// trapping (appends refuse such dates first: ``isStorable``).
    package var microsecondsSince1970: Int64 {
        Int64(exactly: (timeIntervalSince1970 * 1_000_000).rounded())
            ?? (timeIntervalSince1970 > 0 ? .max : .min)
    }

    /// The times the ledger stores and exports exactly, in microseconds since 1970: the
    /// years 1 to 9999 (UTC, proleptic Gregorian). Appends refuse any other time, in
    /// `occurredAt` or in a built-in payload, and a read of a built-in payload takes one for
    /// damage.
    package static let storableMicroseconds: Range<Int64> = -62_135_596_800_000_000..<253_402_300_800_000_000

    /// Whether the date, at the microsecond the ledger would store, is in the years 1 to
    /// 9999 (UTC).
    package var isStorable: Bool { Self.storableMicroseconds.contains(microsecondsSince1970) }

    /// The date at a count of microseconds since 1970.
    package init(microsecondsSince1970 value: Int64) {
        self.init(timeIntervalSince1970: Double(value) / 1_000_000)
    }
}

/// A count of microseconds since 1970 as ISO 8601 UTC with six fractional digits, such as
/// `2024-05-01T10:00:00.000000Z`: the text form of the ledger's own resolution.
package func iso8601Microseconds(_ microseconds: Int64) -> String {
    let (seconds, fraction) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
    let wholeSeconds = fraction < 0 ? seconds - 1 : seconds
    let micros = fraction < 0 ? fraction + 1_000_000 : fraction
    let text = Date(timeIntervalSince1970: Double(wholeSeconds)).formatted(.iso8601)  // …:SSZ
    let digits = String(micros)
    return text.dropLast() + "." + String(repeating: "0", count: 6 - digits.count) + digits + "Z"
}
