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
