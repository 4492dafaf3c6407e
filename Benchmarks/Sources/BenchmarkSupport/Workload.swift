public import CustomerLedger
public import Foundation

/// The shared shape of every workload: 100,000 customers, ~200-byte JSON payloads, one
/// event type, customers drawn by a seeded generator so the ledger and its raw-LMDB
/// baseline put the same keys in the same order.
public enum Workload {
    public static let customerCount = 100_000
    public static let eventsPerTransaction = 1_000
    public static let eventType = "purchase.completed"
    /// Length of a customer id in bytes ("C2024" + 7 digits), as stored in records and keys.
    public static let customerIDLength = 12

    /// A 200-byte JSON document, the same for every event.
    public static let payload: Data = {
        let head = #"{"orderId":"O-20240501-000417","amount":{"value":"129.90","currency":"EUR"},"channel":"web","items":[{"sku":"SKU-1001","qty":1},{"sku":"SKU-2002","qty":2}],"note":""#
        let tail = #""}"#
        let filler = String(repeating: "x", count: 200 - head.utf8.count - tail.utf8.count)
        let text = head + filler + tail
        precondition(text.utf8.count == 200)
        return Data(text.utf8)
    }()

    public static func customerID(_ index: Int) -> String {
        let digits = String(index)
        return "C2024" + String(repeating: "0", count: 7 - digits.count) + digits
    }

    public static func stream(_ index: Int) -> StreamID {
        StreamID(stringLiteral: customerID(index))
    }

    public static func event() -> ProposedEvent {
        ProposedEvent(type: eventType, payload: payload)
    }

    /// Customer indices for `count` events, drawn uniformly from all customers.
    public static func customers(count: Int, using generator: inout SplitMix64) -> [Int] {
        (0..<count).map { _ in Int(generator.next() % UInt64(customerCount)) }
    }

    /// Groups one transaction's customers the way an atomic multi-stream append must:
    /// one ``StreamAppend`` per customer, in order of first appearance. Returns the
    /// customers in that grouped order too, so the raw loop puts in the ledger's order.
    public static func grouped(_ customers: [Int]) -> (order: [Int], appends: [StreamAppend]) {
        var slots: [Int: Int] = [:]
        var groups: [(customer: Int, count: Int)] = []
        for customer in customers {
            if let slot = slots[customer] {
                groups[slot].count += 1
            } else {
                slots[customer] = groups.count
                groups.append((customer, 1))
            }
        }
        var order: [Int] = []
        order.reserveCapacity(customers.count)
        var appends: [StreamAppend] = []
        appends.reserveCapacity(groups.count)
        for group in groups {
            order.append(contentsOf: repeatElement(group.customer, count: group.count))
            appends.append(StreamAppend(stream: stream(group.customer), events: (0..<group.count).map { _ in event() }))
        }
        return (order, appends)
    }

    /// One event per customer, in customer order, so that every customer has a stream
    /// (and stream number = index + 1) before anything is measured.
    public static func prefill(_ ledger: Ledger) async throws {
        let chunk = 10_000
        for start in stride(from: 0, to: customerCount, by: chunk) {
            let appends = (start..<min(start + chunk, customerCount)).map { StreamAppend(stream: stream($0), events: [event()]) }
            _ = try await ledger.append(appends)
        }
    }

    /// Events for single-event appends: each with its own (random) customer.
    public static func singleEvents(count: Int, using generator: inout SplitMix64) -> [(stream: StreamID, event: ProposedEvent)] {
        customers(count: count, using: &generator).map { (stream($0), event()) }
    }

    /// `concurrency` tasks append `batch` between them, one event per append call: task t
    /// appends events t, t + concurrency, t + 2·concurrency, …
    public static func appendConcurrently(
        _ batch: [(stream: StreamID, event: ProposedEvent)],
        to ledger: Ledger,
        concurrency: Int
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<concurrency {
                group.addTask {
                    for index in stride(from: task, to: batch.count, by: concurrency) {
                        try await ledger.append([batch[index].event], to: batch[index].stream)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Events in the scanned log.
    public static let scanCount = 1_000_000

    /// A ledger of ``scanCount`` events over random customers, 20,000 per transaction.
    /// Default (durable) options: `LMDBEventStore.Options` cannot be named through the
    /// `CustomerLedger` product, and with 50 commits durability costs little here.
    public static func buildScanLedger(_ folder: URL) async throws -> Ledger {
        let ledger = try Ledger.open(at: folder.path)
        var generator = SplitMix64(seed: 3)
        let chunk = 20_000
        for _ in 0..<(scanCount / chunk) {
            _ = try await ledger.append(grouped(customers(count: chunk, using: &generator)).appends)
        }
        return ledger
    }

    /// A new, empty folder under the system's temporary folder (on disk here, not tmpfs).
    public static func temporaryFolder(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-\(label)-\(UUID().uuidString)")
    }

    public static func remove(_ folder: URL?) {
        guard let folder else { return }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A small seeded generator (SplitMix64), so runs draw the same customers.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
