import Benchmark
import BenchmarkSupport
import CustomerLedger
import Foundation

// Three pairs, each a ledger benchmark and its baseline, measured in the same run. Every
// iteration does exactly `scalingFactor` events, so the scaled throughput reads as
// events/s. package-benchmark runs each benchmark in its own process: every one prepares
// its own data in setup, in a temporary folder that teardown removes.

/// State shared by a benchmark's setup, iterations and teardown (one process each).
final class Fixture<State>: @unchecked Sendable {
    var folder: URL?
    var ledger: Ledger?
    var state: State?
    var next = 0

    func tearDown() {
        ledger?.close()
        ledger = nil
        state = nil
        Workload.remove(folder)
        folder = nil
    }
}

/// Enough prepared transactions for warm-up plus every measured iteration.
private func batchCount(_ configuration: Benchmark.Configuration) -> Int {
    configuration.warmupIterations + configuration.maxIterations + 2
}

let benchmarks: @Sendable () -> Void = {
    let appendConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock],
        timeUnits: .nanoseconds,  // wall clock per event in ns: precise enough for the ratios
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(4),
        maxIterations: 40
    )

    // MARK: 1. Batched append, 1,000 events per durable transaction

    let ledgerAppend = Fixture<[[StreamAppend]]>()
    Benchmark(
        "Append 1000/txn: ledger",
        configuration: appendConfiguration,
        closure: { benchmark in
            let batches = ledgerAppend.state!
            let batch = batches[ledgerAppend.next % batches.count]
            ledgerAppend.next += 1
            let results = try await ledgerAppend.ledger!.append(batch)
            blackHole(results)
        },
        setup: {
            let folder = Workload.temporaryFolder("append")
            ledgerAppend.folder = folder
            let ledger = try Ledger.open(at: folder.path)
            ledgerAppend.ledger = ledger
            try await Workload.prefill(ledger)
            var generator = SplitMix64(seed: 1)
            ledgerAppend.state = (0..<batchCount(appendConfiguration)).map { _ in
                Workload.grouped(Workload.customers(count: Workload.eventsPerTransaction, using: &generator)).appends
            }
        },
        teardown: { ledgerAppend.tearDown() }
    )

    let rawAppend = Fixture<(appender: RawAppender, batches: [(order: [Int32], touched: [Int32])])>()
    Benchmark(
        "Append 1000/txn: raw LMDB",
        configuration: appendConfiguration,
        closure: { benchmark in
            let (appender, batches) = rawAppend.state!
            let batch = batches[rawAppend.next % batches.count]
            rawAppend.next += 1
            appender.append(order: batch.order, touched: batch.touched)
        },
        setup: {
            let folder = Workload.temporaryFolder("raw-append")
            rawAppend.folder = folder
            let appender = RawAppender(folder: folder)
            appender.prefill()
            var generator = SplitMix64(seed: 1)  // the ledger's customers, in the ledger's order
            let batches = (0..<batchCount(appendConfiguration)).map { _ in
                let order = Workload.grouped(Workload.customers(count: Workload.eventsPerTransaction, using: &generator)).order
                return (order.map { Int32($0) }, Set(order).sorted().map { Int32($0) })
            }
            rawAppend.state = (appender, batches)
        },
        teardown: { rawAppend.tearDown() }
    )

    // MARK: 2. Group commit: 64 concurrent single-event appenders vs one transaction per event

    let concurrency = 64
    let groupCommit = Fixture<[[(stream: StreamID, event: ProposedEvent)]]>()
    Benchmark(
        "Group commit, 64 tasks x 1 event/append: ledger",
        configuration: appendConfiguration,
        closure: { benchmark in
            let batches = groupCommit.state!
            let batch = batches[groupCommit.next % batches.count]
            groupCommit.next += 1
            try await Workload.appendConcurrently(batch, to: groupCommit.ledger!, concurrency: concurrency)
        },
        setup: {
            let folder = Workload.temporaryFolder("group")
            groupCommit.folder = folder
            let ledger = try Ledger.open(at: folder.path)
            groupCommit.ledger = ledger
            try await Workload.prefill(ledger)
            var generator = SplitMix64(seed: 2)
            groupCommit.state = (0..<batchCount(appendConfiguration)).map { _ in
                Workload.singleEvents(count: Workload.eventsPerTransaction, using: &generator)
            }
        },
        teardown: { groupCommit.tearDown() }
    )

    let sequentialConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock],
        timeUnits: .nanoseconds,  // wall clock per event in ns: precise enough for the ratios
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(6),
        maxIterations: 6
    )
    let sequential = Fixture<[[(stream: StreamID, event: ProposedEvent)]]>()
    Benchmark(
        "One durable txn per event, 1 task: ledger",
        configuration: sequentialConfiguration,
        closure: { benchmark in
            let batches = sequential.state!
            let batch = batches[sequential.next % batches.count]
            sequential.next += 1
            let ledger = sequential.ledger!
            for (stream, event) in batch {
                try await ledger.append([event], to: stream)
            }
        },
        setup: {
            let folder = Workload.temporaryFolder("sequential")
            sequential.folder = folder
            let ledger = try Ledger.open(at: folder.path)
            sequential.ledger = ledger
            try await Workload.prefill(ledger)
            var generator = SplitMix64(seed: 2)
            sequential.state = (0..<batchCount(sequentialConfiguration)).map { _ in
                Workload.singleEvents(count: Workload.eventsPerTransaction, using: &generator)
            }
        },
        teardown: { sequential.tearDown() }
    )

    // The same ratio for raw LMDB doing the ledger's exact puts with no Swift layers: 64
    // random customers per durable transaction against one. It is the ceiling that the
    // index layout and this disk allow a 64-event group commit, measured in the same run.
    let rawCeilingConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock],
        timeUnits: .nanoseconds,
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(6),
        maxIterations: 20
    )
    for perTransaction in [64, 1] {
        let raw = Fixture<(appender: RawAppender, iterations: [[(order: [Int32], touched: [Int32])]])>()
        Benchmark(
            "Raw LMDB, \(perTransaction) event\(perTransaction == 1 ? "" : "s")/durable txn",
            configuration: perTransaction == 1 ? sequentialConfiguration : rawCeilingConfiguration,
            closure: { benchmark in
                let (appender, iterations) = raw.state!
                // 1,000 events an iteration, as every append benchmark (with 64 per
                // transaction: 15 of 64 and one of 40).
                let transactions = iterations[raw.next % iterations.count]
                raw.next += 1
                for batch in transactions { appender.append(order: batch.order, touched: batch.touched) }
            },
            setup: {
                let folder = Workload.temporaryFolder("raw-txn")
                raw.folder = folder
                let appender = RawAppender(folder: folder)
                appender.prefill()
                var generator = SplitMix64(seed: 2)
                let configuration = perTransaction == 1 ? sequentialConfiguration : rawCeilingConfiguration
                let iterations = (0..<batchCount(configuration)).map { _ in
                    let customers = Workload.customers(count: Workload.eventsPerTransaction, using: &generator).map { Int32($0) }
                    return stride(from: 0, to: customers.count, by: perTransaction).map { start in
                        let order = Array(customers[start..<min(start + perTransaction, customers.count)])
                        return (order: order, touched: Set(order).sorted())
                    }
                }
                raw.state = (appender, iterations)
            },
            teardown: { raw.tearDown() }
        )
    }

    // MARK: 3. Full log scan, 1,000,000 events

    let scanConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock],
        timeUnits: .nanoseconds,  // wall clock per event in ns: precise enough for the ratios
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(5),
        maxIterations: 10
    )
    let scanCount = Workload.scanCount

    let ledgerScan = Fixture<Void>()
    Benchmark(
        "Log scan, readLog + decode: ledger",
        configuration: scanConfiguration,
        closure: { benchmark in
            var count = 0
            var checksum: UInt64 = 0
            try ledgerScan.ledger!.readLog { event in
                checksum &+= event.position.rawValue &+ event.version.rawValue &+ UInt64(event.payload.count)
                count += 1
            }
            precondition(count == scanCount, "scanned \(count) events")
            blackHole(checksum)
        },
        setup: {
            let folder = Workload.temporaryFolder("scan")
            ledgerScan.folder = folder
            ledgerScan.ledger = try await Workload.buildScanLedger(folder)
        },
        teardown: { ledgerScan.tearDown() }
    )

    let rawScan = Fixture<RawLogScanner>()
    Benchmark(
        "Log scan, MDB_NEXT cursor: raw LMDB",
        configuration: scanConfiguration,
        closure: { benchmark in
            let (count, checksum) = rawScan.state!.scan()
            precondition(count == scanCount, "scanned \(count) entries")
            blackHole(checksum)
        },
        setup: {
            // The same files the ledger scan reads: built by the ledger, closed, reopened bare.
            let folder = Workload.temporaryFolder("raw-scan")
            rawScan.folder = folder
            let ledger = try await Workload.buildScanLedger(folder)
            ledger.close()
            rawScan.state = RawLogScanner(folder: folder)
        },
        teardown: { rawScan.tearDown() }
    )

    // MARK: 4. One customer's profile and lifecycle: 50 events, in a small and a big ledger

    // The documented pattern (one history read folded into both views), and in the same
    // run the floors under it: readStream touching each RecordedEvent without a typed
    // decode, and raw LMDB doing the reads readStream must do (streamInfo get, the
    // stream's index entries, one log get each). Every iteration is 1,000 random
    // customers of the same 4,096, so the figures are per thousand lookups.
    let lookupConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock],
        timeUnits: .nanoseconds,  // wall clock per lookup
        warmupIterations: 2,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 50
    )
    // 2,000 customers of 50 events = 100 thousand events; 200,000 customers = 10 million.
    for (label, customers) in [("100K", 2_000), ("10M", 200_000)] {
        lookupBenchmark(
            "One customer profile + lifecycle from one history read, 50 events, ledger of \(label) events",
            configuration: lookupConfiguration, customers: customers,
            open: { try await DomainWorkload.cachedLedger(named: "domain", customers: $0) }
        )

        let stream = Fixture<[StreamID]>()
        Benchmark(
            "One customer's 50 events, readStream without typed decode, ledger of \(label) events",
            configuration: lookupConfiguration,
            closure: { benchmark in
                let ledger = stream.ledger!
                let targets = stream.state!
                var checksum = 0
                for _ in benchmark.scaledIterations {
                    let customer = targets[stream.next % targets.count]
                    stream.next += 1
                    var count = 0
                    try ledger.readStream(customer) { event in
                        checksum &+= event.payload.count &+ Int(event.version.rawValue)
                        count += 1
                    }
                    precondition(count == DomainWorkload.eventsPerCustomer, "read \(count) events")
                }
                blackHole(checksum)
            },
            setup: {
                stream.ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: customers)
                stream.state = lookupTargets(customers)
            },
            teardown: {
                stream.ledger?.close()
                stream.ledger = nil
            }
        )

        // The same histories with each customer's events spread over the log (2,000
        // positions apart: DomainWorkload.fillScattered), where every event costs a B-tree
        // descent of its own: the lookup and its raw floor.
        lookupBenchmark(
            "One customer profile + lifecycle from one history read, 50 events spread over the log, ledger of \(label) events",
            configuration: lookupConfiguration, customers: customers,
            open: { try await DomainWorkload.cachedLedger(named: "domain", customers: $0, scattered: true) }
        )
        rawLookupBenchmark("ledger of \(label) events", customers: customers, configuration: lookupConfiguration)
        rawLookupBenchmark("events spread over the log, ledger of \(label) events", customers: customers, configuration: lookupConfiguration, scattered: true)
    }

    // MARK: 5. Full replay into the population projections, against the raw scan

    // 20,000 customers × 50 typed events = 1,000,000 events.
    let replayCustomers = 20_000
    let replayConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock],
        timeUnits: .nanoseconds,  // wall clock per event of the log
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(20),
        maxIterations: 5
    )
    // populationReport: the four population reports from one main pass (plus the
    // type-filtered identity pass and pre-pass), each part equal to the report asked alone.
    replayBenchmark(
        "Replay 1M events into lifecycle, value (RFM), satisfaction and attention (one pass): ledger",
        configuration: replayConfiguration, customers: replayCustomers,
        open: { try await DomainWorkload.cachedLedger(named: "domain", customers: $0) }
    )
    let replayRaw = Fixture<RawLogScanner>()
    Benchmark(
        "Replay 1M events: raw LMDB cursor scan of the same log",
        configuration: replayConfiguration,
        closure: { benchmark in
            let (count, checksum) = replayRaw.state!.scan()
            precondition(count == replayCustomers * DomainWorkload.eventsPerCustomer, "scanned \(count) entries")
            blackHole(checksum)
        },
        setup: {
            let ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: replayCustomers)
            let folder = URL(fileURLWithPath: ledger.store.path)
            ledger.close()
            replayRaw.state = RawLogScanner(folder: folder)
        },
        teardown: { replayRaw.state = nil }
    )

    projectionBenchmarks()  // ProjectionBenchmarks.swift
    privacyBenchmarks()  // PrivacyBenchmarks.swift
}
