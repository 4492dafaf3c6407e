import Benchmark
import BenchmarkSupport
import CustomerLedger
import Foundation

// What encrypting personal data costs (docs/performance.md, "Encryption cost"): the same
// workloads on a ledger created with a master key and on one created without, in the
// same run. In the domain workload about 29 of a customer's 50 events carry personal
// values (the registration's name and city, interaction subjects and next actions,
// follow-up outcomes), so they are sealed on append and opened on a history read.

/// The fixed master key of the benchmarks' encrypted ledgers (so a cached one reopens).
let benchmarkMasterKey = try! MasterKey(bytes: [UInt8](repeating: 0x5A, count: 32))

/// The domain ledger of `customers` × 50 events created with the benchmark master key,
/// cached between runs beside the clear one (`DomainWorkload.cachedLedger`).
func cachedEncryptedLedger(customers: Int) async throws -> Ledger {
    let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/ledgers/domain-sealed-\(customers)-v1")
    var options = LMDBEventStore.Options()
    options.durability = .relaxed
    options.initialMapSize = 1 << 30
    let ledger = try Ledger.open(at: folder.path, options: options, masterKey: benchmarkMasterKey)
    let expected = UInt64(customers * DomainWorkload.eventsPerCustomer)
    let stored = try ledger.totals().eventCount
    if stored != expected {
        precondition(stored == 0, "\(folder.path) holds a partial ledger: remove it")
        try await DomainWorkload.fill(ledger, customers: 0..<customers, seed: 7)
        try ledger.store.sync()
    }
    return ledger
}

let privacyBenchmarks: @Sendable () -> Void = {
    // MARK: One customer's history, encrypted (the clear one is in LedgerBenchmarks.swift)

    let lookupConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .cpuTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 2,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 50
    )
    lookupBenchmark(
        "One customer profile + lifecycle from one history read, 50 events, encrypted ledger of 100K events",
        configuration: lookupConfiguration, customers: 2_000, open: cachedEncryptedLedger(customers:),
        check: { ledger, customer in
            // Every customer's personal data really opens.
            let profile = CustomerProfile(history: try ledger.history(of: customer))
            precondition(profile?.name?.value.revealed?.hasPrefix("Customer ") == true, "the encrypted ledger does not open")
        }
    )

    // MARK: The population replay, encrypted

    let replayCustomers = 20_000
    let replayConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock],
        timeUnits: .nanoseconds,
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(20),
        maxIterations: 5
    )
    replayBenchmark(
        "Replay 1M events into lifecycle, value (RFM), satisfaction and attention (one pass): encrypted ledger",
        configuration: replayConfiguration, customers: replayCustomers, open: cachedEncryptedLedger(customers:)
    )

    // MARK: Appends of domain events, 1,000 per durable transaction

    // CPU time beside the wall clock: the sync of each commit, which the machine's other
    // work makes noisy, is the same for both ledgers, and the sealing is CPU.
    let appendConfiguration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .cpuTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(4),
        maxIterations: 30
    )
    /// 20 customers' 50-event histories per iteration; `known` customers already have a
    /// data key (from the 2,000 prefilled), the others are new.
    func appendBatches(count: Int, known: Bool) throws -> [[StreamAppend]] {
        var generator = SplitMix64(seed: 5)
        return try (0..<count).map { iteration in
            try (0..<20).map { slot in
                let index = known ? (iteration * 20 + slot) % 2_000 : 1_000_000 + iteration * 20 + slot
                return StreamAppend(stream: DomainWorkload.customer(index), events: try DomainWorkload.history(of: index, using: &generator))
            }
        }
    }
    let variants: [(label: String, key: MasterKey?, known: Bool)] = [
        ("clear ledger", nil, true),
        ("encrypted ledger, customers with a key", benchmarkMasterKey, true),
        ("encrypted ledger, new customers", benchmarkMasterKey, false),
    ]
    for variant in variants {
        let append = Fixture<[[StreamAppend]]>()
        Benchmark(
            "Append 1000 domain events/txn: \(variant.label)",
            configuration: appendConfiguration,
            closure: { benchmark in
                let batches = append.state!
                let batch = batches[append.next % batches.count]
                append.next += 1
                blackHole(try await append.ledger!.append(batch))
            },
            setup: {
                let folder = Workload.temporaryFolder("privacy-append")
                append.folder = folder
                let ledger = try Ledger.open(at: folder.path, masterKey: variant.key)
                append.ledger = ledger
                try await DomainWorkload.fill(ledger, customers: 0..<2_000, seed: 3)
                append.state = try appendBatches(count: appendConfiguration.maxIterations + 3, known: variant.known)
            },
            teardown: { append.tearDown() }
        )
    }
}
