import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct GroupCommitTests {
    @Test func sixtyFourConcurrentAppendersGetGaplessPositions() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let perTask = 25
        let results = try await withThrowingTaskGroup(of: [AppendResult].self) { group in
            for task in 0..<64 {
                group.addTask {
                    var mine: [AppendResult] = []
                    for _ in 0..<perTask {
                        mine.append(try await store.append([sampleEvent()], to: StreamID("C\(task)")))
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let total = 64 * perTask
        // Every caller got its own position, together exactly 1...total.
        #expect(results.map(\.positions.lowerBound.rawValue).sorted() == Array(1...UInt64(total)))
        let log = try store.allEvents()
        #expect(log.map(\.position.rawValue) == Array(1...UInt64(total)))
        // Each stream's versions follow its own appends in order.
        for task in 0..<64 {
            let versions = try store.allEvents(in: StreamID("C\(task)")).map(\.version.rawValue)
            #expect(versions == Array(1...UInt64(perTask)))
        }
        #expect(store.committedGroups <= total)
    }

    @Test func oneFailingCallerDoesNotFailTheOthersInItsGroup() async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        try await store.append([sampleEvent()], to: "taken")
        let groupsBefore = store.committedGroups
        store.pauseWriter()
        // 10 appends queue up behind the paused writer: 8 good ones, a version conflict
        // and a second conflict, and all go into one transaction.
        let outcomes = await withTaskGroup(of: (Int, Result<AppendResult, LedgerError>).self) { group in
            for index in 0..<10 {
                group.addTask {
                    do throws(LedgerError) {
                        switch index {
                        case 3: return (index, .success(try await store.append([sampleEvent()], to: "taken", expecting: .noStream)))
                        case 6: return (index, .success(try await store.append([sampleEvent()], to: "bad6", expecting: .exactly(5))))
                        default: return (index, .success(try await store.append([sampleEvent()], to: StreamID("C\(index)"), expecting: .noStream)))
                        }
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while store.queuedAppends < 10 { try? await Task.sleep(for: .milliseconds(1)) }
            store.resumeWriter()
            return await group.reduce(into: [Int: Result<AppendResult, LedgerError>]()) { $0[$1.0] = $1.1 }
        }
        #expect(store.committedGroups == groupsBefore + 1, "all ten went into one group")
        for (index, outcome) in outcomes {
            switch (index, outcome) {
            case (3, .failure(let error)), (6, .failure(let error)):
                #expect(error.code == .wrongExpectedVersion)
            case (3, .success), (6, .success):
                Issue.record("append \(index) should have failed")
            case (_, .failure(let error)):
                Issue.record("append \(index) failed: \(error)")
            case (_, .success):
                break
            }
        }
        let log = try store.allEvents()
        #expect(log.count == 9)
        #expect(log.map(\.position.rawValue) == Array(1...9))
        #expect(try store.streamInfo("bad6") == nil)
        #expect(try store.allEvents(in: "taken").count == 1)
    }
}
