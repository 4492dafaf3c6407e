import Foundation
import LedgerCore
import LedgerLMDB
import Testing

@Suite struct ReadTests {
    /// 30 events: stream S\(i % 3), types alternating a/b/c by i % 3... and d every 5th.
    static func filledStore(_ folder: borrowing TemporaryFolder) async throws -> LMDBEventStore {
        let store = try LMDBEventStore.open(at: folder.path)
        for index in 0..<30 {
            let type = index % 5 == 0 ? "d" : ["a", "b", "c"][index % 3]
            try await store.append([sampleEvent(type, body: "{\"i\":\(index)}")], to: StreamID("S\(index % 3)"))
        }
        return store
    }

    @Test func logForwardAndBackwardFromTheMiddle() async throws {
        let folder = TemporaryFolder()
        let store = try await Self.filledStore(folder)
        defer { store.close() }
        var forward: [UInt64] = []
        try store.readLog(from: 10, direction: .forward, filter: .all, limit: 5) { forward.append($0.position.rawValue) }
        #expect(forward == [10, 11, 12, 13, 14])
        var backward: [UInt64] = []
        try store.readLog(from: 10, direction: .backward, filter: .all, limit: 4) { backward.append($0.position.rawValue) }
        #expect(backward == [10, 9, 8, 7])
        var fromEnd: [UInt64] = []
        try store.readLog(from: .end, direction: .backward, filter: .all, limit: 3) { fromEnd.append($0.position.rawValue) }
        #expect(fromEnd == [30, 29, 28])
        var pastEnd: [UInt64] = []
        try store.readLog(from: 31, direction: .forward, filter: .all, limit: .max) { pastEnd.append($0.position.rawValue) }
        #expect(pastEnd.isEmpty)
        var beyondBackward: [UInt64] = []
        try store.readLog(from: 1000, direction: .backward, filter: .all, limit: 2) { beyondBackward.append($0.position.rawValue) }
        #expect(beyondBackward == [30, 29])
    }

    @Test func logFilteredByType() async throws {
        let folder = TemporaryFolder()
        let store = try await Self.filledStore(folder)
        defer { store.close() }
        var dOnly: [UInt64] = []
        try store.readLog(from: .start, direction: .forward, filter: .only(["d"]), limit: .max) { dOnly.append($0.position.rawValue) }
        #expect(dOnly == [1, 6, 11, 16, 21, 26])
        var twoTypes: [String] = []
        try store.readLog(from: 20, direction: .backward, filter: .only(["d", "a"]), limit: 3) { twoTypes.append("\($0.position):\($0.type)") }
        #expect(twoTypes == ["19:a", "16:d", "13:a"])
        var unknown = 0
        try store.readLog(from: .start, direction: .forward, filter: .only(["never.stored"]), limit: .max) { _ in unknown += 1 }
        #expect(unknown == 0)
    }

    /// The lent events of a log pass say what the owned copies say, with the same filter.
    @Test func storedLogLendsWhatTheLogReads() async throws {
        let folder = TemporaryFolder()
        let store = try await Self.filledStore(folder)
        defer { store.close() }
        for (start, filter) in [(LogPosition.start, EventTypeFilter.all), (10, .only(["d", "b"])), (31, .all), (1, .only(["never.stored"]))] {
            var owned: [RecordedEvent] = []
            try store.readLog(from: start, direction: .forward, filter: filter, limit: .max) { owned.append($0) }
            var lent: [String] = []
            try store.readStoredLog(from: start, filter: filter) { stored in
                let stream = try stored.stream()
                let sameStream = stored.isInStream(stream)
                let otherStreams = stored.isInStream("S") || stored.isInStream("S10")
                #expect(sameStream && !otherStreams)
                lent.append("\(stored.position) \(stored.type) \(stream) v\(stored.version) \(stored.id) \(stored.occurredAt) \(Array(stored.payload))")
            }
            #expect(lent == owned.map { "\($0.position) \($0.type) \($0.stream) v\($0.version) \($0.id) \($0.occurredAt) \(Array($0.payload))" })
        }
    }

    /// A stream read finds its records a run of 32 at a time before lending them: streams
    /// around and beyond that size, written in one append, interleaved with another stream,
    /// or first in one append and then interleaved, read whole and in order.
    @Test(arguments: [31, 32, 33, 64, 65, 150], ["interleaved", "one append", "one append, then interleaved"])
    func storedStreamReadsAcrossRuns(_ count: Int, _ layout: String) async throws {
        let folder = TemporaryFolder()
        let store = try LMDBEventStore.open(at: folder.path)
        defer { store.close() }
        let together = layout == "interleaved" ? 0 : layout == "one append" ? count : count / 2
        try await store.append([sampleEvent("first")], to: "neighbour")
        if together > 0 {
            try await store.append((0..<together).map { sampleEvent($0 % 2 == 0 ? "even" : "odd", body: "{\"i\":\($0)}") }, to: "long")
        }
        try await store.append([sampleEvent("between")], to: "neighbour")
        for index in together..<count {
            try await store.append([sampleEvent(index % 2 == 0 ? "even" : "odd", body: "{\"i\":\(index)}")], to: "long")
            if index % 7 == 0 { try await store.append([sampleEvent("other")], to: "neighbour") }
        }
        var owned: [String] = []
        try store.readStream("long", from: .first, direction: .forward, limit: .max) { owned.append("\($0.version) \($0.type) \(Array($0.payload))") }
        var lent: [String] = []
        try store.readStoredEvents(of: "long") { lent.append("\($0.version) \($0.type) \(Array($0.payload))") }
        #expect(lent.count == count)
        #expect(lent == owned)
    }

    @Test func streamForwardAndBackwardFromTheMiddle() async throws {
        let folder = TemporaryFolder()
        let store = try await Self.filledStore(folder)
        defer { store.close() }
        var forward: [UInt64] = []
        try store.readStream("S1", from: 4, direction: .forward, limit: 3) { forward.append($0.version.rawValue) }
        #expect(forward == [4, 5, 6])
        var backward: [String] = []
        try store.readStream("S1", from: 4, direction: .backward, limit: .max) { backward.append("\($0.version)@\($0.position)") }
        #expect(backward == ["4@11", "3@8", "2@5", "1@2"])
        var fromEnd: [UInt64] = []
        try store.readStream("S2", from: .end, direction: .backward, limit: 2) { fromEnd.append($0.version.rawValue) }
        #expect(fromEnd == [10, 9])
        var missing = 0
        try store.readStream("nobody", from: .first, direction: .forward, limit: .max) { _ in missing += 1 }
        #expect(missing == 0)
        var past = 0
        try store.readStream("S1", from: 11, direction: .forward, limit: .max) { _ in past += 1 }
        #expect(past == 0)
    }

    @Test func asyncSequencesReadInBatches() async throws {
        let folder = TemporaryFolder()
        let store = try await Self.filledStore(folder)
        defer { store.close() }
        var positions: [UInt64] = []
        for try await event in store.events(from: 5, batchSize: 4) { positions.append(event.position.rawValue) }
        #expect(positions == Array(5...30))
        var backward: [UInt64] = []
        for try await event in store.events(from: .end, direction: .backward, filter: .only(["d"]), batchSize: 2) {
            backward.append(event.position.rawValue)
        }
        #expect(backward == [26, 21, 16, 11, 6, 1])
        var versions: [UInt64] = []
        for try await event in store.events(in: "S0", from: 3, batchSize: 3) { versions.append(event.version.rawValue) }
        #expect(versions == Array(3...10))
        var streamBackward: [UInt64] = []
        for try await event in store.events(in: "S0", from: .end, direction: .backward, batchSize: 3) {
            streamBackward.append(event.version.rawValue)
        }
        #expect(streamBackward == Array((1...10).reversed()))
    }

    @Test func listsStreamsInIDOrder() async throws {
        let folder = TemporaryFolder()
        let store = try await Self.filledStore(folder)
        defer { store.close() }
        #expect(try store.streams(after: nil, limit: .max).map(\.stream) == ["S0", "S1", "S2"])
        #expect(try store.streams(after: "S0", limit: 1).map(\.stream) == ["S1"])
        #expect(try store.streams(after: "S", limit: .max).map(\.stream) == ["S0", "S1", "S2"])
        #expect(try store.streams(after: "S2", limit: .max).isEmpty)
        let info = try store.streams(after: nil, limit: 1)[0]
        #expect(info == StreamInfo(stream: "S0", version: 10, eventCount: 10, firstPosition: 1, lastPosition: 28))
    }
}
