public import Foundation

/// Calendar arithmetic in UTC, shared by the projections: every rule that says "90 days"
/// or "per quarter" means UTC days and quarters.
public enum TimeMath {
    /// Seconds in a day.
    public static let secondsPerDay: TimeInterval = 86_400

    /// The Gregorian calendar in UTC.
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Days from `start` to `end` as a fraction (negative when `end` is earlier).
    public static func days(from start: Date, to end: Date) -> Double {
        end.timeIntervalSince(start) / secondsPerDay
    }

    /// `date` moved by a number of days.
    public static func adding(days: Double, to date: Date) -> Date {
        date.addingTimeInterval(days * secondsPerDay)
    }

    /// The start of the UTC day holding `date`.
    public static func startOfDay(_ date: Date) -> Date {
        calendar.startOfDay(for: date)
    }

    /// The calendar quarter holding `date`.
    public static func quarter(of date: Date) -> Quarter {
        let components = calendar.dateComponents([.year, .month], from: date)
        return Quarter(year: components.year!, quarter: (components.month! - 1) / 3 + 1)
    }
}

/// A calendar quarter, such as 2024Q2.
public struct Quarter: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    /// 1–4.
    public var quarter: Int

    public init(year: Int, quarter: Int) {
        precondition((1...4).contains(quarter), "A quarter is 1–4")
        self.year = year
        self.quarter = quarter
    }

    /// Parses `2024Q2`.
    public init?(_ text: String) {
        let parts = text.uppercased().split(separator: "Q")
        guard parts.count == 2, let year = Int(parts[0]), let quarter = Int(parts[1]), (1...4).contains(quarter) else { return nil }
        self.init(year: year, quarter: quarter)
    }

    /// The first instant of the quarter (UTC).
    public var start: Date {
        TimeMath.calendar.date(from: DateComponents(year: year, month: (quarter - 1) * 3 + 1, day: 1))!
    }

    /// The first instant of the next quarter: the quarter is `start ..< end`.
    public var end: Date { next.start }

    public var next: Quarter { quarter == 4 ? Quarter(year: year + 1, quarter: 1) : Quarter(year: year, quarter: quarter + 1) }
    public var previous: Quarter { quarter == 1 ? Quarter(year: year - 1, quarter: 4) : Quarter(year: year, quarter: quarter - 1) }

    public var description: String { "\(year)Q\(quarter)" }

    public static func < (lhs: Quarter, rhs: Quarter) -> Bool { (lhs.year, lhs.quarter) < (rhs.year, rhs.quarter) }
}
