import CustomerLedger
import Foundation
import LedgerFaultSupport
import Testing

/// A reader process killed while it holds a read transaction: its reader slot keeps
/// pinning the snapshot it read, so LMDB cannot reuse the pages later commits free and the
/// data file grows with every commit. The next open (in any process) clears the slot, and
/// from then on the file stops growing for the same workload.
@Suite struct DeadReaderTests {
    @Test(.timeLimit(.minutes(2))) func aKilledReadersSlotIsClearedAtTheNextOpenAndTheFileStopsGrowing() async throws {
        let worker = try #require(Worker.executable, "ledger-worker was not built next to the tests")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dead-reader-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger").path
        // Relaxed: the pages a commit writes are the same, without a sync per append.
        var options = LMDBEventStore.Options()
        options.durability = .relaxed
        let ledger = try Ledger.open(at: path, options: options)
        defer { ledger.close() }
        var next = 0
        /// Appends `count` one-event batches, each its own transaction (each copies the
        /// pages it changes and frees the old ones), and returns how much data.mdb grew.
        func growth(appending count: Int) async throws -> Int {
            let before = try ledger.store.storageInfo().fileSize
            for _ in 0..<count {
                _ = try await ledger.append(try FaultWorkload.batch(next, size: 1))
                next += 1
            }
            return try ledger.store.storageInfo().fileSize - before
        }
        _ = try await growth(appending: 300)  // the trees' upper levels exist; freed pages circulate
        let unpinned = try await growth(appending: 300)

        let holder = try Worker.start(worker, ["hold", path])
        try await holder.waitForLine("holding")
        let pid = holder.processID
        #expect(try ledger.store.readerSlots().contains { $0.processID == pid && $0.transaction != nil }, "the holder's slot pins its snapshot")
        let pinnedByALiveReader = try await growth(appending: 300)
        try await holder.kill()
        #expect(try ledger.store.readerSlots().contains { $0.processID == pid && $0.transaction != nil }, "LMDB does not notice the death by itself")
        let pinnedByADeadReader = try await growth(appending: 300)

        // The next open, in another process while this one has the ledger open, clears it.
        let opener = try Worker.start(worker, ["open", path])
        #expect(try await opener.waitForLine(prefix: "cleared") == "cleared 1")
        #expect(try await opener.finish().status == 0)
        #expect(try !ledger.store.readerSlots().contains { $0.processID == pid }, "the dead reader's slot is free")
        let cleared = try await growth(appending: 300)
        let later = try await growth(appending: 300)
        print("dead reader: data.mdb grew by \(unpinned) bytes for 300 commits with no reader, \(pinnedByALiveReader) with a live reader pinning a snapshot, \(pinnedByADeadReader) after it was killed, \(cleared) and \(later) after the next open cleared its slot")

        // A pinned snapshot makes every commit take new pages: the file grows many times faster…
        #expect(pinnedByALiveReader > 4 * max(unpinned, 64 << 10))
        #expect(pinnedByADeadReader > 4 * max(unpinned, 64 << 10))
        // …and once the slot is cleared the freed pages are reused: no more than without a reader.
        #expect(cleared <= max(unpinned, 64 << 10))
        #expect(later <= max(unpinned, 64 << 10))
        // Nothing was lost meanwhile.
        var check = LogOrderCheck { _ in 1 }
        try ledger.readLog(from: .start) { check.check($0) }
        #expect(check.finish() == nil)
        #expect(check.events == next)
    }
}
