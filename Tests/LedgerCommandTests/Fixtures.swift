import CustomerLedger
import Foundation

/// A fixed event id for line `number` of a test file.
func fixedID(_ number: Int) -> String {
    let digits = String(number)
    return "0190a5e0-0000-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
}

/// A valid line of the import format.
func eventLine(
    _ number: Int,
    customer: String = "C20240501001",
    type: String = "shop.purchase",
    occurredAt: String = "2024-05-01T10:00:00Z",
    withID: Bool = true,
    extra: String = "",
    data: String = #"{"amount":"12.30","currency":"EUR"}"#
) -> String {
    let id = withID ? #""id":"\#(fixedID(number))","# : ""
    return #"{\#(id)"customer":"\#(customer)","type":"\#(type)","occurredAt":"\#(occurredAt)",\#(extra)"data":\#(data)}"#
}

/// Writes lines to a file in `folder` and returns its path.
func writeLines(_ lines: [String], to folder: URL, name: String = "events.jsonl") throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    return url.path
}

/// Every event of the ledger at `path`, read in this process (after the tool closed it).
func storedEvents(at path: String) throws -> [RecordedEvent] {
    let ledger = try Ledger.open(at: path)
    defer { ledger.close() }
    var events: [RecordedEvent] = []
    try ledger.readLog { events.append($0) }
    return events
}

/// Appends through the library in this process, then closes the ledger.
func appendDirectly(_ events: [ProposedEvent], to stream: StreamID, at path: String) async throws {
    let ledger = try Ledger.open(at: path)
    defer { ledger.close() }
    try await ledger.append(events, to: stream)
}

/// Parses one JSON object line.
func jsonObject(_ line: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
}
