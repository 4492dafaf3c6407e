import Crypto
import Foundation
import LedgerCore
import LedgerLMDB
import Testing

/// The hash chain as docs/format.md and docs/audit-chain.md describe it, checked from the
/// outside: an independent SHA-256 over the raw `log` values, the head, the digest.
@Suite struct ChainTests {
    @Test func everyRecordEndsWithTheDocumentedLink() async throws {
        let folder = TemporaryFolder()
        do {
            let store = try LMDBEventStore.open(at: folder.path)
            defer { store.close() }
            try await store.append([sampleEvent("a"), sampleEvent("b", metadata: EventMetadata(actor: "ada"))], to: "C1")
            _ = try await store.append([
                StreamAppend(stream: "C2", events: [sampleEvent("c")]),
                StreamAppend(stream: "C1", events: [sampleEvent("a", body: "{}")]),
            ])
            try await store.append([sampleEvent("d", body: String(repeating: "x", count: 10_000))], to: "C3")  // an overflow page
        }
        let (records, head) = try RawLedgerFiles(folder.path).write { transaction in
            (try transaction.entries("log"), try #require(try transaction.get("meta", key: Array("head".utf8))))
        }
        #expect(records.map(\.key) == (1...5).map { positionKey($0) })
        var previous = [UInt8](repeating: 0, count: 32)  // the genesis link
        for (_, value) in records {
            #expect(value[0] == 2)  // layout 2
            let body = value.dropLast(32)
            var hasher = SHA256()
            hasher.update(data: previous)
            hasher.update(data: Array(body))
            let link = Array(hasher.finalize())
            #expect(Array(value.suffix(32)) == link)
            previous = link
        }
        // The head: position 5, its recordedAt, the last link.
        #expect(head.count == 48)
        #expect(Array(head.prefix(8)) == withUnsafeBytes(of: UInt64(5).littleEndian) { Array($0) })
        #expect(Array(head.suffix(32)) == previous)

        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let digest = try store.digest()
        #expect(digest.position == 5)
        #expect(digest.hash.bytes == previous)
        let report = try store.verify()
        #expect(report.isIntact)
        #expect(report.lastHash == digest.hash)
        // The records still read as they were written.
        #expect(try store.allEvents().map(\.type) == ["a", "b", "c", "a", "d"])
        #expect(try store.allEvents()[1].metadata.actor == "ada")
        var payloadSizes: [Int] = []
        try store.readStoredEvents(of: "C1") { payloadSizes.append($0.payload.count) }
        #expect(payloadSizes == [35, 35, 2])
    }

    @Test func anEmptyLedgerVerifiesAndItsDigestIsTheGenesis() throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let report = try store.verify()
        #expect(report.isIntact)
        #expect(report.eventsVerified == 0)
        #expect(report.lastVerified == .start)
        let digest = try store.digest()
        #expect(digest.position == .start)
        #expect(digest.hash == .genesis)
        #expect(digest.hash.hex == String(repeating: "0", count: 64))
    }

    @Test(arguments: [1, 2, 3, 7, 100_000])
    func verificationStreamsInBoundedTransactionsAndReportsProgress(_ recordsPerTransaction: Int) async throws {
        let folder = TemporaryFolder()
        try await makeMarkedLedger(at: folder.path, count: 20)
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        var seen: [VerificationProgress] = []
        let report = try store.verify(recordsPerTransaction: recordsPerTransaction) { seen.append($0) }
        #expect(report.isIntact)
        #expect(report.eventsVerified == 20)
        #expect(report.lastVerified == 20)
        // One report per read transaction: each holds at most recordsPerTransaction records.
        #expect(seen.count == 20 / recordsPerTransaction + 1)
        #expect(seen.allSatisfy { $0.total == 20 })
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.verified <= $1.verified && $1.verified - $0.verified <= UInt64(recordsPerTransaction) })
        #expect(seen.last?.verified == 20)
        #expect(seen.last?.position == 20)
    }

    @Test(.timeLimit(.minutes(1))) func theChainHoldsAcrossGroupsRollbacksAndOtherProcesses() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        // Concurrent appends, coalesced into shared transactions.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<32 {
                group.addTask { try await store.append([sampleEvent(), sampleEvent()], to: StreamID(validated: "C\(task % 5)")) }
            }
            try await group.waitForAll()
        }
        // An append whose inline projection fails is rolled back with its links.
        struct Refused: Error {}
        store.setInlineProjectionHook { events, _ in
            if events.contains(where: { $0.type == "refused" }) { throw Refused() }
        }
        await #expect(throws: LedgerError.self) { try await store.append([sampleEvent("refused")], to: "C1") }
        try await store.append([sampleEvent("kept")], to: "C1")
        store.setInlineProjectionHook(nil)
        // Another process appends: the next append here chains to its event.
        let run = try runLedger(["append", "--path", folder.path, "--customer", "C9", "--type", "other.process", "--data", "{}"])
        #expect(run.status == 0, "ledger append failed: \(run.stderr)")
        try await store.append([sampleEvent("after")], to: "C1")
        // An idempotent retry is still recognised with the link behind the stored record.
        let retried = sampleEvent("retried")
        try await store.append([retried], to: "C2")
        #expect(try await store.append([retried], to: "C2").wasAlreadyStored)

        let report = try store.verify(recordsPerTransaction: 10)
        #expect(report.isIntact, "\(String(describing: report.problem))")
        #expect(report.eventsVerified == 64 + 4)
        #expect(try store.digest().hash == report.lastHash)
    }

    @Test func aDigestRoundTripsThroughJSON() throws {
        let digest = LedgerDigest(
            position: 1042,
            hash: try #require(ChainHash(hex: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")),
            time: Date(microsecondsSince1970: 1_795_000_000_123_456)
        )
        let json = try JSONEncoder().encode(digest)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["position"] as? Int == 1042)
        #expect(object["hash"] as? String == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        #expect(object["time"] as? String == "2026-11-18T11:06:40.123456Z")
        #expect(try JSONDecoder().decode(LedgerDigest.self, from: json) == digest)
        let wholeSeconds = #"{"position":1,"hash":"\#(ChainHash.genesis.hex)","time":"2026-11-18T11:06:40Z"}"#
        #expect(try JSONDecoder().decode(LedgerDigest.self, from: Data(wholeSeconds.utf8)).time == Date(timeIntervalSince1970: 1_795_000_000))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LedgerDigest.self, from: Data(#"{"position":1,"hash":"abc","time":"2026-11-18T11:06:40Z"}"#.utf8))
        }
    }

    @Test func chainHashesReadOnlyExactlyThirtyTwoBytes() {
        #expect(ChainHash(hex: String(repeating: "a", count: 63)) == nil)
        #expect(ChainHash(hex: String(repeating: "g", count: 64)) == nil)
        #expect(ChainHash(bytes: [UInt8](repeating: 1, count: 31)) == nil)
        let bytes = (0..<32).map { UInt8($0 * 7) }
        let hash = ChainHash(bytes: bytes)
        #expect(hash?.bytes == bytes)
        #expect(hash.flatMap { ChainHash(hex: $0.hex) } == hash)
        #expect(Set([hash, ChainHash(bytes: bytes), .genesis]).count == 2)
    }
}
