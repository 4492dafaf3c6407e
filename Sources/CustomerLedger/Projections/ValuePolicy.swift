public import Foundation

/// The period RFM's frequency and monetary values cover, ending at the reference date.
public enum ValueWindow: Sendable, Hashable, Codable {
    /// Everything up to the reference date (the default).
    case allHistory
    /// The trailing number of days (of 86 400 seconds) up to and including the reference date.
    case days(Int)
    /// The trailing number of UTC calendar months up to and including the reference date.
    case months(Int)

    /// The window's start for a reference date (events after it count), or `nil` for
    /// all history.
    public func start(endingAt time: Date) -> Date? {
        switch self {
        case .allHistory: nil
        case .days(let count): time.addingTimeInterval(-TimeMath.secondsPerDay * Double(count))
        case .months(let count): TimeMath.calendar.date(byAdding: .month, value: -count, to: time)!
        }
    }
}

/// The choices behind RFM and lifetime value (domain.md §4, docs/domain-rules/value.md).
/// Every value result carries the policy that produced it.
///
/// Money is never converted between currencies: only purchases and refunds in
/// ``currency`` count, and the others are counted as left out in the result. A command
/// line can pass the ledger's most common currency
/// (``Ledger/mostCommonPurchaseCurrency(asOf:)``).
public struct ValuePolicy: Sendable, Hashable, Codable {
    /// The currency values are measured in. Default USD.
    public var currency: Currency
    /// The period RFM's recency, frequency and monetary values cover. Default all history.
    /// Historic lifetime value and the lifetimes model inputs always cover all history.
    public var window: ValueWindow

    /// A policy; every argument defaults to the documented default.
    public init(currency: Currency = .usd, window: ValueWindow = .allHistory) {
        if case .days(let count) = window { precondition(count >= 1, "A value window is at least one day") }
        if case .months(let count) = window { precondition(count >= 1, "A value window is at least one month") }
        self.currency = currency
        self.window = window
    }

    /// The defaults: USD, all history.
    public static let standard = ValuePolicy()
}
