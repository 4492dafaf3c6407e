import CustomerLedger
import Foundation
import Testing

/// Export to JSON Lines and import into a new ledger keep event ids, times, metadata and
/// the order, for a ledger like the demo's: built-in events in the binary layout, merges,
/// actors and correlation ids on every event (docs/audit.md, "An export and its import").
@Suite(.timeLimit(.minutes(2))) struct ExportImportRoundTripTests {
    @Test func theDemoExportedAndImportedIntoANewLedgerIsTheSameLogEventForEvent() async throws {
        try await withTemporaryFolder { folder in
            let original = folder.appendingPathComponent("original").path
            let copy = folder.appendingPathComponent("copy").path
            let exportFile = folder.appendingPathComponent("export.jsonl").path
            let demo = try await LedgerTool.run(["demo", "--customers", "12", "--path", original])
            #expect(demo.status == 0, "\(demo.stderr)")
            // A host's own event with custom metadata beside the built-in ones.
            try await appendDirectly([
                ProposedEvent(type: "acme.pointsEarned", occurredAt: Date(timeIntervalSince1970: 1_735_000_000.123456),
                              metadata: EventMetadata(correlationID: "batch-9", causationID: "rule-3", actor: "system:loyalty", custom: ["tenant": "eu"]),
                              payload: Data(#"{"points":12}"#.utf8)),
            ], to: "C-LOYAL", at: original)

            let exported = try await LedgerTool.run(["export", "--path", original, "--output", exportFile])
            #expect(exported.status == 0, "\(exported.stderr)")
            let imported = try await LedgerTool.run(["import", exportFile, "--path", copy])
            #expect(imported.status == 0, "\(imported.stderr)")

            let before = try storedEvents(at: original)
            let after = try storedEvents(at: copy)
            #expect(before.count > 100)
            #expect(after.count == before.count)
            // Order: the n-th event of one is the n-th of the other, at the same position.
            #expect(after.map(\.position) == before.map(\.position))
            #expect(after.map(\.id) == before.map(\.id))
            #expect(after.map(\.stream) == before.map(\.stream))
            #expect(after.map(\.version) == before.map(\.version))
            #expect(after.map(\.type) == before.map(\.type))
            #expect(after.map(\.occurredAt) == before.map(\.occurredAt))
            // Import keeps recordedAt: the export carries it and the new ledger is empty.
            #expect(after.map(\.recordedAt) == before.map(\.recordedAt))
            #expect(after.map(\.metadata) == before.map(\.metadata))
            #expect(after.map(\.contentType) == before.map(\.contentType))
            #expect(after.map(\.payload) == before.map(\.payload))
            #expect(after == before)
            // The demo's events carry who and why; they came through.
            #expect(after.filter { $0.metadata.actor != nil }.count == before.count)
            #expect(after.contains { $0.metadata.correlationID != nil } && after.contains { $0.metadata.causationID != nil })
            #expect(before.contains { $0.contentType == .ledgerBinary })

            // The copy exports to the very same bytes, so an auditor can compare the files' digests.
            let again = try await LedgerTool.run(["export", "--path", copy])
            #expect(again.stdout == (try String(contentsOfFile: exportFile, encoding: .utf8)))

            // The new ledger verifies: its chain is its own, computed as it appended.
            let verified = try await LedgerTool.run(["verify", "--path", copy, "--json"])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            // Every record was stored the same way (binary built-ins, type numbers in the same
            // first-use order), so the two chains are equal link for link (docs/audit.md).
            let sourceDigest = try jsonObject(try await LedgerTool.run(["digest", "--path", original]).stdout)
            let copyDigest = try jsonObject(try await LedgerTool.run(["digest", "--path", copy]).stdout)
            #expect(copyDigest["position"] as? Int == before.count)
            #expect(copyDigest["position"] as? Int == sourceDigest["position"] as? Int)
            #expect(copyDigest["hash"] as? String == sourceDigest["hash"] as? String)

            // Audits of the two agree, event for event.
            let customer = try #require(before.first { $0.type == "purchase.completed" }?.stream.rawValue)
            let auditBefore = try await LedgerTool.run(["audit", customer, "--as-of", "2025-12-31", "--json", "--path", original])
            let auditAfter = try await LedgerTool.run(["audit", customer, "--as-of", "2025-12-31", "--json", "--path", copy])
            #expect(auditBefore.status == 0 && auditAfter.status == 0)
            #expect(auditAfter.stdout == auditBefore.stdout)
        }
    }
}
