import Foundation
import LedgerCore
import LedgerLMDB

/// A ledger in a fresh temporary folder, removed when the test ends.
struct TemporaryFolder: ~Copyable {
    let path: String

    init(_ name: String = "ledger") {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("ledger-tests-\(UUID().uuidString)")
            .appendingPathComponent(name).path
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true
        )
    }

    deinit {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
}

/// A small JSON event for tests.
func sampleEvent(
    _ type: String = "purchase.completed",
    id: EventID = EventID(),
    body: String = #"{"amount":"12.30","currency":"USD"}"#,
    occurredAt: Date = Date(timeIntervalSince1970: 1_714_557_600),
    metadata: EventMetadata = .empty
) -> ProposedEvent {
    ProposedEvent(id: id, type: type, occurredAt: occurredAt, metadata: metadata, payload: Data(body.utf8))
}

extension EventStore {
    /// All of a stream's events, forward.
    func allEvents(in stream: StreamID) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try readStream(stream, from: .first, direction: .forward, limit: .max) { events.append($0) }
        return events
    }

    /// All of the log's events, forward.
    func allEvents() throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try readLog(from: .start, direction: .forward, filter: .all, limit: .max) { events.append($0) }
        return events
    }
}
