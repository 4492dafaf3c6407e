public import CustomerLedger
import Foundation

/// Follows a log of ``FaultWorkload`` batches event by event, in memory that does not grow
/// with the events (one bit per batch), and names the first thing wrong: positions must
/// run 1, 2, 3… with no gap or repeat; a batch's events must come together, in index
/// order, whole, and each batch once. A digest of every position and id in order lets two
/// processes compare what they saw with one number.
public struct LogOrderCheck: Sendable {
    /// How many events batch `n` has.
    private let batchSize: @Sendable (Int) -> Int
    /// The last position seen.
    public private(set) var lastPosition: UInt64 = 0
    /// How many events were checked.
    public private(set) var events = 0
    /// How many distinct batches were seen.
    public private(set) var batches = 0
    /// The largest batch number seen, or -1.
    public private(set) var largestBatch = -1
    /// The first problem found; checking stops there.
    public private(set) var problem: String?
    /// FNV-1a over every position and id, in the order seen.
    public private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325
    private var seenBatches: [UInt64] = []
    private var currentBatch = -1
    private var currentCount = 0

    /// A check of batches whose size `batchSize` gives from their number.
    public init(batchSize: @escaping @Sendable (Int) -> Int) {
        self.batchSize = batchSize
    }

    /// Checks the next event; false once a problem has been found.
    @discardableResult
    public mutating func check(_ event: RecordedEvent) -> Bool {
        guard problem == nil else { return false }
        let position = event.position.rawValue
        guard position == lastPosition + 1 else {
            problem = "position \(position) follows \(lastPosition)"
            return false
        }
        lastPosition = position
        events += 1
        mix(position)
        withUnsafeBytes(of: event.id.uuid.uuid) { for byte in $0 { mixByte(byte) } }
        let batch = FaultWorkload.batch(of: event.id), index = FaultWorkload.index(of: event.id)
        if batch != currentBatch {
            guard finishBatch() else { return false }
            let word = batch / 64, bit = UInt64(1) << UInt64(batch % 64)
            if seenBatches.count <= word { seenBatches.append(contentsOf: repeatElement(0, count: word + 1 - seenBatches.count)) }
            guard seenBatches[word] & bit == 0 else {
                problem = "batch \(batch) appears again at position \(position)"
                return false
            }
            seenBatches[word] |= bit
            batches += 1
            largestBatch = max(largestBatch, batch)
            currentBatch = batch
            currentCount = 0
        }
        guard index == currentCount else {
            problem = "event \(index) of batch \(batch) at position \(position), where event \(currentCount) was due"
            return false
        }
        currentCount += 1
        return true
    }

    /// Ends the check: the last batch must be whole too. Returns the problem, if any.
    public mutating func finish() -> String? {
        _ = finishBatch()
        return problem
    }

    private mutating func finishBatch() -> Bool {
        guard problem == nil else { return false }
        if currentBatch >= 0, currentCount != batchSize(currentBatch) {
            problem = "batch \(currentBatch) has \(currentCount) of its \(batchSize(currentBatch)) events"
            return false
        }
        return true
    }

    private mutating func mix(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { for byte in $0 { mixByte(byte) } }
    }

    private mutating func mixByte(_ byte: UInt8) {
        digest = (digest ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
}
