import Foundation

extension Date {
    /// Microseconds since 1970-01-01T00:00:00Z, the resolution the ledger stores.
    package var microsecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The date at a count of microseconds since 1970.
    package init(microsecondsSince1970 value: Int64) {
        self.init(timeIntervalSince1970: Double(value) / 1_000_000)
    }
}
