// A process for fault tests to run beside others, kill, or starve of disk: it appends known
// batches, runs a persistent projection, follows or reads the log, holds a read
// transaction, fills the disk or runs a load, printing what it has done (one line at a
// time, unbuffered) so the test knows what must have survived.
//
//   ledger-worker append PATH FIRST COUNT SIZE [inline|background]
//                                                appends batches FIRST..<FIRST+COUNT of SIZE
//                                                events each, printing "acked N" after each;
//                                                with a mode, PositionsFolded runs persistently
//                                                in that mode meanwhile
//   ledger-worker project PATH BATCH              runs PositionsFolded in the background,
//                                                BATCH events per checkpoint, printing
//                                                "folded N" after each, until killed
//   ledger-worker subscribe PATH COUNT SIZE       prints "subscribed", follows the log live
//                                                from its start until COUNT events, checking
//                                                order and whole batches of SIZE, then prints
//                                                "ok EVENTS DIGEST" or "bad PROBLEM"
//   ledger-worker read PATH COUNT SIZE            prints "reading", then reads the whole log
//                                                (one transaction) and one customer's stream
//                                                again and again until the log has COUNT
//                                                events: every read must be a gapless prefix
//                                                of whole batches of SIZE. Prints
//                                                "ok READS DISTINCT-HEADS" or "bad PROBLEM"
//   ledger-worker hold PATH                       begins a read transaction, prints "holding"
//                                                and keeps it open until killed
//   ledger-worker open PATH                       opens the ledger and prints "cleared N": the
//                                                reader slots of dead processes the open cleared
//   ledger-worker fill PATH LIMIT SIZE            limits this process's file size to LIMIT bytes
//                                                (RLIMIT_FSIZE, SIGXFSZ ignored; 0 for none),
//                                                appends batches of SIZE from 0 until one fails
//                                                ("acked N", then "failed N CODE: MESSAGE"),
//                                                waits for a line on standard input (space was
//                                                freed), lifts the limit, appends 5 more batches
//                                                and prints "recovered"
//   ledger-worker check PATH SIZE                 reads the whole log and verifies the chain:
//                                                "ok EVENTS BATCHES LARGEST-BATCH DIGEST" or
//                                                "bad PROBLEM"
//   ledger-worker load PATH SECONDS [APPENDERS [PROJECTORS]]
//                                                a mixed load (LoadRun: 32 appending and 4
//                                                projecting tasks unless given) for SECONDS,
//                                                then its report, ending "verdict ok" or
//                                                "verdict FAILED"
import CustomerLedger
import Foundation
import LedgerFaultSupport

/// Writes a line at once (unbuffered): the test reads it while this process may be killed.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// `RLIMIT_FSIZE` as `getrlimit` and `setrlimit` take it.
let RLIMIT_FSIZE_VALUE = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)

let usage = "usage: ledger-worker append PATH FIRST COUNT SIZE [inline|background] | project PATH BATCH | subscribe PATH COUNT SIZE | read PATH COUNT SIZE | hold PATH | open PATH | fill PATH LIMIT SIZE | check PATH SIZE | load PATH SECONDS [APPENDERS [PROJECTORS]]\n"
let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(2)
}
/// Argument `index` as a number; exits with the usage when it is not one.
func number(_ index: Int) -> Int {
    guard index < arguments.count, let value = Int(arguments[index]) else {
        FileHandle.standardError.write(Data("ledger-worker: argument \(index) is not a number\n".utf8) + Data(usage.utf8))
        exit(2)
    }
    return value
}
if arguments[1] == "fill", arguments.count == 5, number(3) > 0 {
    // Writes past the limit fail with EFBIG instead of killing the process.
    signal(SIGXFSZ, SIG_IGN)
    var limit = rlimit()
    getrlimit(RLIMIT_FSIZE_VALUE, &limit)
    limit.rlim_cur = rlim_t(number(3))
    guard setrlimit(RLIMIT_FSIZE_VALUE, &limit) == 0 else {
        FileHandle.standardError.write(Data("ledger-worker: setrlimit failed: \(String(cString: strerror(errno)))\n".utf8))
        exit(1)
    }
}
do {
    let ledger = try Ledger.open(at: arguments[2])
    switch arguments[1] {
    case "append" where arguments.count == 6 || arguments.count == 7:
        let first = number(3), count = number(4), size = number(5)
        // With a mode, PositionsFolded runs persistently while the batches are appended.
        var running: PersistentProjection<PositionsFolded>?
        if arguments.count == 7 {
            guard let mode = ["inline": ProjectionMode.inline, "background": .background][arguments[6]] else {
                FileHandle.standardError.write(Data(usage.utf8))
                exit(2)
            }
            running = try await ledger.startProjection(PositionsFolded(), mode: mode)
        }
        for batch in first..<(first + count) {
            _ = try await ledger.append(try FaultWorkload.batch(batch, size: size))
            say("acked \(batch)")
        }
        if let running { try await running.waitUntilCaughtUp() }
        say("done")
    case "project" where arguments.count == 4:
        var batching = ProjectionBatching()
        batching.events = number(3)
        let running = try await ledger.startProjection(PositionsFolded(), mode: .background, registry: EventTypeRegistry(), progress: { progress in
            say("folded \(progress.eventsDone)")
        }, batching: batching)
        say("running")
        try await running.waitUntilCaughtUp()
        say("caught up")
        while true { try await Task.sleep(for: .seconds(60)) }
    case "subscribe" where arguments.count == 5:
        let count = number(3), size = number(4)
        var check = LogOrderCheck { _ in size }
        say("subscribed")
        if count > 0 {
            for try await event in ledger.subscribe() {
                guard check.check(event), check.events < count else { break }
            }
        }
        if let problem = check.finish() { say("bad \(problem)") } else { say("ok \(check.events) \(check.digest)") }
    case "read" where arguments.count == 5:
        let count = number(3), size = number(4)
        say("reading")
        var reads = 0
        var heads: Set<Int> = []
        var problem: String?
        while problem == nil {
            // The log as one read transaction sees it: a prefix of whole batches.
            var check = LogOrderCheck { _ in size }
            try ledger.readLog(from: .start) { check.check($0) }
            problem = check.finish().map { "read \(reads + 1) of the log: \($0)" }
            // One customer's stream: versions 1, 2, 3… at rising positions.
            let customer = try StreamID("F\(reads % FaultWorkload.customers)")
            var version: UInt64 = 0, position: UInt64 = 0
            try ledger.readStream(customer) { event in
                if problem == nil, event.version.rawValue != version + 1 || event.position.rawValue <= position {
                    problem = "stream \(customer): version \(event.version.rawValue) at position \(event.position.rawValue) after version \(version) at \(position)"
                }
                version = event.version.rawValue
                position = event.position.rawValue
            }
            reads += 1
            heads.insert(check.events)
            if check.events >= count { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        say(problem.map { "bad \($0)" } ?? "ok \(reads) \(heads.count)")
    case "hold" where arguments.count == 3:
        var held = false
        try ledger.readLog(from: .start, limit: 1) { _ in
            held = true
            say("holding")
            // Blocks inside the read transaction: only a kill ends it.
            while true { sleep(60) }
        }
        if !held {
            FileHandle.standardError.write(Data("ledger-worker: hold needs a ledger with at least one event\n".utf8))
            exit(1)
        }
    case "open" where arguments.count == 3:
        say("cleared \(ledger.store.staleReadersClearedAtOpen)")
    case "fill" where arguments.count == 5:
        let size = number(4)
        var batch = 0
        while true {
            do {
                _ = try await ledger.append(try FaultWorkload.batch(batch, size: size))
                say("acked \(batch)")
                batch += 1
            } catch {
                say("failed \(batch) \(error)")
                break
            }
        }
        // The caller frees space, then says so with a line.
        _ = readLine()
        var limit = rlimit()
        getrlimit(RLIMIT_FSIZE_VALUE, &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(RLIMIT_FSIZE_VALUE, &limit)
        for next in batch..<(batch + 5) {
            _ = try await ledger.append(try FaultWorkload.batch(next, size: size))
            say("acked \(next)")
        }
        say("recovered")
    case "check" where arguments.count == 4:
        let size = number(3)
        var check = LogOrderCheck { _ in size }
        try ledger.readLog(from: .start) { check.check($0) }
        let report = try ledger.verify()
        if let problem = check.finish() {
            say("bad \(problem)")
        } else if let problem = report.problem {
            say("bad the chain does not verify: \(problem)")
        } else {
            say("ok \(check.events) \(check.batches) \(check.largestBatch) \(check.digest)")
        }
    case "load" where (4...6).contains(arguments.count):
        var settings = LoadRun.Settings(seconds: number(3))
        if arguments.count > 4 { settings.appenders = number(4) }
        if arguments.count > 5 { settings.projectors = number(5) }
        let report = await LoadRun(ledger: ledger, settings: settings, say: say).run()
        for line in report.lines { say(line) }
        ledger.close()
        exit(report.isCorrect ? 0 : 1)
    default:
        FileHandle.standardError.write(Data("ledger-worker: unknown command \(arguments[1]) or wrong argument count\n".utf8) + Data(usage.utf8))
        exit(2)
    }
    ledger.close()
} catch {
    FileHandle.standardError.write(Data("ledger-worker: \(error)\n".utf8))
    exit(1)
}
