import CustomerLedger
import Foundation
import LedgerJSONLines

/// Events as table rows for people: `events` and the demo's timeline.
struct EventTable {
    private let table: TextTable

    init(output: OutputWriter) {
        table = TextTable(
            [.right("POSITION"), .left("CUSTOMER"), .right("VERSION"), .left("TYPE"), .left("OCCURRED AT"), .left("DATA")],
            output: output
        )
    }

    /// How many events were added.
    var rowCount: Int { table.rowCount }

    func add(_ event: RecordedEvent) throws(CommandFailure) {
        try table.add([
            String(event.position.rawValue),
            event.stream.rawValue,
            String(event.version.rawValue),
            event.type,
            Timestamp.format(event.occurredAt, fractionDigits: false),
            Self.preview(of: event),
        ])
    }

    func finish() throws(CommandFailure) {
        try table.finish()
    }

    /// The start of the payload on one line: JSON as text (a built-in event's binary form
    /// shown as its JSON), other content as its size.
    static func preview(of recorded: RecordedEvent, length: Int = 60) -> String {
        let event = JSONLines.readable(recorded)
        guard event.contentType == .json, let text = String(validating: event.payload, as: UTF8.self) else {
            return "(\(event.contentType), \(event.payload.count) bytes)"
        }
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        return flat.count > length ? flat.prefix(length - 1) + "…" : flat
    }
}
