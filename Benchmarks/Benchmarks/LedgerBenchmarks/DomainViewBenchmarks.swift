import Benchmark
import BenchmarkSupport
import CustomerLedger
import Foundation

// The domain workloads measured on more than one ledger (clear and encrypted; a
// customer's events next to each other or spread over the log), so that each variant runs
// exactly the same closure.

/// 4,096 random customers of a ledger of `customers`, the same in every lookup benchmark.
func lookupTargets(_ customers: Int) -> [StreamID] {
    var generator = SplitMix64(seed: 11)
    return (0..<4_096).map { _ in DomainWorkload.customer(Int(generator.next() % UInt64(customers))) }
}

/// One customer's profile and lifecycle from one history read (the documented pattern),
/// 1,000 random customers of the same 4,096 per iteration, in the ledger `open` gives for
/// `customers` × 50 events; `check` runs once after setup.
func lookupBenchmark(
    _ name: String, configuration: Benchmark.Configuration, customers: Int,
    open: @escaping @Sendable (_ customers: Int) async throws -> Ledger,
    check: (@Sendable (_ ledger: Ledger, _ customer: StreamID) throws -> Void)? = nil
) {
    let lookup = Fixture<[StreamID]>()
    Benchmark(
        name,
        configuration: configuration,
        closure: { benchmark in
            let ledger = lookup.ledger!
            let targets = lookup.state!
            for _ in benchmark.scaledIterations {
                let customer = targets[lookup.next % targets.count]
                lookup.next += 1
                let history = try ledger.history(of: customer)
                blackHole(CustomerProfile(history: history))
                blackHole(CustomerLifecycle(history: history))
            }
        },
        setup: {
            let ledger = try await open(customers)
            lookup.ledger = ledger
            let targets = lookupTargets(customers)
            lookup.state = targets
            try check?(ledger, targets[0])
        },
        teardown: { lookup.tearDown() }  // a cached ledger has no folder: it stays for the next run
    )
}

/// The reads a one-customer lookup makes, as bare LMDB calls (`RawStreamReader`: the
/// `streamInfo` get, the stream's index entries, one `log` get each), over the same 4,096
/// customers; `scattered` reads the ledger whose customers' events are spread over the log.
func rawLookupBenchmark(_ ledgerLabel: String, customers: Int, configuration: Benchmark.Configuration, scattered: Bool = false) {
    let raw = Fixture<(RawStreamReader, [String])>()
    Benchmark(
        "One customer's 50 events, raw LMDB index cursor + log gets, \(ledgerLabel)",
        configuration: configuration,
        closure: { benchmark in
            let (reader, targets) = raw.state!
            var checksum: UInt64 = 0
            for _ in benchmark.scaledIterations {
                let (count, sum) = reader.read(targets[raw.next % targets.count])
                raw.next += 1
                precondition(count == DomainWorkload.eventsPerCustomer, "read \(count) entries")
                checksum &+= sum
            }
            blackHole(checksum)
        },
        setup: {
            let ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: customers, scattered: scattered)
            let folder = URL(fileURLWithPath: ledger.store.path)
            ledger.close()
            raw.state = (RawStreamReader(folder: folder), lookupTargets(customers).map(\.rawValue))
        },
        teardown: { raw.state = nil }
    )
}

/// `populationReport` (lifecycle, RFM, satisfaction and attention from one main pass) over
/// the ledger `open` gives for `customers` × 50 events, as of 2026-01-01.
func replayBenchmark(
    _ name: String, configuration: Benchmark.Configuration, customers: Int,
    open: @escaping @Sendable (_ customers: Int) async throws -> Ledger
) {
    let replay = Fixture<Void>()
    Benchmark(
        name,
        configuration: configuration,
        closure: { benchmark in
            let ledger = replay.ledger!
            let asOf = AsOf(time: Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01
            let report = try ledger.populationReport(asOf: asOf, policies: PopulationPolicies(value: ValuePolicy(currency: .eur)))
            precondition(report.customers == customers, "replayed \(report.customers) customers")
            blackHole(report)
        },
        setup: { replay.ledger = try await open(customers) },
        teardown: { replay.tearDown() }
    )
}
