/// Latencies in a fixed amount of memory, whatever their number: 64 buckets per power of
/// two (as HdrHistogram does), so a percentile is within 1.6 % of the true value and a
/// load run of any length keeps its memory flat.
public struct LatencyHistogram: Sendable {
    /// Values below this are counted exactly.
    private static let exactBelow: UInt64 = 128
    private static let subBuckets = 64
    private var counts = [UInt64](repeating: 0, count: 128 + (64 - 7) * 64)
    /// How many values were recorded.
    public private(set) var count: UInt64 = 0
    /// The largest value recorded, exactly (nanoseconds).
    public private(set) var max: UInt64 = 0

    /// An empty histogram.
    public init() {}

    /// Records one latency.
    public mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds < 0 ? 0 : UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
        record(nanoseconds: nanoseconds)
    }

    /// Records one latency in nanoseconds.
    public mutating func record(nanoseconds value: UInt64) {
        counts[Self.bucket(of: value)] += 1
        count += 1
        max = Swift.max(max, value)
    }

    /// Adds another histogram's values (each task keeps its own, merged at the end).
    public mutating func add(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        count += other.count
        max = Swift.max(max, other.max)
    }

    /// The value below or at which `percent` % of the recorded values lie (nanoseconds):
    /// the upper end of that value's bucket, and never above the largest value recorded.
    public func percentile(_ percent: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, UInt64((percent / 100 * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank { return Swift.min(Self.upperBound(of: index), max) }
        }
        return max
    }

    static func bucket(of value: UInt64) -> Int {
        guard value >= exactBelow else { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // 7…63
        let sub = Int(value >> UInt64(exponent - 6)) & (subBuckets - 1)
        return Int(exactBelow) + (exponent - 7) * subBuckets + sub
    }

    static func upperBound(of bucket: Int) -> UInt64 {
        guard bucket >= Int(exactBelow) else { return UInt64(bucket) }
        let exponent = (bucket - Int(exactBelow)) / subBuckets + 7
        let sub = UInt64((bucket - Int(exactBelow)) % subBuckets)
        let width = UInt64(1) << UInt64(exponent - 6)
        let low = (UInt64(1) << UInt64(exponent)) + sub * width
        return low &+ (width - 1)
    }
}
