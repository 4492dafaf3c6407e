import BenchmarkSupport
import CustomerLedger
import Foundation

// Runs one benchmark workload outside package-benchmark, for profilers:
//
//   LedgerProfile <workload> [rounds]
//   workloads: append-ledger, append-raw, group, sequential, scan-ledger, scan-raw,
//   raw-txn (LedgerProfile raw-txn <transactions> <events per transaction>)
//   replay (population report over 1M typed events)
//   lookup, lookup-separate, lookup-stream, lookup-raw, lookup-stored, lookup-history,
//   lookup-profile, lookup-lifecycle
//     (LedgerProfile lookup [rounds] [customers]: one customer's profile and lifecycle,
//     1,000 random customers per round, in the cached domain ledger of `customers` × 50
//     events, 2,000 by default; 200000 is the 10M-event ledger)
//
// Setup happens first; only the measured part runs between the "enable" and "disable"
// written to $PERF_CTL_FIFO (perf record -D -1 --control fifo:…), so a profile holds the
// measured part only. Prints events/s for the measured part.

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: LedgerProfile append-ledger|append-raw|group|sequential|scan-ledger|scan-raw|replay|lookup|lookup-separate|lookup-stream|lookup-raw|lookup-stored|lookup-history|lookup-profile|lookup-lifecycle [rounds] [customers] [scattered]")
    exit(2)
}
let workload = arguments[1]
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20

/// Tells perf to start or stop recording, when run under `perf record --control`.
func perfControl(_ command: String) {
    guard let control = ProcessInfo.processInfo.environment["PERF_CTL_FIFO"] else { return }
    let handle = FileHandle(forWritingAtPath: control)
    handle?.write(Data((command + "\n").utf8))
    try? handle?.close()
    if let ack = ProcessInfo.processInfo.environment["PERF_ACK_FIFO"], let reply = FileHandle(forReadingAtPath: ack) {
        _ = reply.availableData
        try? reply.close()
    }
}

/// CPU time of all the process's threads, in seconds: steadier than wall time on a
/// shared disk, and it counts the writer thread too.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func measure(events: Int, _ body: () async throws -> Void) async throws {
    perfControl("enable")
    let start = ContinuousClock.now
    let startCPU = processCPUSeconds()
    try await body()
    let cpu = processCPUSeconds() - startCPU
    let elapsed = ContinuousClock.now - start
    perfControl("disable")
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("\(workload): \(events) events in \(elapsed) = \(Int(Double(events) / seconds)) events/s, CPU \(Int(cpu * 1e9 / Double(events))) ns/event")
}

let folder = Workload.temporaryFolder("profile-\(workload)")
defer { Workload.remove(folder) }
let perTransaction = Workload.eventsPerTransaction

switch workload {
case "append-ledger":
    let ledger = try Ledger.open(at: folder.path)
    try await Workload.prefill(ledger)
    var generator = SplitMix64(seed: 1)
    let batches = (0..<rounds).map { _ in Workload.grouped(Workload.customers(count: perTransaction, using: &generator)).appends }
    try await measure(events: rounds * perTransaction) {
        for batch in batches { _ = try await ledger.append(batch) }
    }
    ledger.close()
case "append-raw":
    let appender = RawAppender(folder: folder)
    appender.prefill()
    var generator = SplitMix64(seed: 1)
    let batches = (0..<rounds).map { _ in
        let order = Workload.grouped(Workload.customers(count: perTransaction, using: &generator)).order
        return (order.map { Int32($0) }, Set(order).sorted().map { Int32($0) })
    }
    try await measure(events: rounds * perTransaction) {
        for (order, touched) in batches { appender.append(order: order, touched: touched) }
    }
case "raw-txn":
    // The raw loop with `size` random customers per durable transaction: what the schema
    // allows a group commit of that size (LedgerProfile raw-txn rounds size).
    // A fourth argument `no-stream-info` leaves out the streamInfo puts: what a schema that
    // derives a stream's version from the `streams` index would cost.
    let size = arguments.count > 3 ? Int(arguments[3]) ?? 64 : 64
    let streamInfo = !(arguments.count > 4 && arguments[4] == "no-stream-info")
    let appender = RawAppender(folder: folder)
    appender.prefill()
    var generator = SplitMix64(seed: 2)
    let batches = (0..<rounds).map { _ in
        let order = Workload.customers(count: size, using: &generator).map { Int32($0) }
        return (order, streamInfo ? Set(order).sorted() : [])
    }
    try await measure(events: rounds * size) {
        for (order, touched) in batches { appender.append(order: order, touched: touched) }
    }
case "group", "sequential":
    var ledger = try Ledger.open(at: folder.path)
    try await Workload.prefill(ledger)
    ledger.close()
    let firstTransaction = lastTransactionID(folder: folder)
    ledger = try Ledger.open(at: folder.path)
    var generator = SplitMix64(seed: 2)
    let batches = (0..<rounds).map { _ in Workload.singleEvents(count: perTransaction, using: &generator) }
    try await measure(events: rounds * perTransaction) {
        for batch in batches {
            if workload == "group" {
                try await Workload.appendConcurrently(batch, to: ledger, concurrency: 64)
            } else {
                for (stream, event) in batch { try await ledger.append([event], to: stream) }
            }
        }
    }
    ledger.close()
    let commits = lastTransactionID(folder: folder) - firstTransaction
    print("\(commits) commits, \(Double(rounds * perTransaction) / Double(commits)) events per commit")
case "scan-ledger":
    let ledger = try await Workload.buildScanLedger(folder)
    try await measure(events: rounds * Workload.scanCount) {
        for _ in 0..<rounds {
            var checksum: UInt64 = 0
            try ledger.readLog { event in
                checksum &+= event.position.rawValue &+ event.version.rawValue &+ UInt64(event.payload.count)
            }
            if checksum == 42 { print("") }
        }
    }
    ledger.close()
case "replay":
    // LedgerProfile replay [rounds]: populationReport over the cached domain ledger of
    // 20,000 customers × 50 events (the Replay benchmark), as of 2026-01-01.
    let ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: 20_000)
    let asOf = AsOf(time: Date(timeIntervalSince1970: 1_767_225_600))
    let policies = PopulationPolicies(value: ValuePolicy(currency: .eur))
    _ = try ledger.populationReport(asOf: asOf, policies: policies)  // warm-up
    try await measure(events: rounds * 20_000 * DomainWorkload.eventsPerCustomer) {
        for _ in 0..<rounds {
            let report = try ledger.populationReport(asOf: asOf, policies: policies)
            precondition(report.customers == 20_000)
        }
    }
    ledger.close()
case "scan-raw":
    let ledger = try await Workload.buildScanLedger(folder)
    ledger.close()
    let scanner = RawLogScanner(folder: folder)
    try await measure(events: rounds * Workload.scanCount) {
        for _ in 0..<rounds { precondition(scanner.scan().count == Workload.scanCount) }
    }
case "lookup", "lookup-separate", "lookup-stream", "lookup-raw", "lookup-stored", "lookup-history", "lookup-profile", "lookup-lifecycle",
     "lookup-views", "lookup-views-profile", "lookup-views-lifecycle":
    // lookup: the documented pattern, one history read for profile and lifecycle;
    // lookup-separate: ledger.profile(of:) then ledger.lifecycle(of:);
    // lookup-stream: readStream touching each RecordedEvent, no typed decode;
    // lookup-raw: the same LMDB reads as bare C calls (RawStreamReader).
    // A fifth argument `scattered` reads a ledger where each customer's events are spread
    // over the log (DomainWorkload.fillScattered) instead of next to each other.
    let customers = arguments.count > 3 ? Int(arguments[3]) ?? 2_000 : 2_000
    let scattered = arguments.count > 4 && arguments[4] == "scattered"
    let ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: customers, scattered: scattered)
    var generator = SplitMix64(seed: 11)
    let targets = (0..<1_000).map { _ in DomainWorkload.customer(Int(generator.next() % UInt64(customers))) }
    let raw = workload == "lookup-raw" ? RawStreamReader(folder: URL(fileURLWithPath: ledger.store.path)) : nil
    var checksum = 0
    func lookUp(_ customer: StreamID) throws {
        switch workload {
        case "lookup":
            let history = try ledger.history(of: customer)
            checksum &+= CustomerProfile(history: history)?.orderCount ?? 0
            checksum &+= CustomerLifecycle(history: history)?.transitions.count ?? 0
        case "lookup-separate":
            checksum &+= try ledger.profile(of: customer)?.orderCount ?? 0
            checksum &+= try ledger.lifecycle(of: customer)?.transitions.count ?? 0
        case "lookup-stored":
            try ledger.store.readStoredEvents(of: customer) { event in checksum &+= event.payload.count &+ Int(event.typeNumber) }
        case "lookup-history":
            checksum &+= try ledger.history(of: customer).isEmpty ? 0 : 1
        case "lookup-profile":
            checksum &+= CustomerProfile(history: try ledger.history(of: customer))?.orderCount ?? 0
        case "lookup-lifecycle":
            checksum &+= CustomerLifecycle(history: try ledger.history(of: customer))?.transitions.count ?? 0
        case "lookup-stream":
            try ledger.readStream(customer) { event in checksum &+= event.payload.count &+ Int(event.version.rawValue) }
        default:
            checksum &+= raw!.read(customer.rawValue).count
        }
    }
    if workload == "lookup-views" || workload == "lookup-views-lifecycle" || workload == "lookup-views-profile" {
        // The folds alone: the 1,000 histories read once, then only the views built from
        // them (the purchases a history shares between its views are folded once, in the
        // first round).
        let histories = try targets.map { try ledger.history(of: $0) }
        func fold() {
            for history in histories {
                if workload != "lookup-views-lifecycle" { checksum &+= CustomerProfile(history: history)?.orderCount ?? 0 }
                if workload != "lookup-views-profile" { checksum &+= CustomerLifecycle(history: history)?.transitions.count ?? 0 }
            }
        }
        fold()
        perfControl("enable")
        let start = ContinuousClock.now
        for _ in 0..<rounds { fold() }
        let elapsed = ContinuousClock.now - start
        perfControl("disable")
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("\(workload): \(String(format: "%.2f", seconds * 1e6 / Double(rounds * histories.count))) µs per customer (checksum \(checksum))")
        ledger.close()
        exit(0)
    }
    for customer in targets.prefix(200) { try lookUp(customer) }  // warm-up
    perfControl("enable")
    let start = ContinuousClock.now
    for _ in 0..<rounds {
        for customer in targets { try lookUp(customer) }
    }
    let elapsed = ContinuousClock.now - start
    perfControl("disable")
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let lookups = rounds * targets.count
    print("\(workload), ledger of \(customers * DomainWorkload.eventsPerCustomer) events: \(lookups) lookups in \(elapsed) = \(String(format: "%.2f", seconds * 1e6 / Double(lookups))) µs per customer (checksum \(checksum))")
    ledger.close()
case "projection-rebuild", "projection-rebuild-typed":
    // LedgerProfile projection-rebuild [rounds]: full rebuilds of a per-customer custom
    // projection (CustomerActivityProjection) over a copy of the cached domain ledger of
    // 20,000 customers × 50 events, a new version each round (start, caught up, stop; the
    // previous version's states removed at the switch). One warm-up rebuild first.
    let ledger = try await ProjectionWorkload.ledgerCopy(customers: ProjectionWorkload.rebuildCustomers, in: folder)
    let events = ProjectionWorkload.rebuildCustomers * DomainWorkload.eventsPerCustomer
    // projection-rebuild-typed: the same projection declaring the three types it reads.
    let typed = workload == "projection-rebuild-typed"
    try await ProjectionWorkload.rebuild(ledger, version: 1, declaringTypes: typed)
    try await measure(events: rounds * events) {
        for round in 0..<rounds {
            let checkpoint = try await ProjectionWorkload.rebuild(ledger, version: UInt32(round + 2), declaringTypes: typed)
            precondition(checkpoint.rawValue == UInt64(events), "rebuilt to \(checkpoint)")
        }
    }
    ledger.close()
case "projection-lag":
    // LedgerProfile projection-lag [seconds] [tasks] [rate]: a background projection
    // following a copy of the cached 1M-event domain ledger while `tasks` tasks (16) append
    // single typed events for `seconds` (5), together at `rate` events/s, or flat out when
    // the rate is 0 or left out. Prints the lag in events (status().lag every 5 ms) and
    // the time from each append's return to the first committed checkpoint covering it
    // (status() polled every 250 µs).
    let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 5 : 5
    let tasks = arguments.count > 3 ? Int(arguments[3]) ?? 16 : 16
    let rate = arguments.count > 4 ? Int(arguments[4]).flatMap { $0 > 0 ? $0 : nil } : nil
    let customers = ProjectionWorkload.rebuildCustomers
    let ledger = try await ProjectionWorkload.ledgerCopy(customers: customers, in: folder)
    var generator = SplitMix64(seed: 21)
    // The same load without a projection first, for the append rate it allows.
    let alone = try await ProjectionWorkload.appendsAlone(
        ledger, pools: try ProjectionWorkload.pools(tasks: tasks, seconds: seconds, rate: rate, customers: customers, using: &generator),
        seconds: seconds, rate: rate
    )
    let follower = try await ProjectionWorkload.Follower(ledger)
    let pools = try ProjectionWorkload.pools(tasks: tasks, seconds: seconds, rate: rate, customers: customers, using: &generator)
    perfControl("enable")
    let run = try await ProjectionWorkload.liveLag(follower, on: ledger, pools: pools, seconds: seconds, rate: rate)
    perfControl("disable")
    await follower.stop()
    ledger.close()
    func p(_ values: [Int], _ q: Double) -> Int { ProjectionWorkload.percentile(values, q) }
    print("projection-lag, \(tasks) tasks, \(rate.map { "\($0) events/s" } ?? "flat out"): \(run.appended) appends in \(run.window) = \(Int(run.appendsPerSecond)) events/s, \(run.batches) projection batches (\(run.appended / max(run.batches, 1)) events each)")
    print("  the same load without a projection: \(alone.appended) appends in \(alone.window) = \(Int(Double(alone.appended) / (Double(alone.window.components.seconds) + Double(alone.window.components.attoseconds) / 1e18))) events/s")
    print("  append call (durable commit), ms: p50 \(Double(p(run.appendLatency, 50)) / 1000), p99 \(Double(p(run.appendLatency, 99)) / 1000); without a projection: p50 \(Double(p(alone.appendLatency, 50)) / 1000), p99 \(Double(p(alone.appendLatency, 99)) / 1000)")
    print("  lag, events behind head (\(run.lagEvents.count) samples): p50 \(p(run.lagEvents, 50)), p90 \(p(run.lagEvents, 90)), p99 \(p(run.lagEvents, 99)), max \(p(run.lagEvents, 100))")
    print("  append return -> covering checkpoint commit, ms: p50 \(Double(p(run.coveredAfter, 50)) / 1000), p90 \(Double(p(run.coveredAfter, 90)) / 1000), p99 \(Double(p(run.coveredAfter, 99)) / 1000), max \(Double(p(run.coveredAfter, 100)) / 1000); covered before the append returned: \(run.coveredBeforeReturn)")
    print("  drain after the window: \(run.drain)")
case "projection-floors":
    // LedgerProfile projection-floors [rounds]: the floors under a projection rebuild over
    // the cached 1M-event domain ledger, each measured alone (CPU ns/event is steadier than
    // wall time on a shared machine): the raw LMDB cursor scan, readLog building each
    // RecordedEvent, readLog + typed decode (CustomerEventRecord), and the same projection
    // on demand in memory (project(_:asOf:)).
    let customers = ProjectionWorkload.rebuildCustomers
    let events = customers * DomainWorkload.eventsPerCustomer
    let ledger = try await DomainWorkload.cachedLedger(named: "domain", customers: customers)
    let scanner = RawLogScanner(folder: URL(fileURLWithPath: ledger.store.path))
    var checksum = 0
    print("raw LMDB cursor scan:")
    try await measure(events: rounds * events) {
        for _ in 0..<rounds { precondition(scanner.scan().count == events) }
    }
    print("readLog, RecordedEvent only:")
    try await measure(events: rounds * events) {
        for _ in 0..<rounds { try ledger.readLog { checksum &+= $0.payload.count } }
    }
    print("readLog + typed decode (CustomerEventRecord):")
    try await measure(events: rounds * events) {
        for _ in 0..<rounds {
            try ledger.readLog { recorded in
                if case .purchaseCompleted(let purchase) = try CustomerEventRecord(recorded).event { checksum &+= Int(purchase.amount.minorUnits) }
            }
        }
    }
    print("project(_:asOf:), in memory:")
    try await measure(events: rounds * events) {
        for _ in 0..<rounds { checksum &+= try ledger.project(CustomerActivityProjection(version: 1)).count }
    }
    print("(checksum \(checksum))")
    ledger.close()
default:
    print("unknown workload \(workload)")
    exit(2)
}
