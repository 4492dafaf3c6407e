// A process for fault tests to run beside others or kill: it appends known batches, runs a
// persistent projection, follows or reads the log, or holds a read transaction, printing
// what it has done (one line at a time, unbuffered) so the test knows what must have
// survived.
//
//   ledger-worker append PATH FIRST COUNT SIZE   appends batches FIRST..<FIRST+COUNT of SIZE
//                                                events each, printing "acked N" after each
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
import CustomerLedger
import Foundation
import LedgerFaultSupport

/// Writes a line at once (unbuffered): the test reads it while this process may be killed.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let usage = "usage: ledger-worker append PATH FIRST COUNT SIZE | project PATH BATCH | subscribe PATH COUNT SIZE | read PATH COUNT SIZE | hold PATH | open PATH\n"
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
do {
    let ledger = try Ledger.open(at: arguments[2])
    switch arguments[1] {
    case "append" where arguments.count == 6:
        let first = number(3), count = number(4), size = number(5)
        for batch in first..<(first + count) {
            _ = try await ledger.append(try FaultWorkload.batch(batch, size: size))
            say("acked \(batch)")
        }
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
    default:
        FileHandle.standardError.write(Data("ledger-worker: unknown command \(arguments[1]) or wrong argument count\n".utf8) + Data(usage.utf8))
        exit(2)
    }
    ledger.close()
} catch {
    FileHandle.standardError.write(Data("ledger-worker: \(error)\n".utf8))
    exit(1)
}
