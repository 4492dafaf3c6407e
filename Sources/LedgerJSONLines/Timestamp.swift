package import Foundation
import LedgerCore

/// The times of the JSON Lines format: ISO 8601 / RFC 3339 with a zone, read to the
/// microsecond and written in UTC with six fractional digits.
///
/// Read: `YYYY-MM-DDTHH:MM:SS`, optional `.` and 1–9 fractional digits (rounded to the
/// microsecond), then `Z` or `±HH:MM`. Written: `2024-05-01T10:00:00.000000Z`.
/// Both directions use whole microseconds, the resolution the ledger stores, so an
/// exported time reads back exactly.
package enum Timestamp {
    /// Why a text is not a time the format accepts.
    package struct Problem: Error, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }

        package init(reason: String) { self.reason = reason }
    }

    /// Reads a time, or says precisely what is wrong with it.
    package static func parse(_ text: String) throws(Problem) -> Date {
        Date(microsecondsSince1970: try microseconds(text))
    }

    /// Reads a time as microseconds since 1970-01-01T00:00:00Z.
    static func microseconds(_ text: String) throws(Problem) -> Int64 {
        var scanner = Scanner(Array(text.utf8))
        let year = try scanner.number(digits: 4, "a four-digit year at the start (like 2024-05-01T10:00:00Z)")
        try scanner.expect("-", "'-' after the year")
        let month = try scanner.number(digits: 2, "a two-digit month after the year")
        try scanner.expect("-", "'-' after the month")
        let day = try scanner.number(digits: 2, "a two-digit day after the month")
        if scanner.isAtEnd {
            throw Problem(reason: "has no time of day: give a time and a zone, like \(text)T10:00:00Z")
        }
        if scanner.peek == UInt8(ascii: " ") {
            throw Problem(reason: "has a space between date and time: use 'T', like 2024-05-01T10:00:00Z")
        }
        try scanner.expect("T", "'T' between the date and the time")
        let hour = try scanner.number(digits: 2, "a two-digit hour after 'T'")
        try scanner.expect(":", "':' after the hour")
        let minute = try scanner.number(digits: 2, "two-digit minutes after the hour")
        try scanner.expect(":", "':' and seconds after the minutes (HH:MM:SS)")
        let second = try scanner.number(digits: 2, "two-digit seconds after the minutes")
        var fraction: Int64 = 0
        if scanner.skip(".") {
            let digits = scanner.digits()
            guard !digits.isEmpty else { throw Problem(reason: "has a '.' with no fractional digits after the seconds") }
            guard digits.count <= 9 else { throw Problem(reason: "has more than 9 fractional digits") }
            let padded = digits + Array(repeating: 0, count: 9 - digits.count)
            let nanoseconds = padded.reduce(Int64(0)) { $0 * 10 + Int64($1) }
            fraction = (nanoseconds + 500) / 1000
        }
        let offsetMinutes: Int64
        switch scanner.peek {
        case UInt8(ascii: "Z"):
            _ = scanner.skip("Z")
            offsetMinutes = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = scanner.skip("-") ? -1 : 1
            _ = scanner.skip("+")
            let hours = try scanner.number(digits: 2, "a zone offset like +02:00")
            try scanner.expect(":", "a zone offset like +02:00 (with a colon)")
            let minutes = try scanner.number(digits: 2, "a zone offset like +02:00")
            guard hours <= 23, minutes <= 59 else { throw Problem(reason: "has a zone offset out of range (at most ±23:59)") }
            offsetMinutes = sign * (hours * 60 + minutes)
        case nil:
            throw Problem(reason: "has no time zone: add Z (UTC) or an offset like +02:00")
        default:
            throw Problem(reason: "has \(scanner.restDescription) where a time zone (Z or an offset like +02:00) belongs")
        }
        guard scanner.isAtEnd else {
            throw Problem(reason: "has extra characters \(scanner.restDescription) after the time zone")
        }
        guard (1...12).contains(month) else { throw Problem(reason: "has month \(month), not 1–12") }
        let monthLength = daysIn(month: month, year: year)
        guard (1...monthLength).contains(day) else {
            throw Problem(reason: "has day \(day), but that month has \(monthLength) days")
        }
        guard hour <= 23 else { throw Problem(reason: "has hour \(hour), not 00–23") }
        guard minute <= 59 else { throw Problem(reason: "has minute \(minute), not 00–59") }
        guard second <= 59 else { throw Problem(reason: "has second \(second), not 00–59 (leap seconds are not supported)") }
        let days = daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1_000_000 + fraction
    }

    /// Writes a time in UTC with six fractional digits (or none), such as `2024-05-01T10:00:00.000000Z`.
    /// A time beyond what 64 bits of microseconds hold (none the ledger stores) is written
    /// as the nearest that they hold, not a trap.
    package static func format(_ date: Date, fractionDigits: Bool = true) -> String {
        let micros = date.microsecondsSince1970
        let (days, dayMicros) = floorDivision(micros, 86_400_000_000)
        let (year, month, day) = civil(daysSince1970: days)
        let secondOfDay = dayMicros / 1_000_000
        var text = year >= 0 ? padded(year, 4) : "-" + padded(-year, 4)
        text += "-" + padded(month, 2) + "-" + padded(day, 2)
        text += "T" + padded(secondOfDay / 3_600, 2) + ":" + padded(secondOfDay / 60 % 60, 2) + ":" + padded(secondOfDay % 60, 2)
        if fractionDigits { text += "." + padded(dayMicros % 1_000_000, 6) }
        return text + "Z"
    }

    // MARK: Calendar arithmetic (proleptic Gregorian; H. Hinnant's civil-date algorithms)

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    package static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    package static func civil(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Reads the fixed layout byte by byte, naming what it expected where it stops.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index == bytes.count }
        var peek: UInt8? { isAtEnd ? nil : bytes[index] }

        var restDescription: String {
            String(decoding: bytes[index...], as: UTF8.self).debugDescription
        }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard peek == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func expect(_ character: Unicode.Scalar, _ expected: String) throws(Problem) {
            guard skip(character) else { throw unexpected(expected) }
        }

        mutating func number(digits count: Int, _ expected: String) throws(Problem) -> Int64 {
            var value: Int64 = 0
            for _ in 0..<count {
                guard let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                    throw unexpected(expected)
                }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                index += 1
            }
            return value
        }

        mutating func digits() -> [Int64] {
            var result: [Int64] = []
            while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                result.append(Int64(byte - UInt8(ascii: "0")))
                index += 1
            }
            return result
        }

        func unexpected(_ expected: String) -> Problem {
            guard let byte = peek else { return Problem(reason: "ends early: expected \(expected)") }
            let found = String(decoding: [byte], as: UTF8.self).debugDescription
            return Problem(reason: "has \(found) at character \(index + 1) where it expected \(expected)")
        }
    }
}
