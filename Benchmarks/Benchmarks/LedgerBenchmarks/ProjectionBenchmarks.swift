import Benchmark
import BenchmarkSupport
import CustomerLedger
import Foundation

// Custom projections (the `Projection` protocol, `startProjection`): a full rebuild of a
// per-customer projection over 1,000,000 typed events beside the scans under it, and the
// live lag of a background projection under a sustained append load. Registered by
// `benchmarks` in LedgerBenchmarks.swift (a target has one `benchmarks` closure).

func projectionBenchmarks() {
    // MARK: Rebuild: 1M events into a per-customer projection, with its floors in the same run

    // DomainWorkload's cached ledger of 20,000 customers × 50 typed events, the replay
    // benchmark's. Every benchmark here does exactly 1,000,000 events an iteration, so the
    // scaled throughput reads as events/s and the wall clock as ns per event.
    let customers = ProjectionWorkload.rebuildCustomers
    let events = customers * DomainWorkload.eventsPerCustomer
    // CPU time (all threads, per event) beside the wall clock: steadier on a shared machine.
    let rebuildConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .cpuTotal],
        timeUnits: .nanoseconds,  // wall clock per event of the log
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(20),
        maxIterations: 8
    )

    // From `startProjection` of a new version to `waitUntilCaughtUp()` returning, then
    // `stop()`: read the log in chunks, typed decode, fold, JSON-encode the 20,000 states
    // and write them with the checkpoints (four batches of 250,000 events, durable), switch
    // the active version, and remove the previous version's 20,000 states (stop() waits
    // for that). The warm-up iteration builds version 1, so every measured one replaces a
    // version. The ledger is a private copy of the cached one, opened durable.
    let rebuild = Fixture<Void>()
    Benchmark(
        "Projection rebuild 1M events: startProjection of a new version to caught up (per-customer custom projection)",
        configuration: rebuildConfiguration,
        closure: { benchmark in
            rebuild.next += 1
            let checkpoint = try await ProjectionWorkload.rebuild(rebuild.ledger!, version: UInt32(rebuild.next))
            precondition(checkpoint.rawValue == UInt64(events), "rebuilt to \(checkpoint)")
        },
        setup: {
            let folder = Workload.temporaryFolder("projection-rebuild")
            rebuild.folder = folder
            rebuild.ledger = try await ProjectionWorkload.ledgerCopy(customers: customers, in: folder)
        },
        teardown: { rebuild.tearDown() }
    )

    // The same projection on demand: one pass over the log folding into a dictionary in
    // memory (`project(_:asOf:)`: also reads the identity events first, and resolves
    // owners), no state stored.
    let onDemand = Fixture<Void>()
    Benchmark(
        "Projection rebuild 1M events: same projection on demand, project(_:asOf:) in memory",
        configuration: rebuildConfiguration,
        closure: { benchmark in
            let states = try onDemand.ledger!.project(CustomerActivityProjection(version: 1))
            precondition(states.count == customers, "projected \(states.count) customers")
            blackHole(states)
        },
        setup: { onDemand.ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: customers) },
        teardown: {
            onDemand.ledger?.close()  // the cached ledger stays for the next run
            onDemand.ledger = nil
        }
    )

    // The log read and the typed decode every projection gets, without a fold.
    let decode = Fixture<Void>()
    Benchmark(
        "Projection rebuild 1M events: readLog + typed decode (CustomerEventRecord), no fold",
        configuration: rebuildConfiguration,
        closure: { benchmark in
            var count = 0
            var checksum = 0
            try decode.ledger!.readLog { recorded in
                let record = try CustomerEventRecord(recorded)
                if case .purchaseCompleted(let purchase) = record.event { checksum &+= Int(purchase.amount.minorUnits) }
                count += 1
            }
            precondition(count == events, "decoded \(count) events")
            blackHole(checksum)
        },
        setup: { decode.ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: customers) },
        teardown: {
            decode.ledger?.close()
            decode.ledger = nil
        }
    )

    // The ledger's own log scan: each RecordedEvent built (payload copied), no typed decode.
    let scan = Fixture<Void>()
    Benchmark(
        "Projection rebuild 1M events: readLog, RecordedEvent only",
        configuration: rebuildConfiguration,
        closure: { benchmark in
            var count = 0
            var checksum: UInt64 = 0
            try scan.ledger!.readLog { event in
                checksum &+= event.position.rawValue &+ event.version.rawValue &+ UInt64(event.payload.count)
                count += 1
            }
            precondition(count == events, "scanned \(count) events")
            blackHole(checksum)
        },
        setup: { scan.ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: customers) },
        teardown: {
            scan.ledger?.close()
            scan.ledger = nil
        }
    )

    let raw = Fixture<RawLogScanner>()
    Benchmark(
        "Projection rebuild 1M events: raw LMDB cursor scan of the same log",
        configuration: rebuildConfiguration,
        closure: { benchmark in
            let (count, checksum) = raw.state!.scan()
            precondition(count == events, "scanned \(count) entries")
            blackHole(checksum)
        },
        setup: {
            let ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: customers)
            let folder = URL(fileURLWithPath: ledger.store.path)
            ledger.close()
            raw.state = RawLogScanner(folder: folder)
        },
        teardown: { raw.state = nil }
    )

    // MARK: Live lag under a sustained append load

    // A background projection (the same fold) follows a copy of the 1M-event ledger, caught
    // up in setup. Each iteration is one 5-second window in which 16 tasks append single
    // typed events to random customers (durable, default options), flat out or together at
    // a fixed rate. Every sample goes into the custom metrics, so their percentiles are over
    // all the windows: `status().lag` every 5 ms, and for every append the time from its
    // return to the first committed checkpoint covering it, as a reader sees it
    // (`status()` polled every 250 µs).
    let tasks = 16
    let window = 5.0
    let lagEvents = BenchmarkMetric.custom("lag: events behind head, sampled every 5 ms", polarity: .prefersSmaller, useScalingFactor: false)
    let lagMicroseconds = BenchmarkMetric.custom("lag: append return to covering checkpoint, us", polarity: .prefersSmaller, useScalingFactor: false)
    let appendRate = BenchmarkMetric.custom("appends per second", polarity: .prefersLarger, useScalingFactor: false)
    let appendLatency = BenchmarkMetric.custom("append call (durable commit), us", polarity: .prefersSmaller, useScalingFactor: false)
    let lagConfiguration = Benchmark.Configuration(
        metrics: [lagEvents, lagMicroseconds, appendLatency, appendRate],
        warmupIterations: 0,  // setup's catch-up over the 1M events warms the caches
        scalingFactor: .one,
        maxDuration: .seconds(30),
        maxIterations: 3
    )
    for rate in [nil, 1_000] as [Int?] {
        let live = Fixture<(ProjectionWorkload.Follower, SplitMix64)>()
        Benchmark(
            "Projection live lag: 16 tasks appending \(rate.map { "\($0) events/s" } ?? "flat out") for 5 s, background projection following",
            configuration: lagConfiguration,
            closure: { benchmark in
                let follower = live.state!.0
                var generator = live.state!.1
                let pools = try ProjectionWorkload.pools(tasks: tasks, seconds: window, rate: rate, customers: customers, using: &generator)
                live.state = (follower, generator)
                let run = try await ProjectionWorkload.liveLag(follower, on: live.ledger!, pools: pools, seconds: window, rate: rate)
                for lag in run.lagEvents { benchmark.measurement(lagEvents, lag) }
                for delay in run.coveredAfter { benchmark.measurement(lagMicroseconds, delay) }
                for latency in run.appendLatency { benchmark.measurement(appendLatency, latency) }
                benchmark.measurement(appendRate, Int(run.appendsPerSecond))
            },
            setup: {
                let folder = Workload.temporaryFolder("projection-lag")
                live.folder = folder
                let ledger = try await ProjectionWorkload.ledgerCopy(customers: customers, in: folder)
                live.ledger = ledger
                live.state = (try await ProjectionWorkload.Follower(ledger), SplitMix64(seed: 21))
            },
            teardown: {
                if let follower = live.state?.0 { await follower.stop() }
                live.tearDown()
            }
        )
    }

    // The flat-out load without a projection, in the same run: what the appends reach alone.
    let alone = Fixture<SplitMix64>()
    Benchmark(
        "Projection live lag: 16 tasks appending flat out for 5 s, no projection (baseline)",
        configuration: Benchmark.Configuration(
            metrics: [appendLatency, appendRate], warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 3
        ),
        closure: { benchmark in
            var generator = alone.state!
            let pools = try ProjectionWorkload.pools(tasks: tasks, seconds: window, rate: nil, customers: customers, using: &generator)
            alone.state = generator
            let run = try await ProjectionWorkload.appendsAlone(alone.ledger!, pools: pools, seconds: window, rate: nil)
            let seconds = Double(run.window.components.seconds) + Double(run.window.components.attoseconds) / 1e18
            benchmark.measurement(appendRate, Int(Double(run.appended) / seconds))
            for latency in run.appendLatency { benchmark.measurement(appendLatency, latency) }
        },
        setup: {
            let folder = Workload.temporaryFolder("projection-alone")
            alone.folder = folder
            alone.ledger = try await ProjectionWorkload.ledgerCopy(customers: customers, in: folder)
            alone.state = SplitMix64(seed: 21)
        },
        teardown: { alone.tearDown() }
    )
}
