import CustomerLedger
import Foundation

/// The shared shape of every workload: 100,000 customers, ~200-byte JSON payloads, one
/// event type, customers drawn by a seeded generator so the ledger and its raw-LMDB
/// baseline put the same keys in the same order.
enum Workload {
    static let customerCount = 100_000
    static let eventsPerTransaction = 1_000
    static let eventType = "purchase.completed"
    /// Length of a customer id in bytes ("C2024" + 7 digits), as stored in records and keys.
    static let customerIDLength = 12

    /// A 200-byte JSON document, the same for every event.
    static let payload: Data = {
        let head = #"{"orderId":"O-20240501-000417","amount":{"value":"129.90","currency":"EUR"},"channel":"web","items":[{"sku":"SKU-1001","qty":1},{"sku":"SKU-2002","qty":2}],"note":""#
        let tail = #""}"#
        let filler = String(repeating: "x", count: 200 - head.utf8.count - tail.utf8.count)
        let text = head + filler + tail
        precondition(text.utf8.count == 200)
        return Data(text.utf8)
    }()

    static func customerID(_ index: Int) -> String {
        let digits = String(index)
        return "C2024" + String(repeating: "0", count: 7 - digits.count) + digits
    }

    static func stream(_ index: Int) -> StreamID {
        StreamID(stringLiteral: customerID(index))
    }

    static func event() -> ProposedEvent {
        ProposedEvent(type: eventType, payload: payload)
    }

    /// Customer indices for `count` events, drawn uniformly from all customers.
    static func customers(count: Int, using generator: inout SplitMix64) -> [Int] {
        (0..<count).map { _ in Int(generator.next() % UInt64(customerCount)) }
    }

    /// Groups one transaction's customers the way an atomic multi-stream append must:
    /// one ``StreamAppend`` per customer, in order of first appearance. Returns the
    /// customers in that grouped order too, so the raw loop puts in the ledger's order.
    static func grouped(_ customers: [Int]) -> (order: [Int], appends: [StreamAppend]) {
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
    static func prefill(_ ledger: Ledger) async throws {
        let chunk = 10_000
        for start in stride(from: 0, to: customerCount, by: chunk) {
            let appends = (start..<min(start + chunk, customerCount)).map { StreamAppend(stream: stream($0), events: [event()]) }
            _ = try await ledger.append(appends)
        }
    }

    /// A new, empty folder under the system's temporary folder (on disk here, not tmpfs).
    static func temporaryFolder(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-\(label)-\(UUID().uuidString)")
    }

    static func remove(_ folder: URL?) {
        guard let folder else { return }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A small seeded generator (SplitMix64), so runs draw the same customers.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
