import CustomerLedger
import Foundation
import Testing

// The code of the DocC article "Writing a projection"
// (Sources/CustomerLedger/CustomerLedger.docc/WritingAProjection.md), compiled and run.
// Every `swift` block of the article appears below line for line (indentation aside);
// `everyArticleBlockIsCompiledHere` checks it, so change the two together.

// MARK: The protocol

/// How each customer reaches us: interactions per channel, and the channel with the most.
struct PreferredContactChannel: Projection {
    struct State: Codable, Sendable, Hashable {
        var interactions: [String: Int] = [:]
        /// The channel with the most interactions; ties go to the first by name.
        var preferred: String? {
            interactions.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
        }
    }

    let name = "acme.preferredContactChannel"
    let version: UInt32 = 1

    func initialState() -> State { State() }

    func apply(_ event: ProjectedEvent, to state: inout State) {
        if case .interactionRecorded(let interaction) = event.event {
            state.interactions[interaction.channel.rawValue, default: 0] += 1
        }
    }
}

// MARK: Host events and unknown events

/// A host event: a customer reviewed a product. Version 1 called the stars "rating".
struct ReviewPosted: CustomerEventPayload {
    static let eventType = "acme.reviews.posted"
    static let schemaVersion: UInt16 = 2
    var productId: String
    var stars: Int
}

/// Reviews and purchases per customer, and the events of types this service does not know.
struct ReviewSummary: Projection {
    struct State: Codable, Sendable, Hashable {
        var reviews = 0
        var stars = 0
        var purchases = 0
        var unknownTypes: [String: Int] = [:]
    }

    let name = "acme.reviewSummary"
    let version: UInt32 = 1

    func initialState() -> State { State() }

    func apply(_ event: ProjectedEvent, to state: inout State) throws {
        if let review = try event.payload(as: ReviewPosted.self) {
            state.reviews += 1
            state.stars += review.stars
        } else if case .purchaseCompleted = event.event {
            state.purchases += 1
        } else if case .other(let recorded) = event.event {
            state.unknownTypes[recorded.type, default: 0] += 1
        }
    }
}

/// The registry of the article's host-event examples.
func reviewRegistry() throws -> EventTypeRegistry {
    var registry = EventTypeRegistry()
    try registry.register(ReviewPosted.self)
    try registry.registerUpcaster(for: ReviewPosted.self, from: 1) { json in
        json["stars"] = json.removeValue(forKey: "rating")
    }
    registry.unknownEvents = .deliverRaw  // the default: other types arrive as stored
    return registry
}

// MARK: The complete example

/// Net takings per sales agent over the whole ledger: the sales each agent recorded
/// (the agent is the event's `actor`) and, from version 2, the refunds they paid out.
struct RevenuePerAgent: Projection {
    struct Takings: Codable, Sendable, Hashable {
        var sales = 0
        var refunds = 0
        /// Net amount in minor units (cents), by currency code.
        var net: [String: Int64] = [:]
    }

    let name = "acme.revenuePerAgent"
    var version: UInt32 = 1
    var keying: ProjectionKeying { .global }

    func initialState() -> [String: Takings] { [:] }

    func apply(_ event: ProjectedEvent, to agents: inout [String: Takings]) {
        let agent = event.record.metadata.actor ?? "unattributed"
        switch event.event {
        case .purchaseCompleted(let purchase):
            agents[agent, default: Takings()].sales += 1
            agents[agent, default: Takings()].net[purchase.amount.currency.code, default: 0] += purchase.amount.minorUnits
        case .refundIssued(let refund) where version >= 2:
            agents[agent, default: Takings()].refunds += 1
            agents[agent, default: Takings()].net[refund.amount.currency.code, default: 0] -= refund.amount.minorUnits
        default:
            break
        }
    }
}

/// Copies of `customers.merged` folded: one per stream the merge was appended to.
private struct MergesSeen: Projection {
    let name = "test.writingAProjection.mergesSeen"
    let version: UInt32 = 1
    var keying: ProjectionKeying { .global }
    func initialState() -> Int { 0 }
    func apply(_ event: ProjectedEvent, to count: inout Int) {
        if case .merged = event.event { count += 1 }
    }
}

private func inbound(_ id: String, _ channel: Channel) -> InteractionRecorded {
    InteractionRecorded(interactionId: id, channel: channel, direction: .inbound)
}

@Suite struct WritingAProjectionExampleTests {
    @Test func preferredContactChannelOnDemand() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let endOfMay = day("2024-06-01")
        try await ledger.record(inbound("I-1", .phone), for: "C20240501001", occurredAt: day("2024-05-02"))
        try await ledger.record(inbound("I-2", .email), for: "C20240501001", occurredAt: day("2024-05-10"))
        try await ledger.record(inbound("I-3", .email), for: "C20240501001", occurredAt: day("2024-05-20"))
        for (index, date) in ["2024-06-03", "2024-06-04", "2024-06-05"].enumerated() {
            try await ledger.record(inbound("I-\(4 + index)", .chat), for: "C20240501001", occurredAt: day(date))
        }
        try await ledger.record(inbound("I-7", .visit), for: "C20240501002", occurredAt: day("2024-06-01"))

        // One customer, now.
        let ada = try ledger.project(PreferredContactChannel(), for: "C20240501001")

        // As things stood at the end of May; as the ledger knew them at position 2.
        let may = try ledger.project(PreferredContactChannel(), for: "C20240501001", asOf: AsOf(time: endOfMay))
        let audit = try ledger.project(PreferredContactChannel(), for: "C20240501001", asOf: AsOf(knownAt: .position(2)))

        // Everyone, from one pass over the log: [customer id: state].
        let everyone = try ledger.project(PreferredContactChannel())

        #expect(ada.interactions == ["phone": 1, "email": 2, "chat": 3])
        #expect(ada.preferred == "chat")
        #expect(may.interactions == ["phone": 1, "email": 2])
        #expect(may.preferred == "email")
        #expect(audit.interactions == ["phone": 1, "email": 1])
        #expect(audit.preferred == "email")
        #expect(everyone.keys.sorted() == ["C20240501001", "C20240501002"])
        #expect(everyone["C20240501001"] == ada)
        #expect(everyone["C20240501002"]?.preferred == "visit")
    }

    @Test func reviewSummaryReadsEveryVersionAndCountsUnknownTypes() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        // Version 1, as an older service stored it; version 2 as this one records it.
        let old = ProposedEvent(type: ReviewPosted.eventType, schemaVersion: 1, payload: Data(#"{"productId":"P-1","rating":4}"#.utf8))
        try await ledger.append([old], to: "C20240501001", expecting: .any)
        try await ledger.record(ReviewPosted(productId: "P-2", stars: 5), for: "C20240501001", occurredAt: day("2024-05-02"))
        try await ledger.record(PurchaseCompleted(orderId: "O-1", amount: usd("10.00")), for: "C20240501001", occurredAt: day("2024-05-03"))
        let foreign = ProposedEvent(type: "other.loyalty.stampCollected", payload: Data(#"{"stamps":1}"#.utf8))
        try await ledger.append([foreign], to: "C20240501001", expecting: .any)

        var registry = EventTypeRegistry()
        try registry.register(ReviewPosted.self)
        try registry.registerUpcaster(for: ReviewPosted.self, from: 1) { json in
            json["stars"] = json.removeValue(forKey: "rating")
        }
        registry.unknownEvents = .deliverRaw  // the default: other types arrive as stored

        let summary = try ledger.project(ReviewSummary(), for: "C20240501001", registry: registry)

        #expect(summary == ReviewSummary.State(reviews: 2, stars: 9, purchases: 1, unknownTypes: ["other.loyalty.stampCollected": 1]))
        // Under .skip the unknown type is never handed to apply.
        var skipping = registry
        skipping.unknownEvents = .skip
        #expect(try ledger.project(ReviewSummary(), for: "C20240501001", registry: skipping).unknownTypes == [:])
        // Under .fail the run stops, naming the type.
        var failing = registry
        failing.unknownEvents = .fail
        let error = try #require(throws: LedgerError.self) { try ledger.project(ReviewSummary(), for: "C20240501001", registry: failing) }
        #expect(error.code == .unsupportedFormat)
        #expect(error.message.contains("other.loyalty.stampCollected"))
        // Without the registry there is no upcaster: the version-1 event does not decode.
        let unregistered = try #require(throws: LedgerError.self) { try ledger.project(ReviewSummary(), for: "C20240501001") }
        #expect(unregistered.code == .projectionFailed)
        #expect(try reviewRegistry().registeredTypeNames == registry.registeredTypeNames)
    }

    @Test func revenuePerAgentIsPersistentQueriedAndRebuilt() async throws {
        let fixture = try LedgerFixture()
        defer { withExtendedLifetime(fixture) {} }
        let path = fixture.folder.appendingPathComponent("revenue").path

        let ledger = try Ledger.open(at: path)
        defer { ledger.close() }
        let revenue = try await ledger.startProjection(RevenuePerAgent())

        let ana = EventMetadata(actor: "ana")
        let ben = EventMetadata(actor: "ben")
        try await ledger.record(PurchaseCompleted(orderId: "O-1", amount: try Money("120.00", .usd)), for: "C1", occurredAt: Date(), metadata: ana)
        try await ledger.record(PurchaseCompleted(orderId: "O-2", amount: try Money("80.00", .usd)), for: "C2", occurredAt: Date(), metadata: ana)
        try await ledger.record(PurchaseCompleted(orderId: "O-3", amount: try Money("45.50", .usd)), for: "C3", occurredAt: Date(), metadata: ben)
        try await ledger.record(RefundIssued(orderId: "O-2", amount: try Money("80.00", .usd)), for: "C2", occurredAt: Date(), metadata: ana)
        try await ledger.record(RefundIssued(orderId: "O-3", amount: try Money("5.50", .usd)), for: "C3", occurredAt: Date())

        try await revenue.waitUntilCaughtUp()
        let agents = try revenue.state(for: ProjectionKeying.globalKey) ?? [:]
        // agents["ana"]: 2 sales, net ["USD": 20000]; version 1 does not look at refunds.

        #expect(agents == [
            "ana": RevenuePerAgent.Takings(sales: 2, refunds: 0, net: ["USD": 200_00]),
            "ben": RevenuePerAgent.Takings(sales: 1, refunds: 0, net: ["USD": 45_50]),
        ])
        let status = try revenue.status()
        // status.checkpoint: 5, status.head: 5, status.lag: 0, status.isActive: true

        #expect(status.isActive && status.version == 1 && status.activeVersion == 1)
        #expect(status.checkpoint == 5 && status.head == 5 && status.lag == 0)
        #expect(status.failure == nil)
        #expect(try revenue.states().map(\.key) == [ProjectionKeying.globalKey])

        let logger = ExampleLogger()
        let rebuilt = try await ledger.rebuild(revenue, as: RevenuePerAgent(version: 2)) { progress in
            logger.info("\(progress.name) v\(progress.version): \(progress.eventsDone) folded, \(progress.eventsLeft) to go")
        }
        let net = try rebuilt.state(for: ProjectionKeying.globalKey)?["ana"]?.net["USD"]  // 12000: refunds count now

        #expect(net == 120_00)
        #expect(try rebuilt.state(for: ProjectionKeying.globalKey) == [
            "ana": RevenuePerAgent.Takings(sales: 2, refunds: 1, net: ["USD": 120_00]),
            "ben": RevenuePerAgent.Takings(sales: 1, refunds: 0, net: ["USD": 45_50]),
            "unattributed": RevenuePerAgent.Takings(sales: 0, refunds: 1, net: ["USD": -5_50]),
        ])
        #expect(logger.lines == ["acme.revenuePerAgent v2: 5 folded, 0 to go"])
        // The old version is replaced: its instance stopped and its reads say so.
        let replaced = try #require(throws: LedgerError.self) { try revenue.state(for: ProjectionKeying.globalKey) }
        #expect(replaced.code == .projectionNotReady)
        #expect(try rebuilt.status().isActive)
        // The persistent state equals an on-demand run of the same version.
        #expect(try ledger.project(RevenuePerAgent(version: 2))[ProjectionKeying.globalKey] == rebuilt.state(for: ProjectionKeying.globalKey))

        // Follows appends after the rebuild.
        try await ledger.record(PurchaseCompleted(orderId: "O-4", amount: try Money("10.00", .usd)), for: "C1", occurredAt: Date(), metadata: ben)
        try await rebuilt.waitUntilCaughtUp()
        #expect(try rebuilt.state(for: ProjectionKeying.globalKey)?["ben"] == RevenuePerAgent.Takings(sales: 2, refunds: 0, net: ["USD": 55_50]))
        // Progress is about the build: batches folded live after it are not reported.
        #expect(logger.lines == ["acme.revenuePerAgent v2: 5 folded, 0 to go"])
        await rebuilt.stop()
    }

    @Test func aPersistentProjectionResumesAfterReopeningAndPagesThroughCustomers() async throws {
        let fixture = try LedgerFixture()
        defer { withExtendedLifetime(fixture) {} }
        let path = fixture.folder.appendingPathComponent("channels").path
        do {
            let ledger = try Ledger.open(at: path)
            let channels = try await ledger.startProjection(PreferredContactChannel())
            for customer in 0..<7 {
                try await ledger.record(inbound("I-\(customer)", .email), for: try StreamID("C\(customer)"), occurredAt: day("2024-05-01"))
            }
            try await channels.waitUntilCaughtUp()
            await channels.stop()
            ledger.close()
        }
        let ledger = try Ledger.open(at: path)
        defer { ledger.close() }
        try await ledger.record(inbound("I-99", .phone), for: "C3", occurredAt: day("2024-05-02"))
        try await ledger.record(inbound("I-100", .phone), for: "C3", occurredAt: day("2024-05-03"))

        let channels = try await ledger.startProjection(PreferredContactChannel())
        try await channels.waitUntilCaughtUp()
        var preferred: [String: String] = [:]
        var after: String? = nil
        while true {
            let page = try channels.states(after: after, limit: 3)
            for (customer, state) in page { preferred[customer] = state.preferred }
            guard let last = page.last else { break }
            after = last.key
        }

        #expect(preferred == ["C0": "email", "C1": "email", "C2": "email", "C3": "phone", "C4": "email", "C5": "email", "C6": "email"])
        #expect(try channels.status().checkpoint == 9)
        await channels.stop()
    }

    @Test func anInlineProjectionReadsItsWritesAndRejectsWhatItCannotFold() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(ReviewPosted(productId: "P-1", stars: 3), for: "C20240501001", occurredAt: day("2024-05-01"))
        let registry = try reviewRegistry()

        let reviews = try await ledger.startProjection(ReviewSummary(), mode: .inline, registry: registry)
        try await reviews.waitUntilCaughtUp()

        // From here on every append returns with the state written, the first one too.
        for probe in 1...3 {
            try await ledger.record(ReviewPosted(productId: "probe", stars: 1), for: "C-probe", occurredAt: Date())
            #expect(try reviews.state(for: "C-probe")?.reviews == probe)
        }

        try await ledger.record(ReviewPosted(productId: "P-2", stars: 5), for: "C20240501001", occurredAt: Date())
        let stars = try reviews.state(for: "C20240501001")?.stars  // 8: the append wrote it

        #expect(stars == 8)
        let head = try ledger.head()

        let logger = ExampleLogger()

        let broken = ProposedEvent(type: ReviewPosted.eventType, schemaVersion: 2, payload: Data(#"{"productId":"P-3"}"#.utf8))
        do throws(LedgerError) {
            try await ledger.append([broken], to: "C20240501001", expecting: .any)
        } catch {
            logger.error("\(error.code): \(error.message)")  // projectionFailed: the append wrote nothing
        }

        #expect(logger.lines.count == 1)
        #expect(logger.lines.first?.hasPrefix("projectionFailed: ") == true)
        #expect(logger.lines.first?.contains("acme.reviewSummary") == true)
        #expect(try ledger.head() == head)
        #expect(try reviews.state(for: "C20240501001")?.reviews == 2)
        await reviews.stop()
    }

    @Test func aSnapshotShortensTheFoldWithoutChangingIt() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        for index in 0..<20 {
            try await ledger.record(inbound("I-\(index)", index % 3 == 0 ? .phone : .chat), for: "C20240501001", occurredAt: day("2024-05-01", hour: index))
        }
        let full = try ledger.project(PreferredContactChannel(), for: "C20240501001")

        try await ledger.saveSnapshot(of: PreferredContactChannel(), for: "C20240501001")
        let fast = try ledger.project(PreferredContactChannel(), for: "C20240501001")  // folds only what came after it

        #expect(fast == full)
        #expect(fast.interactions == ["phone": 7, "chat": 13])
        try await ledger.record(inbound("I-20", .phone), for: "C20240501001", occurredAt: day("2024-05-02"))
        #expect(try ledger.project(PreferredContactChannel(), for: "C20240501001").interactions == ["phone": 8, "chat": 13])
        // A point of view before the snapshot's last event folds the whole history instead.
        #expect(try ledger.project(PreferredContactChannel(), for: "C20240501001", asOf: AsOf(knownAt: .position(3))).interactions == ["phone": 1, "chat": 2])
    }

    /// What the article says of merges: persistent per-customer keys are the stream an
    /// event was appended to; only on-demand runs fold merged customers into the survivor.
    @Test func persistentKeysAreStreamsAndOnlyOnDemandRunsFoldMerges() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(inbound("I-1", .phone), for: "C1", occurredAt: day("2024-05-01"))
        try await ledger.record(inbound("I-2", .email), for: "C2", occurredAt: day("2024-05-02"))
        try await ledger.merge(["C2"], into: "C1", occurredAt: day("2024-05-03"))
        let channels = try await ledger.startProjection(PreferredContactChannel())
        let merges = try await ledger.startProjection(MergesSeen())
        try await channels.waitUntilCaughtUp()
        try await merges.waitUntilCaughtUp()

        #expect(try channels.state(for: "C1")?.interactions == ["phone": 1])
        #expect(try channels.state(for: "C2")?.interactions == ["email": 1])
        #expect(try ledger.project(PreferredContactChannel(), for: "C1").interactions == ["phone": 1, "email": 1])
        #expect(try ledger.project(PreferredContactChannel(), for: "C2").interactions == ["phone": 1, "email": 1])
        #expect(try ledger.project(PreferredContactChannel()).keys.sorted() == ["C1"])
        // The merge is stored on both streams: a persistent run sees both copies.
        #expect(try merges.state(for: ProjectionKeying.globalKey) == 2)
        #expect(try ledger.project(MergesSeen())[ProjectionKeying.globalKey] == 1)
        await channels.stop()
        await merges.stop()
    }

    /// "The ledger's own views are written the same way": a view from a built-in state.
    @Test func aBuiltInViewFromItsProjectionsState() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .company, name: "Acme"), owner: "ana"), for: "C20240501001", occurredAt: day("2024-05-01"))
        let state = try ledger.project(ProfileProjection(), for: "C20240501001")
        let profile = CustomerProfile(state: state, customer: "C20240501001")
        #expect(profile?.owner?.value == "ana")
        #expect(profile == (try ledger.profile(of: "C20240501001")).map { var own = $0; own.asOf = profile!.asOf; return own })
    }

    /// The article's `swift` blocks, each found in this file line for line.
    @Test func everyArticleBlockIsCompiledHere() throws {
        let tests = URL(fileURLWithPath: #filePath)
        let root = tests.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let article = try String(
            contentsOf: root.appendingPathComponent("Sources/CustomerLedger/CustomerLedger.docc/WritingAProjection.md"), encoding: .utf8
        )
        let source = Self.normalized(try String(contentsOf: tests, encoding: .utf8))
        let blocks = Self.swiftBlocks(in: article)
        #expect(blocks.count >= 10)
        for block in blocks {
            let lines = Self.normalized(block)
            let found = source.indices.contains { start in
                start + lines.count <= source.count && Array(source[start..<(start + lines.count)]) == lines
            }
            #expect(found, "Not compiled by this file:\n\(block)")
        }
    }

    static func swiftBlocks(in markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```swift" {
                current = []
            } else if let lines = current, trimmed == "```" {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    static func normalized(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Stands in for the host's logger in the article's code: keeps what it is told.
final class ExampleLogger: Sendable {
    private let kept = Mutex<[String]>([])
    func info(_ line: String) { kept.withLock { $0.append(line) } }
    func error(_ line: String) { kept.withLock { $0.append(line) } }
    var lines: [String] { kept.withLock { $0 } }
}

import Synchronization
