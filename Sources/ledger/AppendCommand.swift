import ArgumentParser
import CustomerLedger
import Foundation
import LedgerJSONLines

/// `ledger append`: appends one event, given by options or as one JSON line on standard
/// input. It opens the ledger, appends and closes, so it can run beside a service (or a
/// test) that has the same ledger open.
struct AppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append one event, from options or from one JSON line on standard input.",
        discussion: """
            With --customer, the event comes from the options. Without it, standard input must \
            hold one line of the import format (see docs/jsonl-format.md), such as:

            {"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","data":{}}
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(help: ArgumentHelp("The customer id (the stream); without it, read a JSON line from standard input.", valueName: "id"))
    var customer: String?

    @Option(help: ArgumentHelp("The event type, like purchase.completed.", valueName: "type"))
    var type: String?

    @Option(help: ArgumentHelp("The payload: any JSON value; for a built-in type, its JSON form (docs/event-types.md).", valueName: "json"))
    var data: String?

    @Option(help: ArgumentHelp("The event id (a UUID); give one to make a retry idempotent. Default: a new UUIDv7.", valueName: "uuid"))
    var id: String?

    @Option(help: ArgumentHelp("When it happened: ISO 8601 with a zone. Default: now.", valueName: "time"))
    var occurredAt: String?

    @Option(help: ArgumentHelp("The payload's schema version, 1–65535.", valueName: "n"))
    var schemaVersion: UInt16?

    @Option(help: ArgumentHelp("Metadata: the business operation this belongs to.", valueName: "id"))
    var correlationId: String?

    @Option(help: ArgumentHelp("Metadata: the event or command that caused this one.", valueName: "id"))
    var causationId: String?

    @Option(help: ArgumentHelp("Metadata: who made the change.", valueName: "name"))
    var actor: String?

    @Option(help: ArgumentHelp("What the stream must be at: any, no-stream, exists, or a version number.", valueName: "version"))
    var expectedVersion = ExpectedVersionArgument(.any)

    @Flag(help: "Print the result as a JSON object.")
    var json = false

    func validate() throws {
        if customer == nil {
            let eventOptions: [(String, Any?)] = [
                ("--type", type), ("--data", data), ("--id", id), ("--occurred-at", occurredAt), ("--schema-version", schemaVersion),
                ("--correlation-id", correlationId), ("--causation-id", causationId), ("--actor", actor),
            ]
            if let name = eventOptions.first(where: { $0.1 != nil })?.0 {
                throw ValidationError("\(name) needs --customer; without --customer the event is one JSON line on standard input.")
            }
        } else {
            if type == nil { throw ValidationError("--customer needs --type (the event type).") }
            if data == nil { throw ValidationError("--customer needs --data (the payload as JSON, for example '{}').") }
        }
        if schemaVersion == 0 { throw ValidationError("--schema-version must be 1–65535.") }
    }

    mutating func run() async throws {
        let line = try customer == nil ? Self.readStandardInput() : try eventFromOptions()
        let ledger = try ledgerOptions.openLedger()
        defer { ledger.close() }
        let outcome = try await ledger.appendCounting([
            StreamAppend(stream: line.customer, expectedVersion: expectedVersion.value, events: [line.event]),
        ])
        let result = outcome.results[0]
        let output = OutputWriter.standardOutput()
        if json {
            var object = JSONObjectWriter()
            object.add("customer", result.stream.rawValue)
            object.add("id", line.event.id.description)
            object.add("position", result.positions.lowerBound.rawValue)
            object.add("version", result.versions.lowerBound.rawValue)
            object.add("alreadyPresent", result.wasAlreadyStored)
            try output.line(object.text())
        } else {
            let what = result.wasAlreadyStored ? "Already present" : "Appended"
            try output.line(
                "\(what): \(line.event.type) \(line.event.id) for \(result.stream) at position \(result.positions.lowerBound), version \(result.versions.lowerBound)."
            )
        }
        try output.finish()
    }

    private func eventFromOptions() throws -> EventLine {
        guard let customer, let type, let data else { throw CommandFailure("--customer needs --type and --data.") }
        let stream = try StreamID(customer)
        var event = ProposedEvent(type: type, schemaVersion: schemaVersion ?? 1, payload: Data())
        do {
            event.payload = try JSONPayload.canonical(text: Data(data.utf8))
        } catch {
            throw CommandFailure("--data \(error.reason).")
        }
        if let id {
            guard let parsed = EventID(uuidString: id) else { throw CommandFailure("--id \(id.debugDescription) is not a UUID.") }
            event.id = parsed
        }
        if let occurredAt {
            do {
                event.occurredAt = try Timestamp.parse(occurredAt)
            } catch {
                throw CommandFailure("--occurred-at \(occurredAt.debugDescription) is not an ISO 8601 time with a zone: it \(error.reason).")
            }
        }
        event.metadata = EventMetadata(correlationID: correlationId, causationID: causationId, actor: actor)
        if schemaVersion == nil, let builtInVersion = JSONLines.builtInSchemaVersion(of: type) {
            event.schemaVersion = builtInVersion
        }
        do {
            event = try JSONLines.typed(event)
        } catch {
            throw CommandFailure("\(error.reason)")
        }
        return EventLine(customer: stream, event: event)
    }

    /// The one event line on standard input.
    private static func readStandardInput() throws -> EventLine {
        let reader = try LineReader(path: "-")
        var found: (number: Int, text: Data)?
        while let line = try reader.nextLine() {
            if LineReader.isBlank(line.text) { continue }
            guard found == nil else {
                throw CommandFailure("Standard input holds more than one line (line \(line.number)): append one event at a time, or use 'ledger import -'.")
            }
            found = line
        }
        guard let found else {
            throw CommandFailure("Standard input is empty: give the event as one JSON line, or use --customer, --type and --data.")
        }
        do {
            return try JSONLines.decode(found.text, maximumPayloadSize: .max)
        } catch {
            throw CommandFailure("\(reader.name):\(found.number): \(error.reason)")
        }
    }
}
