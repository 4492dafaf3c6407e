import Foundation
import LedgerCore
import LedgerLMDB
import Testing

/// A format-1 ledger (no chain links) is migrated when format 2 first opens it. The
/// format-1 ledgers here are format-2 ledgers rewritten with bare LMDB to what format 1
/// stored (``downgradeToFormat1(_:)``): records without links and with layout byte 1, a
/// 16-byte head, format version 1. Migrating one must give back the very same bytes.
@Suite struct ChainMigrationTests {
    @Test func aFormat1LedgerIsMigratedOnOpenKeepingEveryRecord() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 40)
        let chained = try RawLedgerFiles(folder.path).write { try $0.entries("log") }
        try downgradeToFormat1(folder.path)
        let unchained = try RawLedgerFiles(folder.path).write { try $0.entries("log") }
        #expect(unchained.allSatisfy { $0.value[0] == 1 })
        #expect(zip(unchained, chained).allSatisfy { $0.value.count + 32 == $1.value.count })

        let store = try LMDBEventStore.open(at: folder.path)
        let report = try store.verify()
        #expect(report.isIntact)
        #expect(report.eventsVerified == 40)
        #expect(try store.storageInfo().formatVersion == 2)
        #expect(try store.allEvents().count == 40)
        // Appends go on chaining after the migrated head.
        try await appendMarked(to: store, 41..<44)
        #expect(try store.verify().eventsVerified == 43)
        store.close()

        // The same positions and bytes as before the round trip, link included, and the
        // same head; the format is 2 and no migration state is left.
        let migrated = try RawLedgerFiles(folder.path).write { transaction in
            (
                try transaction.entries("log").prefix(40),
                try transaction.get("meta", key: Array("formatVersion".utf8)),
                try transaction.get("meta", key: Array("chainMigration".utf8))
            )
        }
        #expect(migrated.0.map(\.key) == chained.map(\.key))
        #expect(migrated.0.map(\.value) == chained.map(\.value))
        #expect(migrated.1 == [2, 0, 0, 0])
        #expect(migrated.2 == nil)
    }

    @Test func theHeadOfAMigratedLedgerIsTheOneItHadBefore() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 7)
        let before = try RawLedgerFiles(folder.path).write { try $0.get("meta", key: Array("head".utf8)) }
        try downgradeToFormat1(folder.path)
        try LMDBEventStore.open(at: folder.path).close()
        let after = try RawLedgerFiles(folder.path).write { try $0.get("meta", key: Array("head".utf8)) }
        #expect(after == before)
        #expect(after?.count == 48)
    }

    @Test func anInterruptedMigrationResumesWhereItStopped() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 20)
        let chained = try RawLedgerFiles(folder.path).write { try $0.entries("log") }
        try downgradeToFormat1(folder.path)

        // Two transactions of three records, then the process "dies".
        let finished = try LMDBEventStore.migrateToChainedFormat(at: folder.path, recordsPerTransaction: 3, transactionLimit: 2)
        #expect(!finished)
        let halfway = try RawLedgerFiles(folder.path).write { transaction in
            (
                try transaction.entries("log"),
                try transaction.get("meta", key: Array("formatVersion".utf8)),
                try transaction.get("meta", key: Array("chainMigration".utf8))
            )
        }
        #expect(halfway.0.map { $0.value[0] } == Array(repeating: 2, count: 6) + Array(repeating: 1, count: 14))
        #expect(halfway.0.prefix(6).map(\.value) == chained.prefix(6).map(\.value))
        #expect(halfway.1 == [1, 0, 0, 0])  // still format 1: the next open migrates the rest
        let state = try #require(halfway.2)
        #expect(Array(state.prefix(8)) == withUnsafeBytes(of: UInt64(7).littleEndian) { Array($0) })  // next position
        #expect(Array(state.suffix(32)) == Array(chained[5].value.suffix(32)))  // the link of position 6

        // A little more in small steps, then the rest on open.
        #expect(try !LMDBEventStore.migrateToChainedFormat(at: folder.path, recordsPerTransaction: 5, transactionLimit: 1))
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        #expect(try store.verify().isIntact)
        let migrated = try RawLedgerFiles(folder.path).write { try $0.entries("log") }
        #expect(migrated.map(\.value) == chained.map(\.value))
    }

    @Test func anEmptyFormat1LedgerIsMigrated() throws {
        let folder = TemporaryFolder()
        try LMDBEventStore.open(at: folder.path).close()
        try downgradeToFormat1(folder.path)
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        #expect(try store.verify().isIntact)
        #expect(try store.digest().hash == .genesis)
    }

    @Test func aGapInAFormat1LedgerIsMigratedAndThenReported() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 10)
        try downgradeToFormat1(folder.path)
        try RawLedgerFiles(folder.path).write { transaction in
            let deleted = try transaction.delete("log", key: positionKey(4))
            #expect(deleted)
        }
        // The migration chains what is there (a damaged ledger still opens and reads);
        // verification names the gap.
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let report = try store.verify()
        #expect(report.problem?.kind == .missingEvent)
        #expect(report.problem?.position == 4)
    }

    @Test func aRecordOfAnUnknownLayoutStopsTheMigration() async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 5)
        try downgradeToFormat1(folder.path)
        try RawLedgerFiles(folder.path).write { transaction in
            var record = try #require(try transaction.get("log", key: positionKey(3)))
            record[0] = 9
            try transaction.put("log", key: positionKey(3), value: record)
        }
        let error = #expect(throws: LedgerError.self) { try LMDBEventStore.open(at: folder.path) }
        #expect(error?.code == .corrupted)
        #expect(error?.message.contains("position 3") == true)
        // The batch holding the bad record was rolled back whole; the ledger is still format 1.
        let format = try RawLedgerFiles(folder.path).write { try $0.get("meta", key: Array("formatVersion".utf8)) }
        #expect(format == [1, 0, 0, 0])
    }
}
