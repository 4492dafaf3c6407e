import CustomerLedger
import Foundation
import LedgerFaultSupport
import Testing

/// The sustained mixed load of `ledger-worker load` (`Scripts/load-test` runs it for
/// minutes), here for a few seconds, and the tools it measures with.
///
/// The test checks what the load did, never how fast or how much memory: a shared machine
/// makes any bound on time flaky, and a few seconds of load are all warm-up, so the heap
/// has not settled yet. The long run reports both and judges the memory.
@Suite struct LoadTests {
    @Test(.timeLimit(.minutes(2))) func aShortMixedLoadKeepsEveryEventOnceInOrderWithNoError() async throws {
        let worker = try #require(Worker.executable, "ledger-worker was not built next to the tests")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("load-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger").path
        let load = try Worker.start(worker, ["load", path, "3"])
        let (status, output) = try await load.finish()
        print(output)
        #expect(status == 0, "ledger-worker load failed: \(output) \(load.errorOutput)")
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.last == "verdict ok")
        #expect(!lines.contains { $0.hasPrefix("failure:") })
        // "throughput: A appends (…), E events (…), P projections (…)"
        let throughput = try #require(lines.first { $0.hasPrefix("throughput: ") }).split(separator: " ")
        let appends = try #require(Int(throughput[1])), events = try #require(Int(throughput[4])), projections = try #require(Int(throughput[7]))
        #expect(appends > 0 && projections > 0)
        #expect(lines.contains("subscription: \(events) events of \(events), \(appends) batches of \(appends), in order, gapless, each batch once and whole"))
        #expect(lines.contains { $0.hasPrefix("append latency ms: p50 ") })
        #expect(lines.contains { $0.hasPrefix("projection latency ms: p50 ") })
        #expect(lines.contains { $0.hasPrefix("memory MiB: RSS start ") })

        // What the ledger holds agrees: every batch once, whole, in a gapless log.
        let ledger = try Ledger.open(at: path)
        defer { ledger.close() }
        var check = LogOrderCheck(batchSize: LoadWorkload.size(ofBatch:))
        try ledger.readLog(from: .start) { check.check($0) }
        #expect(check.finish() == nil)
        #expect(check.events == events)
        #expect(check.batches == appends)
        #expect(check.largestBatch == appends - 1)
        #expect(try ledger.verify().isIntact)
    }

    @Test func theHistogramsPercentilesAreWithinItsPrecision() {
        var low = LatencyHistogram(), high = LatencyHistogram()
        // 1…100,000 ns, shuffled, half in each histogram, then merged.
        var values = Array(UInt64(1)...100_000)
        var random = SplitMix(seed: 6)
        values.shuffle(using: &random)
        for (index, value) in values.enumerated() {
            if index % 2 == 0 { low.record(nanoseconds: value) } else { high.record(.nanoseconds(value)) }
        }
        low.add(high)
        #expect(low.count == 100_000)
        #expect(low.max == 100_000)
        for percent in [50.0, 90.0, 99.0, 99.9] {
            let exact = Double(percent) * 1_000
            let measured = Double(low.percentile(percent))
            #expect(measured >= exact && measured <= exact * 1.016, "p\(percent): \(measured) for \(exact)")
        }
        #expect(low.percentile(100) == 100_000)
        var small = LatencyHistogram()
        for value in [3, 3, 7, 120] as [UInt64] { small.record(nanoseconds: value) }
        #expect(small.percentile(50) == 3, "values below 128 are exact")
        #expect(small.percentile(75) == 7)
        #expect(LatencyHistogram().percentile(50) == 0)
    }

    @Test func theLogCheckNamesAGapARepeatAndABatchInPart() async throws {
        let fixture = try LedgerFixture()
        for batch in 0..<4 { _ = try await fixture.ledger.append(try FaultWorkload.batch(batch, size: 3)) }
        var events: [RecordedEvent] = []
        try fixture.ledger.readLog(from: .start) { events.append($0) }
        func problem(_ events: [RecordedEvent]) -> String? {
            var check = LogOrderCheck { _ in 3 }
            for event in events { check.check(event) }
            return check.finish()
        }
        #expect(problem(events) == nil)
        #expect(problem(Array(events[0..<11])) == "batch 3 has 2 of its 3 events")
        #expect(problem(Array(events[0..<4] + events[5...])) == "position 6 follows 4")
        var swapped = events
        swapped.swapAt(3, 4)
        #expect(problem(swapped) == "position 5 follows 3")
        var repeated = Array(events[0..<9])
        for index in 6..<9 {
            // Batch 0 again at positions 7…9, after batches 0 and 1.
            repeated[index] = events[index - 6]
            repeated[index].position = events[index].position
        }
        #expect(problem(repeated) == "batch 0 appears again at position 7")
        var outOfOrder = Array(events[0..<3])
        outOfOrder.swapAt(0, 1)
        outOfOrder[0].position = events[0].position
        outOfOrder[1].position = events[1].position
        #expect(problem(outOfOrder) == "event 1 of batch 0 at position 1, where event 0 was due")
    }
}
