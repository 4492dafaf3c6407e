public import CustomerLedger
import Foundation

/// Typed customer histories for the domain benchmarks: every customer gets a registration
/// and then a realistic mix of interactions, purchases, refunds, surveys and follow-ups
/// over two years, 50 events each.
public enum DomainWorkload {
    public static let eventsPerCustomer = 50
    static let start = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01
    static let span: TimeInterval = 2 * 365 * 86_400

    /// The id of customer `index` in a ledger built with `prefix`.
    public static func customer(_ index: Int, prefix: String = "D") -> StreamID {
        let digits = String(index)
        return StreamID(stringLiteral: prefix + String(repeating: "0", count: max(0, 9 - digits.count)) + digits)
    }

    /// One customer's 50 events, in time order, drawn from `generator`.
    public static func history(of index: Int, using generator: inout SplitMix64) throws -> [ProposedEvent] {
        var events: [ProposedEvent] = []
        events.reserveCapacity(eventsPerCustomer)
        var time = start.addingTimeInterval(Double(generator.next() % 864_000))
        let step = span / Double(eventsPerCustomer)
        events.append(try ProposedEvent(
            CustomerRegistered(traits: CustomerTraits(kind: index % 5 == 0 ? .company : .person, name: "Customer \(index)", city: "Berlin")),
            occurredAt: time
        ))
        var orders = 0
        for slot in 1..<eventsPerCustomer {
            time = time.addingTimeInterval(step * Double(generator.next() % 100 + 1) / 100)
            let roll = generator.next() % 100
            let payload: any CustomerEventPayload
            switch roll {
            case 0..<30:
                orders += 1
                payload = PurchaseCompleted(
                    orderId: "O-\(index)-\(orders)",
                    amount: Money(minorUnits: Int64(500 + generator.next() % 50_000), currency: .eur),
                    channel: roll % 2 == 0 ? "web" : "store"
                )
            case 30..<34 where orders > 0:
                payload = RefundIssued(orderId: "O-\(index)-\(orders)", amount: Money(minorUnits: Int64(100 + generator.next() % 2_000), currency: .eur))
            case 34..<44:
                let kind = SurveyKind.allCases[Int(generator.next() % 3)]
                payload = SurveyAnswered(
                    surveyId: "S-\(slot)", kind: kind,
                    score: kind.scale.lowerBound + Int(generator.next() % UInt64(kind.scale.count)),
                    channel: "email"
                )
            case 44..<48:
                payload = FollowUpCompleted(interactionId: "I-\(index)-\(slot - 1)", outcome: "done")
            default:
                let channel = Channel.allCases[Int(generator.next() % UInt64(Channel.allCases.count))]
                let due = roll % 3 == 0 ? NextAction(description: "call back", dueAt: time.addingTimeInterval(3 * 86_400)) : nil
                payload = InteractionRecorded(
                    interactionId: "I-\(index)-\(slot)", channel: channel, direction: roll % 2 == 0 ? .inbound : .outbound,
                    subject: "Question about order", agent: "agent-\(generator.next() % 20)", nextAction: due
                )
            }
            events.append(try ProposedEvent(payload, occurredAt: time))
        }
        return events
    }

    /// Appends `customers` customers' histories (customer ids from `first`), 100 customers
    /// per atomic append.
    public static func fill(_ ledger: Ledger, customers: Range<Int>, prefix: String = "D", seed: UInt64) async throws {
        var generator = SplitMix64(seed: seed)
        var batch: [StreamAppend] = []
        for index in customers {
            batch.append(StreamAppend(stream: customer(index, prefix: prefix), events: try history(of: index, using: &generator)))
            if batch.count == 100 {
                _ = try await ledger.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try await ledger.append(batch) }
    }

    /// The same histories with each customer's events spread over the log: customers go
    /// in blocks of 2,000, and a block's histories are appended a round at a time (the
    /// first event of each, then the second…), so a customer's events are 2,000 positions
    /// apart, each on a page of its own, as for customers who come back now and then.
    public static func fillScattered(_ ledger: Ledger, customers: Range<Int>, seed: UInt64) async throws {
        var generator = SplitMix64(seed: seed)
        var start = customers.lowerBound
        while start < customers.upperBound {
            let block = start..<min(start + 2_000, customers.upperBound)
            let histories = try block.map { index in (customer(index), try history(of: index, using: &generator)) }
            for round in 0..<eventsPerCustomer {
                for first in stride(from: 0, to: histories.count, by: 500) {
                    _ = try await ledger.append(histories[first..<min(first + 500, histories.count)].map { StreamAppend(stream: $0.0, events: [$0.1[round]]) })
                }
            }
            start = block.upperBound
        }
    }

    /// A ledger of `customers` × 50 events kept between benchmark runs under
    /// `Benchmarks/.build/ledgers/NAME` (building 10 million events takes a minute or
    /// two); built with relaxed durability, which changes nothing for readers. With
    /// `scattered`, filled by ``fillScattered(_:customers:seed:)``, in a folder of its own.
    public static func cachedLedger(named name: String, customers: Int, scattered: Bool = false) async throws -> Ledger {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/ledgers/\(name)\(scattered ? "-scattered" : "")-\(customers)-v1")
        var options = LMDBEventStore.Options()
        options.durability = .relaxed
        options.initialMapSize = 1 << 30
        let ledger = try Ledger.open(at: folder.path, options: options)
        let expected = UInt64(customers * eventsPerCustomer)
        let stored = try ledger.totals().eventCount
        if stored != expected {
            precondition(stored == 0, "\(folder.path) holds a partial ledger: remove it")
            if scattered {
                try await fillScattered(ledger, customers: 0..<customers, seed: 7)
            } else {
                try await fill(ledger, customers: 0..<customers, seed: 7)
            }
            try ledger.store.sync()
        }
        return ledger
    }
}
