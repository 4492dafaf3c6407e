public import CustomerLedger
import Foundation
import Synchronization

/// The events of a load run: batch `n` has 1–4 interactions, each on its own customer of
/// ``customers``, with ids from ``FaultWorkload/eventID(batch:index:)`` so that
/// ``LogOrderCheck`` can follow the log.
public enum LoadWorkload {
    /// Customers the load is spread over.
    public static let customers = 10_000

    /// How many events batch `batch` has: 1, 2, 3, 4, 1, 2… (2.5 on average).
    public static func size(ofBatch batch: Int) -> Int { 1 + batch % 4 }

    /// Customer number `number`.
    public static func customer(_ number: Int) throws -> StreamID { try StreamID("L\(number)") }

    /// One atomic append: event `index` goes to its own customer, in index order.
    public static func batch(_ batch: Int) throws -> [StreamAppend] {
        try (0..<size(ofBatch: batch)).map { index in
            let customer = try customer((batch &* 7_919 &+ index &* 2_503) % customers)
            let interaction = InteractionRecorded(interactionId: "L\(batch)-\(index)", channel: .chat, direction: .inbound)
            let event = try ProposedEvent(
                interaction, occurredAt: Date(timeIntervalSince1970: 1_714_521_600 + Double(batch)),
                id: FaultWorkload.eventID(batch: batch, index: index)
            )
            return StreamAppend(stream: customer, events: [event])
        }
    }
}

/// A sustained mixed load on one ledger for a bounded time: tasks appending batches as
/// fast as the ledger takes them, tasks running on-demand projections of random customers
/// (profile, lifecycle, and the custom ``PositionsFolded``), and one live subscription that
/// checks every event arrives once, in order, its batch whole. It samples the process's
/// memory every second and reports throughput, latency percentiles and the memory series.
public final class LoadRun: Sendable {
    /// What to run.
    public struct Settings: Sendable {
        /// How long the load lasts.
        public var seconds: Int
        /// Tasks appending at once.
        public var appenders = 32
        /// Tasks running on-demand projections at once.
        public var projectors = 4
        /// A progress line every this many seconds (0: none).
        public var reportEvery = 10

        /// A run of `seconds` with the default tasks.
        public init(seconds: Int) { self.seconds = seconds }
    }

    /// What a run measured.
    public struct Report: Sendable {
        /// What was run.
        public var settings: Settings
        /// The run's length, measured.
        public var elapsed: Duration
        /// Appends that returned.
        public var appends = 0
        /// Events in them.
        public var events = 0
        /// On-demand projections that returned.
        public var projections = 0
        /// Latency of one `append` call.
        public var appendLatency = LatencyHistogram()
        /// Latency of one on-demand projection of one customer.
        public var projectionLatency = LatencyHistogram()
        /// Events the live subscription checked.
        public var subscribedEvents = 0
        /// Batches the subscription saw.
        public var subscribedBatches = 0
        /// Batches the appenders took a number for (each must have been appended).
        public var appendedBatches = 0
        /// The log's head after the run.
        public var head: UInt64 = 0
        /// The data file's size after the run, in bytes: the ledger's pages that the
        /// subscription, the projections and the verification read are mapped into the
        /// process and count in its resident size.
        public var fileSize = 0
        /// Whether `Ledger.verify()` found the hash chain intact after the run.
        public var chainIntact = false
        /// Every failure, the subscription's problem included.
        public var failures: [String] = []
        /// One memory sample a second, the first before the load starts, the last after
        /// the verification.
        public var memory: [ProcessMemory] = []

        /// Nothing failed, the subscription saw every appended event once and in order,
        /// the head is every appended event, and the chain verifies.
        public var isCorrect: Bool {
            failures.isEmpty && subscribedEvents == events && subscribedBatches == appendedBatches
                && head == UInt64(events) && chainIntact
        }

        /// Heap (anonymous memory) growth over the second half of the run, in bytes: the
        /// largest sample of the second half minus the sample at half time. The first half
        /// is warm-up (caches fill, the allocator settles).
        public var secondHalfHeapGrowth: Int {
            guard memory.count >= 4 else { return 0 }
            let half = memory.count / 2
            return (memory[half...].map(\.anonymous).max() ?? 0) - memory[half].anonymous
        }

        /// Memory is flat when the heap grew by at most 8 MiB or 10 % over the second half.
        public var memoryIsFlat: Bool {
            guard memory.count >= 4 else { return true }
            return secondHalfHeapGrowth <= max(8 << 20, memory[memory.count / 2].anonymous / 10)
        }

        /// The report as lines of text.
        public var lines: [String] {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            func rate(_ count: Int) -> String { String(format: "%.0f/s", Double(count) / max(seconds, 0.001)) }
            func micros(_ histogram: LatencyHistogram) -> String {
                [("p50", histogram.percentile(50)), ("p90", histogram.percentile(90)), ("p99", histogram.percentile(99)), ("max", histogram.max)]
                    .map { "\($0.0) \(Self.milliseconds($0.1))" }.joined(separator: ", ")
            }
            var lines = [
                String(format: "load: %.1f s, %ld appending tasks, %ld projecting tasks, 1 live subscription", seconds, settings.appenders, settings.projectors),
                "throughput: \(appends) appends (\(rate(appends))), \(events) events (\(rate(events))), \(projections) projections (\(rate(projections)))",
                "append latency ms: \(micros(appendLatency))",
                "projection latency ms: \(micros(projectionLatency))",
                "subscription: \(subscribedEvents) events of \(events), \(subscribedBatches) batches of \(appendedBatches), in order, gapless, each batch once and whole\(failures.isEmpty ? "" : " (see failures)")",
                "ledger: head \(head), data.mdb \(Self.mebibytes(fileSize)) MiB, chain \(chainIntact ? "intact" : "BROKEN")",
            ]
            if let first = memory.first, let last = memory.last {
                let half = memory[memory.count / 2]
                lines.append("memory MiB: RSS start \(Self.mebibytes(first.resident)), half \(Self.mebibytes(half.resident)), end \(Self.mebibytes(last.resident)); heap start \(Self.mebibytes(first.anonymous)), half \(Self.mebibytes(half.anonymous)), end \(Self.mebibytes(last.anonymous)); heap growth in the second half \(Self.mebibytes(secondHalfHeapGrowth)): \(memoryIsFlat ? "flat" : "GROWING")")
            }
            lines += failures.prefix(10).map { "failure: \($0)" }
            lines.append("verdict \(isCorrect ? "ok" : "FAILED")")
            return lines
        }

        static func milliseconds(_ nanoseconds: UInt64) -> String { String(format: "%.3f", Double(nanoseconds) / 1e6) }
        static func mebibytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }
    }

    private let ledger: Ledger
    private let settings: Settings
    private let say: @Sendable (String) -> Void
    private let stopping = Atomic<Bool>(false)
    private let nextBatch = Atomic<Int>(0)
    private let appendCount = Atomic<Int>(0)
    private let eventCount = Atomic<Int>(0)
    private let projectionCount = Atomic<Int>(0)
    private let subscribedTo = Atomic<UInt64>(0)
    private let subscriptionEnded = Atomic<Bool>(false)
    private let failures = Mutex<[String]>([])

    /// A run of `settings` on `ledger` (which should start empty), printing progress with `say`.
    public init(ledger: Ledger, settings: Settings, say: @escaping @Sendable (String) -> Void) {
        self.ledger = ledger
        self.settings = settings
        self.say = say
    }

    /// Runs the load for its time, then lets the subscription reach the head, verifies
    /// the chain and reports.
    public func run() async -> Report {
        var report = Report(settings: settings, elapsed: .zero)
        if let memory = ProcessMemory.current() { report.memory.append(memory) }
        let clock = ContinuousClock()
        let start = clock.now
        let subscriber = Task { await self.follow() }
        let appenders = (0..<settings.appenders).map { _ in Task { await self.appendUntilStopped() } }
        let projectors = (0..<settings.projectors).map { number in Task { await self.projectUntilStopped(seed: UInt64(number)) } }
        var last = (second: 0, appends: 0, events: 0, projections: 0)
        for second in 1...max(1, settings.seconds) {
            try? await Task.sleep(until: start.advanced(by: .seconds(second)), clock: clock)
            if let memory = ProcessMemory.current() { report.memory.append(memory) }
            guard settings.reportEvery > 0, second % settings.reportEvery == 0 || second == settings.seconds else { continue }
            let now = (second: second, appends: appendCount.load(ordering: .relaxed), events: eventCount.load(ordering: .relaxed), projections: projectionCount.load(ordering: .relaxed))
            let span = Double(now.second - last.second)
            var line = "t=\(second)s appends/s \(Int(Double(now.appends - last.appends) / span)), events/s \(Int(Double(now.events - last.events) / span)), projections/s \(Int(Double(now.projections - last.projections) / span))"
            if let memory = report.memory.last {
                line += ", RSS \(Report.mebibytes(memory.resident)) MiB, heap \(Report.mebibytes(memory.anonymous)) MiB"
            }
            say(line + ", head \(now.events)")
            last = now
        }
        stopping.store(true, ordering: .relaxed)
        for appender in appenders { report.appendLatency.add(await appender.value) }
        for projector in projectors { report.projectionLatency.add(await projector.value) }
        report.elapsed = start.duration(to: clock.now)
        do {
            report.head = try ledger.head().rawValue
            // The subscription has the time it needs to reach the head, then stops.
            while subscribedTo.load(ordering: .acquiring) < report.head, !subscriptionEnded.load(ordering: .acquiring) {
                try await Task.sleep(for: .milliseconds(5))
            }
        } catch {
            fail("reading the head: \(error)")
        }
        subscriber.cancel()
        var check = await subscriber.value
        if let problem = check.finish() { fail("subscription: \(problem)") }
        report.subscribedEvents = check.events
        report.subscribedBatches = check.batches
        report.appendedBatches = nextBatch.load(ordering: .relaxed)
        if check.largestBatch >= report.appendedBatches { fail("subscription saw batch \(check.largestBatch), beyond the \(report.appendedBatches) appended") }
        report.appends = appendCount.load(ordering: .relaxed)
        report.events = eventCount.load(ordering: .relaxed)
        report.projections = projectionCount.load(ordering: .relaxed)
        do {
            let verification = try ledger.verify()
            report.chainIntact = verification.isIntact
        } catch {
            fail("verifying the chain: \(error)")
        }
        report.fileSize = (try? ledger.store.storageInfo().fileSize) ?? 0
        if let memory = ProcessMemory.current() { report.memory.append(memory) }
        report.failures = failures.withLock { $0 }
        return report
    }

    private func fail(_ message: String) {
        failures.withLock { $0.append(message) }
    }

    private func appendUntilStopped() async -> LatencyHistogram {
        var latency = LatencyHistogram()
        let clock = ContinuousClock()
        while !stopping.load(ordering: .relaxed) {
            let batch = nextBatch.add(1, ordering: .relaxed).oldValue
            do {
                let appends = try LoadWorkload.batch(batch)
                let start = clock.now
                _ = try await ledger.append(appends)
                latency.record(start.duration(to: clock.now))
                appendCount.add(1, ordering: .relaxed)
                eventCount.add(appends.count, ordering: .relaxed)
            } catch {
                fail("append of batch \(batch): \(error)")
                return latency
            }
        }
        return latency
    }

    private func projectUntilStopped(seed: UInt64) async -> LatencyHistogram {
        var latency = LatencyHistogram()
        let clock = ContinuousClock()
        var random = SystemRandomNumberGenerator()
        // What each customer's PositionsFolded state last counted: a later read never counts less.
        var counted = [Int](repeating: 0, count: LoadWorkload.customers)
        var round = Int(seed)
        while !stopping.load(ordering: .relaxed) {
            let number = Int.random(in: 0..<LoadWorkload.customers, using: &random)
            round += 1
            do {
                let customer = try LoadWorkload.customer(number)
                let start = clock.now
                switch round % 3 {
                case 0: _ = try ledger.profile(of: customer)
                case 1: _ = try ledger.lifecycle(of: customer)
                default:
                    let state = try ledger.project(PositionsFolded(), for: customer)
                    if state.count < counted[number] {
                        fail("customer \(customer) folded \(state.count) events after \(counted[number]) before")
                    }
                    counted[number] = state.count
                }
                latency.record(start.duration(to: clock.now))
                projectionCount.add(1, ordering: .relaxed)
            } catch {
                fail("projection of customer L\(number): \(error)")
                return latency
            }
            // The reads are synchronous: let the appenders' tasks have the threads too.
            await Task.yield()
        }
        return latency
    }

    private func follow() async -> LogOrderCheck {
        var check = LogOrderCheck(batchSize: LoadWorkload.size(ofBatch:))
        do {
            for try await event in ledger.subscribe() {
                guard check.check(event) else { break }
                subscribedTo.store(event.position.rawValue, ordering: .releasing)
            }
        } catch {
            fail("subscription: \(error)")
        }
        subscriptionEnded.store(true, ordering: .releasing)
        return check
    }
}
