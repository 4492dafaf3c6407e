import ArgumentParser
import CustomerLedger
import Foundation
import LedgerJSONLines

/// The options every domain view takes (`profile`, `lifecycle`, `rfm`, …): where the
/// ledger is, the point of view (`--as-of`, `--known-at`) and the output form (`--json`).
struct ViewOptions: ParsableArguments {
    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "Look at the ledger as of this time (default: now). A date alone means the end of that day, UTC unless a zone follows: 2024-06-30, 2024-06-30+02:00, 2024-06-30[Europe/Berlin]; or a time with a zone: 2024-06-30T12:00:00Z.",
            valueName: "date"
        )
    )
    var asOfText: String?

    @Option(
        name: .customLong("known-at"),
        help: ArgumentHelp(
            "Only what the ledger had recorded by then: a log position (such as 1200), or a time written like --as-of.",
            valueName: "position|date"
        )
    )
    var knownAtText: String?

    @Flag(help: "Print one JSON document instead of tables.")
    var json = false

    /// The point of view the options give; `now` when no `--as-of`.
    func asOf(now: Date = Date()) throws(CommandFailure) -> AsOf {
        try Self.asOf(asOfText, knownAt: knownAtText, now: now)
    }

    /// The point of view of `--as-of` and `--known-at` texts.
    static func asOf(_ asOfText: String?, knownAt knownAtText: String?, now: Date = Date()) throws(CommandFailure) -> AsOf {
        let time = try asOfText.map { text throws(CommandFailure) in try PointInTime.parse(text, option: "--as-of") } ?? now
        return AsOf(time: time, knownAt: try knownAt(knownAtText))
    }

    /// `--known-at` as a bound on the log: a position, or a recordedAt time.
    static func knownAt(_ text: String?) throws(CommandFailure) -> AsOf.KnownAt {
        guard let text else { return .everything }
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let position = UInt64(text) else {
                throw CommandFailure("--known-at \(text) is not a log position: it is too large.")
            }
            return .position(LogPosition(position))
        }
        return .recordedAt(try PointInTime.parse(text, option: "--known-at"))
    }
}

/// The one rule for times given on the command line.
///
/// - A date alone (`2024-06-30`) means the END of that day, 23:59:59.999999, so that
///   "as of 30 June" includes everything that happened on 30 June. It is a UTC day unless
///   a zone follows: `2024-06-30Z`, `2024-06-30+02:00` or `2024-06-30[Europe/Berlin]`.
///   Where a range starts (`--from`), a date alone means the START of the day instead.
/// - A full ISO 8601 time with a zone (`2024-06-30T12:00:00Z`, `…+02:00`) is taken as it
///   is; a local time may name its zone in brackets (`2024-06-30T12:00:00[Europe/Berlin]`).
enum PointInTime {
    /// Which end of its day a date without a time stands for.
    enum DayEnd {
        case start, end
    }

    /// Reads `text`; a failure names `option` and says what to write instead.
    static func parse(_ text: String, option: String, dateAlone: DayEnd = .end) throws(CommandFailure) -> Date {
        do {
            return try parse(text, dateAlone: dateAlone)
        } catch {
            throw CommandFailure("\(option) \(text.debugDescription) \(error.reason): \(example)")
        }
    }

    static let example = "give a date such as 2024-06-30 (the end of that day, UTC), 2024-06-30+02:00 or 2024-06-30[Europe/Berlin], or a time with a zone such as 2024-06-30T12:00:00Z."

    /// Reads `text` or says what is wrong with it.
    static func parse(_ text: String, dateAlone: DayEnd = .end) throws(Timestamp.Problem) -> Date {
        var text = text
        var zone: TimeZone?
        if text.hasSuffix("]"), let open = text.lastIndex(of: "[") {
            let name = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            guard let named = TimeZone(identifier: name) else {
                throw Timestamp.Problem(reason: "names an unknown time zone \(name.debugDescription)")
            }
            zone = named
            text = String(text[..<open])
        }
        let bytes = Array(text.utf8)
        guard bytes.count >= 10 else {
            throw Timestamp.Problem(reason: bytes.isEmpty ? "is empty" : "is not a date")
        }
        if bytes.count > 10, bytes[10] == UInt8(ascii: "T") {
            guard let zone else { return try Timestamp.parse(text) }
            // A local time in a named zone: read the wall clock as if it were UTC, then shift.
            if let last = bytes.last, last == UInt8(ascii: "Z") || bytes.suffix(6).first.map({ $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) == true {
                throw Timestamp.Problem(reason: "gives both an offset and a zone name")
            }
            return local(try Timestamp.parse(text + "Z"), in: zone)
        }
        let dayText = String(decoding: bytes[0..<10], as: UTF8.self)
        guard let day = CalendarDate(dayText) else {
            throw Timestamp.Problem(reason: "is not a date (year-month-day, with a real month and day)")
        }
        let suffix = String(decoding: bytes[10...], as: UTF8.self)
        let midnightUTC = Double(Timestamp.daysSince1970(year: Int64(day.year), month: Int64(day.month), day: Int64(day.day)) * 86_400)
        let start: Date
        let next: Date
        if let zone {
            guard suffix.isEmpty else { throw Timestamp.Problem(reason: "gives both an offset and a zone name") }
            start = local(Date(timeIntervalSince1970: midnightUTC), in: zone)
            next = local(Date(timeIntervalSince1970: midnightUTC + 86_400), in: zone)
        } else {
            let offset = try offsetSeconds(suffix)
            start = Date(timeIntervalSince1970: midnightUTC - offset)
            next = Date(timeIntervalSince1970: midnightUTC + 86_400 - offset)
        }
        switch dateAlone {
        case .start: return start
        case .end: return Date(timeIntervalSince1970: next.timeIntervalSince1970 - 0.000_001)
        }
    }

    /// The zone offset after a date alone: nothing or `Z` (UTC), or `±HH:MM`.
    private static func offsetSeconds(_ suffix: String) throws(Timestamp.Problem) -> Double {
        if suffix.isEmpty || suffix == "Z" { return 0 }
        let bytes = Array(suffix.utf8)
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: ":"),
              let hours = Int(String(decoding: bytes[1..<3], as: UTF8.self)),
              let minutes = Int(String(decoding: bytes[4..<6], as: UTF8.self)),
              bytes[1..<3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              bytes[4..<6].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            throw Timestamp.Problem(reason: "has \(suffix.debugDescription) after the date, where only a time (T…), Z, an offset like +02:00 or a zone like [Europe/Berlin] may follow")
        }
        guard hours <= 23, minutes <= 59 else { throw Timestamp.Problem(reason: "has a zone offset out of range (at most ±23:59)") }
        return Double(bytes[0] == UInt8(ascii: "-") ? -1 : 1) * Double(hours * 3_600 + minutes * 60)
    }

    /// The instant at which clocks in `zone` show `wall` (a wall-clock time read as UTC).
    private static func local(_ wall: Date, in zone: TimeZone) -> Date {
        let firstGuess = wall.addingTimeInterval(-Double(zone.secondsFromGMT(for: wall)))
        return wall.addingTimeInterval(-Double(zone.secondsFromGMT(for: firstGuess)))
    }
}

/// `--quarter 2024Q2`.
enum QuarterArgument {
    /// Reads `2024Q2` (or `2024q2`).
    static func parse(_ text: String) throws(CommandFailure) -> Quarter {
        let bytes = Array(text.utf8)
        guard bytes.count == 6, bytes[4] == UInt8(ascii: "Q") || bytes[4] == UInt8(ascii: "q"),
              bytes[0..<4].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let quarter = Quarter(text)
        else {
            throw CommandFailure("--quarter \(text.debugDescription) is not a quarter: give a year, Q and 1–4, like 2024Q2.")
        }
        return quarter
    }
}

/// `--from`/`--to`: a period; a date alone is the start of its day for `--from` and the
/// end of its day for `--to`.
struct PeriodOptions: ParsableArguments {
    @Option(
        name: .customLong("from"),
        help: ArgumentHelp("Start of the period (inclusive); a date alone means the start of that day.", valueName: "date")
    )
    var fromText: String?

    @Option(
        name: .customLong("to"),
        help: ArgumentHelp("End of the period (inclusive); a date alone means the end of that day. Default: --as-of.", valueName: "date")
    )
    var toText: String?

    /// The period as a half-open range (one microsecond past an inclusive `--to`), or
    /// `nil` when neither bound is given; a missing bound is open.
    func range() throws(CommandFailure) -> Range<Date>? {
        guard fromText != nil || toText != nil else { return nil }
        let from = try fromText.map { text throws(CommandFailure) in try PointInTime.parse(text, option: "--from", dateAlone: .start) } ?? .distantPast
        let to = try toText.map { text throws(CommandFailure) in try PointInTime.parse(text, option: "--to") } ?? .distantFuture
        guard from <= to else {
            throw CommandFailure("--from \(Timestamp.format(from)) is after --to \(Timestamp.format(to)): give a period that starts before it ends.")
        }
        return from..<to.addingTimeInterval(0.000_001)
    }

    /// The period's bounds: `to` defaults to `asOf`, `from` to `defaultLength` before `to`.
    func period(asOf: Date, defaultDays: Double) throws(CommandFailure) -> (from: Date, to: Date) {
        let to = try toText.map { text throws(CommandFailure) in try PointInTime.parse(text, option: "--to") } ?? asOf
        let from = try fromText.map { text throws(CommandFailure) in try PointInTime.parse(text, option: "--from", dateAlone: .start) }
            ?? to.addingTimeInterval(-defaultDays * 86_400)
        guard from <= to else {
            throw CommandFailure("--from \(Timestamp.format(from)) is after --to \(Timestamp.format(to)): give a period that starts before it ends.")
        }
        return (from, to)
    }
}
