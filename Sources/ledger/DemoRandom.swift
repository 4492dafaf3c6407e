import CustomerLedger
import Foundation

/// The demo's random numbers: SplitMix64 from a fixed seed, with its own range, choice
/// and distribution arithmetic, so the data set is the same on every run, platform and
/// Swift version (the standard library's `random(in:using:)` algorithms may change). The
/// continuous distributions go through the C library's `log`, `exp` and `cos`, which are
/// deterministic on one machine; another C library could round a rare value differently.
struct DemoRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// A generator of its own for one part of the data set (a customer), so that each
    /// part draws the same numbers however the others change.
    init(seed: UInt64, stream: UInt64) {
        var mixer = DemoRandom(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `range` (the tiny modulo bias does not matter for demo data).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// A number in `range`.
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// True `percent` times in a hundred.
    mutating func chance(_ percent: Int) -> Bool {
        int(0...99) < percent
    }

    /// True with probability `probability` (0…1).
    mutating func chance(probability: Double) -> Bool {
        unit() < probability
    }

    /// A number in [0, 1) with 53 random bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A number in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// An exponentially distributed number with this mean.
    mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - unit())
    }

    /// A normally distributed number (Box–Muller).
    mutating func normal(mean: Double = 0, deviation: Double = 1) -> Double {
        let u = max(unit(), 1e-12)
        let v = unit()
        return mean + deviation * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// A log-normally distributed number whose median is `median`.
    mutating func logNormal(median: Double, spread: Double) -> Double {
        median * exp(normal(deviation: spread))
    }

    mutating func pick<Element>(_ items: [Element]) -> Element {
        items[int(0...(items.count - 1))]
    }

    /// One of `items`, each as likely as its weight.
    mutating func pick<Element>(weighted items: [(Element, Int)]) -> Element {
        let total = items.reduce(0) { $0 + $1.1 }
        var roll = int(0...(total - 1))
        for (item, weight) in items {
            if roll < weight { return item }
            roll -= weight
        }
        return items[items.count - 1].0
    }

    /// A UUIDv7 for an event at `date`: its millisecond timestamp, then random bits from
    /// this generator, so ids are deterministic and still time-ordered like the ledger's own.
    mutating func eventID(at date: Date) -> EventID {
        let milliseconds = UInt64(date.timeIntervalSince1970 * 1000)
        let high = next()
        let low = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: high >> 60)
        bytes[7] = UInt8(truncatingIfNeeded: high >> 52)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: low >> 58)
        for index in 9..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(15 - index))) }
        return EventID(UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        )))
    }
}
