import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct ExpectedVersionConflictTests {
    /// Each expectation against a stream with two events or none, and whether it conflicts.
    @Test(arguments: [
        (ExpectedVersion.noStream, UInt64(2), true),
        (.streamExists, 0, true),
        (.exactly(1), 2, true),
        (.exactly(3), 2, true),
        (.exactly(0), 2, true),
        (.exactly(2), 0, true),
        (.noStream, 0, false),
        (.streamExists, 2, false),
        (.exactly(2), 2, false),
        (.any, 0, false),
        (.any, 2, false),
    ])
    func conflictCarriesExpectedAndActual(expected: ExpectedVersion, existing: UInt64, conflicts: Bool) async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        if existing > 0 {
            try await store.append((0..<existing).map { _ in sampleEvent() }, to: "C1")
        }
        if conflicts {
            let error = await #expect(throws: LedgerError.self) {
                try await store.append([sampleEvent()], to: "C1", expecting: expected)
            }
            #expect(error?.code == .wrongExpectedVersion)
            #expect(error?.expectedVersion == expected)
            #expect(error?.actualVersion == StreamVersion(existing))
            #expect(error?.stream == "C1")
            #expect(error?.message.contains("expected \(expected)") == true)
            #expect(try store.totals().eventCount == existing, "nothing written")
        } else {
            let result = try await store.append([sampleEvent()], to: "C1", expecting: expected)
            #expect(result.versions == StreamVersion(existing + 1)...StreamVersion(existing + 1))
        }
    }
}
