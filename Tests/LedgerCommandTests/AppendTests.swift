import CustomerLedger
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct AppendTests {
    @Test func appendsOneEventFromOptions() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let result = try await LedgerTool.run([
                "append", "--path", ledger, "--customer", "C20240501001", "--type", "shop.purchase",
                "--data", #"{ "currency": "EUR", "amount": "12.30" }"#, "--id", fixedID(1),
                "--occurred-at", "2024-05-01T12:00:00.5+02:00", "--schema-version", "2",
                "--correlation-id", "req-1", "--causation-id", "cmd-1", "--actor", "agent:mia",
                "--expected-version", "no-stream", "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == #"{"customer":"C20240501001","id":"\#(fixedID(1))","position":1,"version":1,"alreadyPresent":false}"# + "\n")
            let event = try #require(try storedEvents(at: ledger).first)
            #expect(event.type == "shop.purchase")
            #expect(event.schemaVersion == 2)
            #expect(event.occurredAt == Date(timeIntervalSince1970: 1_714_557_600.5))
            #expect(event.metadata == EventMetadata(correlationID: "req-1", causationID: "cmd-1", actor: "agent:mia"))
            #expect(event.payload == Data(#"{"amount":"12.30","currency":"EUR"}"#.utf8))

            let human = try await LedgerTool.run([
                "append", "--path", ledger, "--customer", "C20240501001", "--type", "note.added", "--data", #""hi""#, "--expected-version", "1",
            ])
            #expect(human.status == 0, "\(human.stderr)")
            #expect(human.stdout.hasPrefix("Appended: note.added "))
            #expect(human.stdout.hasSuffix(" for C20240501001 at position 2, version 2.\n"))
        }
    }

    @Test func wrongExpectedVersionIsOneErrorLine() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let arguments = ["append", "--path", ledger, "--customer", "C1", "--type", "note.added", "--data", "{}", "--expected-version", "no-stream"]
            #expect(try await LedgerTool.run(arguments).status == 0)
            let second = try await LedgerTool.run(arguments)
            #expect(second.status == 1)
            #expect(second.stderrLines.count == 1)
            #expect(second.stderr.hasPrefix("error: Appending to stream C1 expected no stream but found version 1."))
            #expect(try storedEvents(at: ledger).count == 1)
        }
    }

    @Test func appendsOneLineFromStandardInputIdempotently() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let line = eventLine(7, customer: "C2", type: "shop.survey", extra: #""metadata":{"actor":"system:survey","channel":"web"},"#, data: #"{"kind":"nps","score":9}"#)
            let first = try await LedgerTool.run(["append", "--path", ledger, "--json"], stdin: line + "\n")
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try jsonObject(first.stdout)["alreadyPresent"] as? Bool == false)
            let again = try await LedgerTool.run(["append", "--path", ledger, "--json"], stdin: line)
            #expect(try jsonObject(again.stdout)["alreadyPresent"] as? Bool == true)
            #expect(try jsonObject(again.stdout)["position"] as? Int == 1)

            let stored = try storedEvents(at: ledger)
            #expect(stored.count == 1)
            #expect(stored[0].id.description == fixedID(7))
            #expect(stored[0].stream == "C2")
            #expect(stored[0].metadata == EventMetadata(actor: "system:survey", custom: ["channel": "web"]))
            #expect(stored[0].payload == Data(#"{"kind":"nps","score":9}"#.utf8))
        }
    }

    @Test(arguments: [
        ("", "error: Standard input is empty: give the event as one JSON line, or use --customer, --type and --data."),
        (eventLine(1) + "\n" + eventLine(2), "error: Standard input holds more than one line (line 2): append one event at a time, or use 'ledger import -'."),
        (#"{"customer":"C1"}"#, #"error: <stdin>:1: missing "type" (the event type, like purchase.completed)"#),
    ])
    func badStandardInputIsOneErrorLine(input: String, message: String) async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerTool.run(["append", "--path", folder.appendingPathComponent("ledger").path], stdin: input)
            #expect(result.status == 1)
            #expect(result.stderr == message + "\n")
        }
    }

    @Test(arguments: [
        (["--type", "x.y"], "error: --type needs --customer; without --customer the event is one JSON line on standard input. (see 'ledger help')"),
        (["--customer", "C1", "--data", "{}"], "error: --customer needs --type (the event type). (see 'ledger help')"),
        (["--customer", "C1", "--type", "x.y", "--data", "{"], "error: --data is not valid JSON (Unexpected end of file during JSON parse.)."),
        (["--customer", "C1", "--type", "x.y", "--data", "{}", "--occurred-at", "2024-05-01"], "error: --occurred-at \"2024-05-01\" is not an ISO 8601 time with a zone: it has no time of day: give a time and a zone, like 2024-05-01T10:00:00Z."),
        (["--customer", "", "--type", "x.y", "--data", "{}"], "error: Stream id \"\" is empty: give a non-empty id."),
        (["--customer", "C1", "--type", "x y", "--data", "{}"], "error: Event 0 for stream C1 has type \"x y\", which contains a space or a control character."),
    ])
    func badOptionsAreOneErrorLine(arguments: [String], message: String) async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerTool.run(["append", "--path", folder.appendingPathComponent("ledger").path] + arguments)
            #expect(result.status != 0)
            #expect(result.stderr == message + "\n")
        }
    }

    /// `ledger append` as a second process while this process has the ledger open.
    @Test func appendsWhileAnotherProcessHasTheLedgerOpen() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("ledger").path
            let ledger = try Ledger.open(at: path)
            defer { ledger.close() }
            try await ledger.append([ProposedEvent(type: "note.added", payload: Data("{}".utf8))], to: "C1")

            let result = try await LedgerTool.run(["append", "--path", path, "--customer", "C1", "--type", "note.added", "--data", #"{"n":2}"#, "--expected-version", "1"])
            #expect(result.status == 0, "\(result.stderr)")
            try await ledger.waitForEvents(after: 1)
            var events: [RecordedEvent] = []
            try ledger.readStream("C1") { events.append($0) }
            #expect(events.map(\.payload) == [Data("{}".utf8), Data(#"{"n":2}"#.utf8)])
        }
    }
}
