import Foundation

extension Date {
    /// Microseconds since 1970-01-01T00:00:00Z, the resolution the ledger stores: the
    /// microsecond nearest the date. A date beyond about ±285,000 years (near the end of what 64
    /// bits of microseconds hold) saturates instead of trapping (appends refuse such dates first:
    /// ``isStorable``).
    ///
    /// Computed from the date's own value (seconds since 2001) split into whole seconds and
    /// a fraction, both exact, so the only rounding is the last one: a date made by
    /// ``init(microsecondsSince1970:)`` gives its microsecond back up to the year 2273,
    /// where a `Date` stops telling microseconds apart. (Going through
    /// `timeIntervalSince1970 * 1_000_000` rounds three times and can be a microsecond
    /// off from about the year 2100.)
    package var microsecondsSince1970: Int64 {
        let interval = timeIntervalSinceReferenceDate
        let seconds = interval.rounded(.down)
        // NaN fails the comparison too.
        guard abs(seconds) < 9_000_000_000_000 else { return interval > 0 ? .max : .min }
        let micros = Int64(((interval - seconds) * 1_000_000).rounded())
        return (Int64(seconds) + Self.referenceSecondsSince1970) * 1_000_000 + micros
    }

    /// Seconds from 1970-01-01 to 2001-01-01, `Date`'s reference date.
    private static let referenceSecondsSince1970: Int64 = 978_307_200

    /// The times the ledger stores and exports exactly, in microseconds since 1970: the
    /// years 1 to 9999 (UTC, proleptic Gregorian). Appends refuse any other time, in
    /// `occurredAt` or in a built-in payload, and a read of a built-in payload takes one for
    /// damage.
    package static let storableMicroseconds: Range<Int64> = -62_135_596_800_000_000..<253_402_300_800_000_000

    /// Whether the date, at the microsecond the ledger would store, is in the years 1 to
    /// 9999 (UTC).
    package var isStorable: Bool { Self.storableMicroseconds.contains(microsecondsSince1970) }

    /// The date nearest a count of microseconds since 1970 (exactly that microsecond again
    /// through ``microsecondsSince1970`` up to the year 2273).
    package init(microsecondsSince1970 value: Int64) {
        let (sinceReference, overflow) = value.subtractingReportingOverflow(Self.referenceMicrosecondsSince1970)
        if !overflow, sinceReference.magnitude < 1 << 53 {
            // 1716–2286, almost every time a ledger holds: the count converts exactly, and
            // one correctly rounded division gives the nearest date (every read decodes a few
            // dates per event, so this is on the replay path).
            self.init(timeIntervalSinceReferenceDate: Double(sinceReference) / 1_000_000)
        } else {
            // Whole seconds and the fraction apart: both exact, one rounding in the sum.
            let (seconds, fraction) = value.quotientAndRemainder(dividingBy: 1_000_000)
            let (whole, micros) = fraction < 0 ? (seconds - 1, fraction + 1_000_000) : (seconds, fraction)
            self.init(timeIntervalSinceReferenceDate: Double(whole - Self.referenceSecondsSince1970) + Double(micros) / 1_000_000)
        }
    }

    /// Microseconds from 1970-01-01 to 2001-01-01.
    private static let referenceMicrosecondsSince1970 = referenceSecondsSince1970 * 1_000_000
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

/// Reads what ``iso8601Microseconds(_:)`` writes, `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` in UTC
/// with none or 1–6 fractional digits, as microseconds since 1970; `nil` for any other text.
package func microseconds(iso8601 text: String) -> Int64? {
    guard text.hasSuffix("Z") else { return nil }
    let parts = text.dropLast().split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard let seconds = try? Date(String(parts[0]) + "Z", strategy: .iso8601) else { return nil }
    var fraction: Int64 = 0
    if parts.count == 2 {
        let digits = Array(parts[1].utf8)
        guard (1...6).contains(digits.count), digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        for index in 0..<6 { fraction = fraction * 10 + (index < digits.count ? Int64(digits[index] - 48) : 0) }
    }
    return Int64(seconds.timeIntervalSince1970.rounded()) * 1_000_000 + fraction
}
