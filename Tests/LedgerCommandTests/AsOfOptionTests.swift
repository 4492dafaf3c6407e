import CustomerLedger
import Foundation
import Testing

@testable import ledger
import LedgerJSONLines

/// The one rule for times on the command line (`--as-of`, `--to`, `--from`, `--known-at`).
@Suite struct AsOfOptionTests {
    /// Seconds since 1970 of a UTC wall-clock time.
    static func utc(_ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64 = 0, _ minute: Int64 = 0, _ second: Int64 = 0) -> Double {
        Double(Timestamp.daysSince1970(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second)
    }

    static let endOfDay = 86_400 - 0.000_001

    static let examples: [(String, Double)] = [
        // A date alone is the end of that day, UTC unless a zone follows.
        ("2024-06-30", utc(2024, 6, 30) + endOfDay),
        ("2024-06-30Z", utc(2024, 6, 30) + endOfDay),
        ("2024-02-29", utc(2024, 2, 29) + endOfDay),
        ("2024-12-31", utc(2024, 12, 31) + endOfDay),
        ("2024-06-30+02:00", utc(2024, 6, 30) + endOfDay - 7_200),
        ("2024-06-30-05:30", utc(2024, 6, 30) + endOfDay + 19_800),
        ("2024-06-30[Europe/Berlin]", utc(2024, 6, 30) + endOfDay - 7_200),  // summer time
        ("2024-01-15[Europe/Berlin]", utc(2024, 1, 15) + endOfDay - 3_600),
        ("2024-06-30[America/New_York]", utc(2024, 6, 30) + endOfDay + 14_400),
        ("2024-06-30[UTC]", utc(2024, 6, 30) + endOfDay),
        // A time with a zone is taken as it is.
        ("2024-06-30T12:00:00Z", utc(2024, 6, 30, 12)),
        ("2024-06-30T12:00:00+02:00", utc(2024, 6, 30, 10)),
        ("2024-06-30T12:00:00.5Z", utc(2024, 6, 30, 12) + 0.5),
        ("2024-06-30T12:00:00[Europe/Berlin]", utc(2024, 6, 30, 10)),
    ]

    @Test(arguments: examples)
    func datesAndTimes(text: String, expected: Double) throws {
        let date = try PointInTime.parse(text)
        #expect(abs(date.timeIntervalSince1970 - expected) < 0.000_000_5, "\(text): \(Timestamp.format(date))")
    }

    @Test func theEndOfADayIsItsLastMicrosecond() throws {
        let end = try PointInTime.parse("2024-06-30")
        #expect(Timestamp.format(end) == "2024-06-30T23:59:59.999999Z")
        #expect(end < (try PointInTime.parse("2024-07-01T00:00:00Z")))
        #expect(end > (try PointInTime.parse("2024-06-30T23:59:59.999998Z")))
    }

    @Test func whereARangeStartsADateAloneIsTheStartOfTheDay() throws {
        #expect(Timestamp.format(try PointInTime.parse("2024-06-30", dateAlone: .start)) == "2024-06-30T00:00:00.000000Z")
        #expect(Timestamp.format(try PointInTime.parse("2024-06-30+02:00", dateAlone: .start)) == "2024-06-29T22:00:00.000000Z")
        #expect(Timestamp.format(try PointInTime.parse("2024-06-30T12:00:00Z", dateAlone: .start)) == "2024-06-30T12:00:00.000000Z")
    }

    @Test(arguments: [
        ("", "is empty"),
        ("yesterday", "is not a date"),
        ("2024-13-01", "is not a date"),
        ("2024-02-30", "is not a date"),
        ("2024-6-30", "is not a date"),
        ("2024-06-30T12:00:00", "has no time zone"),
        ("2024-06-30 12:00", "after the date"),
        ("2024-06-30+25:00", "out of range"),
        ("2024-06-30[Mars/Olympus]", "unknown time zone"),
        ("2024-06-30T12:00:00Z[Europe/Berlin]", "both an offset and a zone"),
    ])
    func badInputsSayWhatIsWrong(text: String, fragment: String) {
        #expect {
            _ = try PointInTime.parse(text, option: "--as-of")
        } throws: { error in
            let message = (error as? CommandFailure)?.message ?? ""
            return message.hasPrefix("--as-of ") && message.contains(fragment) && message.contains("2024-06-30T12:00:00Z")
        }
    }

    @Test(arguments: [("2024Q2", 2024, 2), ("2025q4", 2025, 4), ("1999Q1", 1999, 1)])
    func quarters(text: String, year: Int, quarter: Int) throws {
        #expect(try QuarterArgument.parse(text) == Quarter(year: year, quarter: quarter))
    }

    @Test(arguments: ["2024Q5", "2024Q0", "Q2", "2024-Q2", "24Q2", "2024Q2Q", "2024"])
    func badQuarters(text: String) {
        #expect(throws: CommandFailure.self) { try QuarterArgument.parse(text) }
    }

    @Test func knownAtIsAPositionOrATime() throws {
        #expect(try ViewOptions.knownAt("1200") == .position(LogPosition(1200)))
        #expect(try ViewOptions.knownAt("2024-06-30") == .recordedAt(try PointInTime.parse("2024-06-30")))
        #expect(try ViewOptions.knownAt(nil) == .everything)
        #expect(throws: CommandFailure.self) { try ViewOptions.knownAt("99999999999999999999999") }
        #expect(throws: CommandFailure.self) { try ViewOptions.knownAt("soon") }
        let now = Date()
        #expect(try ViewOptions.asOf(nil, knownAt: nil, now: now).time == now)
        #expect(Timestamp.format(try ViewOptions.asOf("2024-06-30", knownAt: nil).time) == "2024-06-30T23:59:59.999999Z")
    }
}
