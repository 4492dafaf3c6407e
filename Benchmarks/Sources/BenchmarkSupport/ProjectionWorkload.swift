public import CustomerLedger
public import Foundation
import Synchronization

/// The custom projection the projection benchmarks run: per customer, interactions per
/// channel, completed purchases and net revenue (purchases minus refunds) in minor units.
/// Small, per customer and Codable, as a host's own projection would be.
public struct CustomerActivityProjection: Projection {
    public struct State: Codable, Sendable, Hashable {
        /// Interactions by channel (`Channel.rawValue`).
        public var interactionsByChannel: [String: Int] = [:]
        public var purchases = 0
        /// Purchases minus refunds, in minor units (the workload has one currency).
        public var netRevenueMinorUnits: Int64 = 0
    }

    public let name: String
    public let version: UInt32
    /// Whether it declares the three event types it reads (``Projection/eventTypes``), so
    /// a rebuild leaves the others undecoded.
    public let declaresTypes: Bool

    public init(name: String = "bench.customerActivity", version: UInt32, declaresTypes: Bool = false) {
        self.name = name
        self.version = version
        self.declaresTypes = declaresTypes
    }

    public var eventTypes: EventTypeFilter {
        declaresTypes ? .only([InteractionRecorded.eventType, PurchaseCompleted.eventType, RefundIssued.eventType]) : .all
    }

    public func initialState() -> State { State() }

    public func apply(_ event: ProjectedEvent, to state: inout State) {
        switch event.event {
        case .interactionRecorded(let interaction):
            state.interactionsByChannel[interaction.channel.rawValue, default: 0] += 1
        case .purchaseCompleted(let purchase):
            state.purchases += 1
            state.netRevenueMinorUnits += purchase.amount.minorUnits
        case .refundIssued(let refund):
            state.netRevenueMinorUnits -= refund.amount.minorUnits
        default:
            break
        }
    }
}

/// Ledgers, rebuilds and live-load runs for the custom projection benchmarks, shared by
/// `LedgerBenchmarks` and `LedgerProfile`.
public enum ProjectionWorkload {
    /// 20,000 customers × 50 typed events = 1,000,000 events (the replay benchmark's ledger).
    public static let rebuildCustomers = 20_000

    /// A private, writable copy of the cached domain ledger of `customers` × 50 events in
    /// `folder`, opened with the default (durable) options: a projection writes its state
    /// into the ledger, and the cached ledger must stay as the other benchmarks expect it.
    public static func ledgerCopy(customers: Int, in folder: URL) async throws -> Ledger {
        let cached = try await DomainWorkload.cachedLedger(named: "domain", customers: customers)
        let source = URL(fileURLWithPath: cached.store.path)
        cached.close()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.appendingPathComponent("data.mdb"), to: folder.appendingPathComponent("data.mdb"))
        var options = LMDBEventStore.Options()
        options.initialMapSize = 1 << 30
        return try Ledger.open(at: folder.path, options: options)
    }

    /// A full rebuild of `version`, as a deployment of a new version does it: starts it,
    /// waits until it has folded the whole log and serves reads, and stops it. Stopping
    /// waits for the follow task, so the removal of the version it replaced (done right
    /// after the switch) is included. Returns its checkpoint.
    @discardableResult
    public static func rebuild(_ ledger: Ledger, version: UInt32, declaringTypes: Bool = false) async throws -> LogPosition {
        let projection = try await ledger.startProjection(CustomerActivityProjection(version: version, declaresTypes: declaringTypes))
        try await projection.waitUntilCaughtUp()
        await projection.stop()
        return try projection.status().checkpoint
    }

    // MARK: Live lag

    /// What one live-load window measured.
    public struct LiveLag: Sendable {
        /// Events appended during the window, and the window's length.
        public var appended: Int
        public var window: Duration
        /// `status().lag` (events behind the head) sampled every `sampleInterval`.
        public var lagEvents: [Int]
        /// Per append, the time from the append's return to the commit of the first
        /// projection checkpoint covering its event, in microseconds (0 when the checkpoint
        /// was committed before the append returned).
        public var coveredAfter: [Int]
        /// Per append, the time the `append` call took, in microseconds: the durable commit
        /// the projection's lag is measured against.
        public var appendLatency: [Int]
        /// How many appends were covered before they returned.
        public var coveredBeforeReturn: Int
        /// Checkpoint advances seen during the window (each one or more batch commits).
        public var batches: Int
        /// Time from the end of the window until the projection had folded everything.
        public var drain: Duration

        public var appendsPerSecond: Double { Double(appended) / seconds(window) }
    }

    /// A projection following `ledger` in the background, caught up: start it once, then
    /// run ``liveLag(_:on:pools:seconds:rate:sampleInterval:)`` windows against it.
    public final class Follower: Sendable {
        public let projection: PersistentProjection<CustomerActivityProjection>

        public init(_ ledger: Ledger, version: UInt32 = 1) async throws {
            projection = try await ledger.startProjection(CustomerActivityProjection(name: "bench.liveActivity", version: version))
            try await projection.waitUntilCaughtUp()
        }

        public func stop() async { await projection.stop() }
    }

    /// Polls the projection's committed checkpoint every `interval` and timestamps each
    /// change: when a reader could first see the state covering a position (to within
    /// the interval), until cancelled.
    static func watchCheckpoints(
        of projection: PersistentProjection<CustomerActivityProjection>, every interval: Duration
    ) -> Task<[(position: UInt64, at: ContinuousClock.Instant)], Never> {
        Task {
            var marks: [(position: UInt64, at: ContinuousClock.Instant)] = []
            var last: UInt64 = (try? projection.status().checkpoint.rawValue) ?? 0
            while !Task.isCancelled {
                if let checkpoint = try? projection.status().checkpoint.rawValue, checkpoint > last {
                    marks.append((checkpoint, .now))
                    last = checkpoint
                }
                try? await Task.sleep(for: interval)
            }
            return marks
        }
    }

    /// Fresh single-event appends to random customers of the ledger (`customers` × 50
    /// typed events): each customer's events of `DomainWorkload.history` but the
    /// registration, shuffled. Every event has a new id, so none is an idempotent retry.
    public static func liveEvents(count: Int, customers: Int, using generator: inout SplitMix64) throws -> [(stream: StreamID, event: ProposedEvent)] {
        var events: [(stream: StreamID, event: ProposedEvent)] = []
        events.reserveCapacity(count + DomainWorkload.eventsPerCustomer)
        while events.count < count {
            let customer = Int(generator.next() % UInt64(customers))
            let stream = DomainWorkload.customer(customer)
            for event in try DomainWorkload.history(of: customer, using: &generator).dropFirst() {
                events.append((stream, event))
            }
        }
        for index in stride(from: events.count - 1, to: 0, by: -1) {
            events.swapAt(index, Int(generator.next() % UInt64(index + 1)))
        }
        return Array(events.prefix(count))
    }

    /// One window of sustained load with `follower` following: `tasks` tasks append single
    /// events (`pools[i]` for task i) for `seconds`, flat out when `rate` is nil, else
    /// together at `rate` events/s (each task on its own fixed schedule, catching up when
    /// late); meanwhile `status().lag` is sampled every `sampleInterval` and the committed
    /// checkpoint polled every 250 µs. Afterwards waits until the projection has folded
    /// every event and matches each append with the first checkpoint seen covering it.
    public static func liveLag(
        _ follower: Follower, on ledger: Ledger, pools: [[(stream: StreamID, event: ProposedEvent)]],
        seconds window: Double, rate: Int?, sampleInterval: Duration = .milliseconds(5)
    ) async throws -> LiveLag {
        let watcher = watchCheckpoints(of: follower.projection, every: .microseconds(250))
        let start = ContinuousClock.now
        let end = start + .nanoseconds(Int64(window * 1e9))
        let projection = follower.projection
        let sampler = Task {
            var samples: [Int] = []
            while ContinuousClock.now < end {
                if let status = try? projection.status() { samples.append(Int(status.lag)) }
                try? await Task.sleep(for: sampleInterval)
            }
            return samples
        }
        let appends = try await appendLoad(ledger, pools: pools, from: start, until: end, rate: rate)
        let windowEnd = ContinuousClock.now
        let lagEvents = await sampler.value
        try await projection.waitUntilCaughtUp()
        let drain = ContinuousClock.now - windowEnd

        try await Task.sleep(for: .milliseconds(2))  // a few polls, to see the last commit
        watcher.cancel()
        var marks = await watcher.value
        // Should a poll have missed the last commit, it was seen by now at the latest.
        let folded = try projection.status().checkpoint.rawValue
        if (marks.last?.position ?? 0) < folded { marks.append((folded, windowEnd + drain)) }
        var coveredAfter: [Int] = []
        coveredAfter.reserveCapacity(appends.count)
        var before = 0
        for append in appends {
            // Checkpoints only grow: the first mark at or past the append's position.
            var low = 0
            var high = marks.count
            while low < high {
                let middle = (low + high) / 2
                if marks[middle].position >= append.position { high = middle } else { low = middle + 1 }
            }
            precondition(low < marks.count, "no checkpoint covers position \(append.position)")
            let delay = marks[low].at - append.at
            if delay <= .zero {
                before += 1
                coveredAfter.append(0)
            } else {
                coveredAfter.append(Int(seconds(delay) * 1e6))
            }
        }
        return LiveLag(
            appended: appends.count, window: windowEnd - start, lagEvents: lagEvents, coveredAfter: coveredAfter,
            appendLatency: appends.map(\.latency), coveredBeforeReturn: before, batches: marks.count, drain: drain
        )
    }

    /// The same load without a projection: events appended and the window's length.
    public static func appendsAlone(
        _ ledger: Ledger, pools: [[(stream: StreamID, event: ProposedEvent)]], seconds window: Double, rate: Int?
    ) async throws -> (appended: Int, window: Duration, appendLatency: [Int]) {
        let start = ContinuousClock.now
        let appends = try await appendLoad(ledger, pools: pools, from: start, until: start + .nanoseconds(Int64(window * 1e9)), rate: rate)
        return (appends.count, ContinuousClock.now - start, appends.map(\.latency))
    }

    /// The appending tasks: each append's last position, the instant it returned and how
    /// long it took (µs).
    static func appendLoad(
        _ ledger: Ledger, pools: [[(stream: StreamID, event: ProposedEvent)]],
        from start: ContinuousClock.Instant, until end: ContinuousClock.Instant, rate: Int?
    ) async throws -> [Append] {
        let tasks = pools.count
        let interval: Duration? = rate.map { .nanoseconds(Int64(1e9 * Double(tasks) / Double($0))) }
        return try await withThrowingTaskGroup(of: [Append].self) { group in
            for task in 0..<tasks {
                let pool = pools[task]
                group.addTask {
                    var done: [Append] = []
                    done.reserveCapacity(pool.count)
                    // The tasks' schedules spread over one interval.
                    var due = interval.map { start + $0 * (Double(task) / Double(tasks)) }
                    var finished = false
                    for (stream, event) in pool {
                        if let scheduled = due {
                            if scheduled > ContinuousClock.now { try await Task.sleep(until: scheduled, clock: .continuous) }
                            due = scheduled + interval!
                        }
                        guard ContinuousClock.now < end else {
                            finished = true
                            break
                        }
                        let began = ContinuousClock.now
                        let result = try await ledger.append([event], to: stream)
                        let returned = ContinuousClock.now
                        done.append((result.positions.upperBound.rawValue, returned, Int(seconds(returned - began) * 1e6)))
                    }
                    precondition(finished, "a task ran out of prepared events before the window ended: prepare more")
                    return done
                }
            }
            var all: [Append] = []
            for try await done in group { all += done }
            return all
        }
    }

    /// Prepared events for `tasks` tasks appending for `seconds` at `rate` events/s, or flat
    /// out (sized for 60,000 events/s) when `rate` is nil; 20% to spare.
    public static func pools(tasks: Int, seconds: Double, rate: Int?, customers: Int, using generator: inout SplitMix64) throws -> [[(stream: StreamID, event: ProposedEvent)]] {
        let perTask = Int(seconds * Double(rate ?? 60_000) * 1.2) / tasks + 100
        return try (0..<tasks).map { _ in try liveEvents(count: perTask, customers: customers, using: &generator) }
    }

    /// One append of the load: its last position, when it returned, how long it took (µs).
    typealias Append = (position: UInt64, at: ContinuousClock.Instant, latency: Int)

    /// `values`' p-th percentile (nearest rank), p in 0...100.
    public static func percentile(_ values: [Int], _ p: Double) -> Int {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
