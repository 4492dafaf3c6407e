import CustomerLedger
import Foundation
import LedgerFaultSupport
import Testing

/// Running out of room: at the configured maximum map size, and when the file system
/// refuses a write (here the file size limit, which needs no root; `Scripts/full-disk`
/// fills a real file system). Either way the error says so, nothing acknowledged is lost,
/// the ledger opens and reads, and appends go on once there is room again.
@Suite struct FullDiskTests {
    static let batchSize = 25

    /// What a ledger holds: its whole log checked as batches of ``batchSize``.
    private func stored(in ledger: Ledger) throws -> LogOrderCheck {
        var check = LogOrderCheck { _ in Self.batchSize }
        try ledger.readLog(from: .start) { check.check($0) }
        #expect(check.finish() == nil)
        #expect(try ledger.verify().isIntact, "the chain verifies")
        return check
    }

    @Test func appendsStopAtTheMaximumMapSizeWithAClearErrorAndGoOnOnceItIsRaised() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("map-full-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger").path
        var options = LMDBEventStore.Options()
        options.durability = .relaxed
        options.initialMapSize = 64 << 10
        options.maximumMapSize = 1 << 20
        var acknowledged = 0
        do {
            let ledger = try Ledger.open(at: path, options: options)
            defer { ledger.close() }
            var failure: LedgerError?
            while failure == nil, acknowledged < 10_000 {
                let batch = try FaultWorkload.batch(acknowledged, size: Self.batchSize)
                do {
                    _ = try await ledger.append(batch)
                    acknowledged += 1
                } catch {
                    failure = error
                }
            }
            let error = try #require(failure, "1 MiB never filled up")
            #expect(error.code == .ledgerFull)
            #expect(error.message == "The ledger reached its maximum size of 1048576 bytes (Options.maximumMapSize). Nothing of this append was written; raise the maximum and reopen.")
            #expect(try ledger.head().rawValue == UInt64(acknowledged * Self.batchSize), "the failed batch left nothing")
            // The ledger still reads, and stays full.
            #expect(try stored(in: ledger).batches == acknowledged)
            await #expect(throws: LedgerError.self) { try await ledger.append(try FaultWorkload.batch(acknowledged, size: Self.batchSize)) }
        }
        // Reopened with the same maximum: everything acknowledged is there, and it is still full.
        do {
            let ledger = try Ledger.open(at: path, options: options)
            defer { ledger.close() }
            let check = try stored(in: ledger)
            #expect(check.batches == acknowledged)
            #expect(check.largestBatch == acknowledged - 1)
            let batch = try FaultWorkload.batch(acknowledged, size: Self.batchSize)
            do {
                _ = try await ledger.append(batch)
                Issue.record("an append past the maximum succeeded")
            } catch {
                #expect(error.code == .ledgerFull)
            }
        }
        // Raised: appends go on where they stopped.
        options.maximumMapSize = 4 << 20
        let ledger = try Ledger.open(at: path, options: options)
        defer { ledger.close() }
        for batch in acknowledged..<(acknowledged + 5) {
            _ = try await ledger.append(try FaultWorkload.batch(batch, size: Self.batchSize))
        }
        let check = try stored(in: ledger)
        #expect(check.batches == acknowledged + 5)
        #expect(check.largestBatch == acknowledged + 4)
    }

    /// `ledger-worker fill` limits its own file size (RLIMIT_FSIZE, SIGXFSZ ignored), so
    /// LMDB's writes past 1 MiB fail as they would on a full disk: with EFBIG, or with EIO
    /// when the file system takes a write in part (LMDB's name for a short write).
    @Test(.timeLimit(.minutes(2))) func aWriteTheFileSystemRefusesFailsClearlyLosesNothingAndAppendsResumeOnceThereIsRoom() async throws {
        let worker = try #require(Worker.executable, "ledger-worker was not built next to the tests")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("file-limit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger").path
        let filler = try Worker.start(worker, ["fill", path, "\(1 << 20)", "\(Self.batchSize)"])
        let failure = try await filler.waitForLine(prefix: "failed")
        let acknowledged = filler.lines.filter { $0.hasPrefix("acked ") }.compactMap { Int($0.dropFirst(6)) }
        #expect(acknowledged == Array(0..<acknowledged.count), "batches are acknowledged in order")
        #expect(acknowledged.count > 10, "the worker appended too little to test anything")
        let failedBatch = acknowledged.count
        print("full disk (file size limit): \(failure)")
        #expect(failure.hasPrefix("failed \(failedBatch) storageFailure: Committing a write transaction: "))
        #expect(failure.contains("the file size limit was reached"))
        #expect(failure.contains("(File too large)") || failure.contains("(Input/output error)"))
        #expect(failure.contains("Nothing of this write was committed") || failure.contains("A write that fails so is not committed"))
        #expect(failure.contains("this process may write files of up to 1048576 bytes (RLIMIT_FSIZE)"))

        // While the worker waits with its ledger open, the ledger opens and reads here:
        // every acknowledged batch whole, the failed one absent.
        do {
            let ledger = try Ledger.open(at: path)
            defer { ledger.close() }
            let check = try stored(in: ledger)
            #expect(check.batches == acknowledged.count)
            #expect(check.largestBatch == acknowledged.count - 1)
        }
        // Room again (the worker lifts its limit): the same process appends again.
        filler.send("room")
        try await filler.waitForLine("recovered")
        #expect(try await filler.finish().status == 0)
        let ledger = try Ledger.open(at: path)
        defer { ledger.close() }
        let check = try stored(in: ledger)
        #expect(check.batches == failedBatch + 5, "the failed batch appended again, and four more")
        #expect(check.largestBatch == failedBatch + 4)
    }
}
