import Foundation
import LedgerCore
@testable import LedgerLMDB
import Testing

/// The storage underneath persistent projections: state, checkpoints and versions change
/// only through writes on the writer thread, each all or nothing.
@Suite struct ProjectionStorageTests {
    @Test func aWriteStoresStateAndCheckpointTogetherAndScansKeysInOrder() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await store.writeProjections { storage in
            for key in ["C3", "C1", "C2"] { try storage.setState("byChannel", version: 1, key: key, Array(key.utf8)) }
            try storage.setState("byChannel", version: 2, key: "C9", [9])
            try storage.setCheckpoint("byChannel", version: 1, 42)
            try storage.setActiveVersion("byChannel", 1)
        }
        try store.readProjections { storage throws in
            #expect(try storage.state("byChannel", version: 1, key: "C2") == Array("C2".utf8))
            #expect(try storage.state("byChannel", version: 1, key: "C9") == nil)
            #expect(try storage.checkpoint("byChannel", version: 1) == 42)
            #expect(try storage.checkpoint("byChannel", version: 2) == nil)
            #expect(try storage.activeVersion("byChannel") == 1)
            var keys: [String] = []
            try storage.forEachState("byChannel", version: 1, from: "C2") { key, _ in keys.append(key); return true }
            #expect(keys == ["C2", "C3"])
            #expect(try storage.stateCount("byChannel", version: 1) == 3)
            #expect(throws: LedgerError.self) { try storage.setState("byChannel", version: 1, key: "C1", nil) }
        }
        let removed = try await store.writeProjections { storage in try storage.removeVersion("byChannel", version: 1) }
        #expect(removed == 4)
        try store.readProjections { storage throws in
            #expect(try storage.stateCount("byChannel", version: 1) == 0)
            #expect(try storage.stateCount("byChannel", version: 2) == 1)
        }
    }

    @Test func aFailingWriteLeavesNothingAndDoesNotDisturbTheGroup() async throws {
        struct Refused: Error {}
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        store.pauseWriter()
        async let failing: Void = store.writeProjections { storage in
            try storage.setState("p", version: 1, key: "half", [1])
            throw Refused()
        }
        async let append = store.append([sampleEvent()], to: "C1")
        async let succeeding: Void = store.writeProjections { storage in try storage.setState("p", version: 1, key: "whole", [2]) }
        while store.queuedAppends < 3 { try await Task.sleep(for: .milliseconds(1)) }
        store.resumeWriter()
        var failed = false
        do { try await failing } catch is LedgerError { failed = true }
        #expect(failed)
        _ = try await append
        try await succeeding
        try store.readProjections { storage throws in
            #expect(try storage.state("p", version: 1, key: "half") == nil)
            #expect(try storage.state("p", version: 1, key: "whole") == [2])
        }
        #expect(try store.allEvents().count == 1)
    }

    @Test func anInlineHookSeesTheAppendsEventsAndItsFailureRollsTheAppendBack() async throws {
        struct Refused: Error {}
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        store.setInlineProjectionHook { events, storage in
            if events.contains(where: { $0.type == "refused" }) { throw Refused() }
            for event in events {
                try storage.setState("count", version: 1, key: event.stream.rawValue, [UInt8(event.version.rawValue)])
                try storage.setCheckpoint("count", version: 1, event.position)
            }
        }
        try await store.append([sampleEvent(), sampleEvent()], to: "C1")
        await #expect(throws: LedgerError.self) { try await store.append([ProposedEvent(type: "refused", payload: Data())], to: "C2") }
        try await store.append([sampleEvent()], to: "C3")
        #expect(try store.allEvents().map(\.stream) == ["C1", "C1", "C3"])
        #expect(try store.allEvents().map(\.position.rawValue) == [1, 2, 3])
        try store.readProjections { storage throws in
            #expect(try storage.state("count", version: 1, key: "C1") == [2])
            #expect(try storage.state("count", version: 1, key: "C2") == nil)
            #expect(try storage.state("count", version: 1, key: "C3") == [1])
            #expect(try storage.checkpoint("count", version: 1) == 3)
        }
        store.setInlineProjectionHook(nil)
        try await store.append([ProposedEvent(type: "refused", payload: Data())], to: "C2")
        #expect(try store.allEvents().count == 4)
    }
}
