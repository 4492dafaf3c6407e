public import Foundation

/// The bucket size of a satisfaction trend; buckets are UTC calendar periods.
public enum SatisfactionInterval: String, Codable, Sendable, Hashable, CaseIterable {
    /// UTC days.
    case day
    /// ISO weeks, Monday 00:00 UTC to the next Monday.
    case week
    /// Calendar months.
    case month
    /// Calendar quarters.
    case quarter

    /// The first instant of the bucket holding `date`.
    public func start(of date: Date) -> Date {
        let calendar = TimeMath.calendar
        switch self {
        case .day:
            return TimeMath.startOfDay(date)
        case .week:
            let weekday = calendar.component(.weekday, from: date)  // 1 = Sunday … 7 = Saturday
            let daysSinceMonday = (weekday + 5) % 7
            return TimeMath.startOfDay(date).addingTimeInterval(-TimeMath.secondsPerDay * Double(daysSinceMonday))
        case .month:
            return calendar.date(from: calendar.dateComponents([.year, .month], from: date))!
        case .quarter:
            return TimeMath.quarter(of: date).start
        }
    }

    /// The first instant after the bucket that starts at `start`.
    public func end(ofBucketStartingAt start: Date) -> Date {
        switch self {
        case .day: start.addingTimeInterval(TimeMath.secondsPerDay)
        case .week: start.addingTimeInterval(7 * TimeMath.secondsPerDay)
        case .month: TimeMath.calendar.date(byAdding: .month, value: 1, to: start)!
        case .quarter: TimeMath.quarter(of: start).end
        }
    }
}

/// One bucket of a satisfaction trend: each customer's latest response of each kind in
/// the bucket.
public struct SatisfactionTrendPoint: Sendable, Hashable {
    /// The bucket's first instant.
    public var start: Date
    /// The first instant after it.
    public var end: Date
    /// The score per kind (every kind present; empty when nobody answered).
    public var scores: [SurveyKind: SatisfactionScore]

    /// Builds the value from its parts (projections build it for you).
    public init(start: Date, end: Date, scores: [SurveyKind: SatisfactionScore]) {
        self.start = start
        self.end = end
        self.scores = scores
    }
}
