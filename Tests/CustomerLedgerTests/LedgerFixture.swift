import CustomerLedger
import Foundation

/// A ledger in a fresh temporary folder, closed and removed when the test ends.
final class LedgerFixture {
    let folder: URL
    let ledger: Ledger

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("customer-ledger-tests-\(UUID().uuidString)")
        ledger = try Ledger.open(at: folder.appendingPathComponent("ledger").path)
    }

    deinit {
        ledger.close()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Dates for hand-worked examples: `day("2024-05-01")` is midnight UTC that day, and
/// `day("2024-05-01", hour: 10)` ten o'clock.
func day(_ text: String, hour: Int = 0) -> Date {
    let date = CalendarDate(text)!
    var components = DateComponents()
    components.timeZone = TimeZone(identifier: "UTC")
    components.year = date.year
    components.month = date.month
    components.day = date.day
    components.hour = hour
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: components)!
}

/// An amount in USD from a decimal string; the tests' literals are valid.
func usd(_ amount: String) -> Money {
    try! Money(amount, .usd)
}

/// A small deterministic generator (SplitMix64), so a failing test names a seed that
/// rebuilds its data.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    /// True `percent` times in a hundred.
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    /// One of `values`.
    mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
}
