// A process for fault tests to kill: it appends known batches or runs a persistent
// projection, printing what it has done so the test knows what must have survived.
//
//   ledger-worker append PATH FIRST COUNT SIZE   appends batches FIRST..<FIRST+COUNT of SIZE
//                                                events each, printing "acked N" after each
//   ledger-worker project PATH BATCH              runs PositionsFolded in the background,
//                                                BATCH events per checkpoint, printing
//                                                "folded N" after each, until killed
import CustomerLedger
import Foundation
import LedgerFaultSupport

/// Writes a line at once (unbuffered): the test reads it while this process may be killed.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: ledger-worker append PATH FIRST COUNT SIZE | project PATH BATCH\n".utf8))
    exit(2)
}
do {
    let ledger = try Ledger.open(at: arguments[2])
    switch arguments[1] {
    case "append" where arguments.count == 6:
        let first = Int(arguments[3])!, count = Int(arguments[4])!, size = Int(arguments[5])!
        for batch in first..<(first + count) {
            _ = try await ledger.append(try FaultWorkload.batch(batch, size: size))
            say("acked \(batch)")
        }
        say("done")
    case "project" where arguments.count == 4:
        var batching = ProjectionBatching()
        batching.events = Int(arguments[3])!
        let running = try await ledger.startProjection(PositionsFolded(), mode: .background, registry: EventTypeRegistry(), progress: { progress in
            say("folded \(progress.eventsDone)")
        }, batching: batching)
        say("running")
        try await running.waitUntilCaughtUp()
        say("caught up")
        while true { try await Task.sleep(for: .seconds(60)) }
    default:
        FileHandle.standardError.write(Data("ledger-worker: unknown command \(arguments[1]) or wrong argument count\n".utf8))
        exit(2)
    }
    ledger.close()
} catch {
    FileHandle.standardError.write(Data("ledger-worker: \(error)\n".utf8))
    exit(1)
}
