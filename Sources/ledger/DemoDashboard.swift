import CustomerLedger
import Foundation

/// The demo's closing summary: what the ledger holds, from the library's projections.
struct DemoDashboard {
    let ledger: Ledger
    let output: OutputWriter
    let asOf: AsOf

    func print() throws {
        try output.line()
        try output.line("Dashboard as of \(Show.date(asOf.time)):")
        try eventCounts()
    }

    /// Events per type, read from the log without decoding payloads.
    private func eventCounts() throws {
        var counts: [String: Int] = [:]
        try ledger.readLog { counts[$0.type, default: 0] += 1 }
        try output.line()
        let table = TextTable([.left("EVENT TYPE"), .right("EVENTS")], output: output)
        for (type, count) in counts.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            try table.add([type, String(count)])
        }
        try table.finish()
    }
}
