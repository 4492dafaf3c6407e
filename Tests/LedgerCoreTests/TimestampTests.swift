import Foundation
@testable import LedgerCore
import Testing

/// The microsecond a `Date` stands for, and the `Date` a microsecond stands for.
@Suite struct TimestampTests {
    /// Where a `Date` (seconds since 2001 in a `Double`) tells microseconds apart: each
    /// microsecond comes back from its date exactly.
    @Test func everyMicrosecondComesBackFromItsDateBetween1729And2273() {
        var generator = SystemRandomNumberGenerator()
        let low = Int64(-7_573_000_000) * 1_000_000   // 1730
        let high = Int64(9_560_000_000) * 1_000_000   // 2272
        for _ in 0..<200_000 {
            let micros = Int64.random(in: low...high, using: &generator)
            #expect(Date(microsecondsSince1970: micros).microsecondsSince1970 == micros)
        }
    }

    /// The fuzzer's find (2106-11-05T11:18:54.823569Z, from a follow-up's due time): going
    /// through `timeIntervalSince1970 * 1_000_000` gave 823570, so an exported and
    /// imported event was stored a microsecond later.
    @Test func theMicrosecondTheFuzzerFoundIsKept() {
        let micros: Int64 = 4_318_399_134_823_569
        #expect(Date(microsecondsSince1970: micros).microsecondsSince1970 == micros)
    }

    /// Far from 2001 a `Date` holds fewer digits than microseconds: there the nearest
    /// microsecond of the nearest date stands for the same date, so a time read, written and
    /// read again does not drift.
    @Test func farFromTheReferenceDateTheNearestMicrosecondKeepsItsDate() {
        var generator = SystemRandomNumberGenerator()
        for range in [Int64(-62_135_596_800)...(-7_600_000_000), Int64(9_600_000_000)...253_402_300_799] {
            for _ in 0..<100_000 {
                let micros = Int64.random(in: range, using: &generator) * 1_000_000 + Int64.random(in: 0..<1_000_000, using: &generator)
                let date = Date(microsecondsSince1970: micros)
                #expect(Date(microsecondsSince1970: date.microsecondsSince1970) == date)
                #expect(abs(date.microsecondsSince1970 - micros) <= 16)
            }
        }
    }

    @Test func wholeSecondsAndTheEdgesOfTheStorableYears() {
        for micros: Int64 in [0, -1, 1, -1_000_000, 999_999, -62_135_596_800_000_000, 253_402_300_799_000_000] {
            #expect(Date(microsecondsSince1970: micros).microsecondsSince1970 == micros)
        }
        #expect(Date(timeIntervalSince1970: 1e300).microsecondsSince1970 == .max)
        #expect(Date(timeIntervalSince1970: -1e300).microsecondsSince1970 == .min)
        #expect(Date(timeIntervalSinceReferenceDate: .nan).microsecondsSince1970 == .min)
    }

    /// The text form of digests and backup manifests reads back what it writes, and nothing else.
    @Test func theMicrosecondTextReadsBackWhatItWrites() {
        for micros: Int64 in [0, 1, -1, 1_714_557_600_250_000, -62_135_596_800_000_000, 253_402_300_799_999_999] {
            #expect(microseconds(iso8601: iso8601Microseconds(micros)) == micros)
        }
        #expect(microseconds(iso8601: "2024-05-01T10:00:00Z") == 1_714_557_600_000_000)
        #expect(microseconds(iso8601: "2024-05-01T10:00:00.25Z") == 1_714_557_600_250_000)
        for bad in ["", "2024-05-01T10:00:00", "2024-05-01T10:00:00.Z", "2024-05-01T10:00:00.1234567Z", "2024-05-01T10:00:00.12a4Z", "yesterday"] {
            #expect(microseconds(iso8601: bad) == nil, "\(bad)")
        }
    }
}
