import CustomerLedger
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct ImportTests {
    @Test func importedEventsShowInEventsAndStats() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines([
                eventLine(1, customer: "C1", type: "customer.registered", data: #"{"kind":"person","name":"Ada"}"#),
                eventLine(2, customer: "C1"),
                eventLine(3, customer: "C2", type: "customer.registered", data: #"{"kind":"company","name":"Nordwind"}"#),
                "",
                eventLine(4, customer: "C1", type: "shop.refund", occurredAt: "2024-05-02T09:30:00.25+02:00"),
                eventLine(5, customer: "C3", type: "survey.answered", data: #"{"kind":"nps","score":9,"surveyId":"S1"}"#),
            ], to: folder)

            let imported = try await LedgerTool.run(["import", file, "--path", ledger])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("events imported  5"))
            #expect(imported.stdout.contains("already present  0"))
            #expect(imported.stdout.contains("batches          1"))
            #expect(imported.stderr.isEmpty)

            let stored = try storedEvents(at: ledger)
            #expect(stored.map(\.id.description) == (1...5).map(fixedID))
            #expect(stored.map(\.stream.rawValue) == ["C1", "C1", "C2", "C1", "C3"])
            #expect(stored.map(\.version.rawValue) == [1, 2, 1, 3, 1])
            #expect(stored[3].occurredAt == Date(timeIntervalSince1970: 1_714_635_000.25))
            #expect(stored[1].payload == Data(#"{"amount":"12.30","currency":"EUR"}"#.utf8))
            // Built-in types are stored in the binary layout, others as the JSON given.
            #expect(stored.map(\.contentType) == [.ledgerBinary, .json, .ledgerBinary, .json, .ledgerBinary])

            let table = try await LedgerTool.run(["events", "--path", ledger])
            #expect(table.status == 0)
            #expect(table.stdoutLines.count == 6)
            #expect(table.stdoutLines[0].hasPrefix("POSITION  CUSTOMER  VERSION  TYPE"))
            #expect(table.stdoutLines[4].contains("C1") && table.stdoutLines[4].contains("shop.refund"))
            #expect(table.stdoutLines[4].contains("2024-05-02T07:30:00Z"))
            #expect(table.stdoutLines[5].contains(#"{"kind":"nps","score":9,"surveyId":"S1"}"#))

            let customer = try await LedgerTool.run(["events", "--path", ledger, "--customer", "C1", "--backward", "--limit", "2", "--json"])
            #expect(customer.stdoutLines.count == 2)
            #expect(try customer.stdoutLines.map { try jsonObject($0)["id"] as? String } == [fixedID(4), fixedID(2)])

            let typed = try await LedgerTool.run(["events", "--path", ledger, "--type", "customer.registered", "--type", "survey.answered", "--json"])
            #expect(try typed.stdoutLines.map { try jsonObject($0)["position"] as? Int } == [1, 3, 5])

            let fromThree = try await LedgerTool.run(["events", "--path", ledger, "--from", "3", "--json"])
            #expect(try fromThree.stdoutLines.map { try jsonObject($0)["position"] as? Int } == [3, 4, 5])

            let stats = try await LedgerTool.run(["stats", "--path", ledger, "--json"])
            #expect(stats.status == 0)
            let facts = try jsonObject(stats.stdout)
            #expect(facts["events"] as? Int == 5)
            #expect(facts["streams"] as? Int == 3)
            #expect(facts["headPosition"] as? Int == 5)
            #expect(facts["formatVersion"] as? Int == 2)
            #expect(facts["durability"] as? String == "durable")
            #expect((facts["dataFileSize"] as? Int ?? 0) > 0)
            #expect(facts["lastRecordedAt"] is String)

            let humanStats = try await LedgerTool.run(["stats", "--path", ledger])
            #expect(humanStats.stdout.contains("customers (streams)  3"))
        }
    }

    @Test func consecutiveLinesOfOneCustomerKeepFileOrderAcrossCustomers() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let customers = ["A", "A", "B", "A", "B", "B", "C", "A"]
            let file = try writeLines(customers.enumerated().map { eventLine($0.offset + 1, customer: $0.element) }, to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger, "--batch-size", "3"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("batches          3"))
            let stored = try storedEvents(at: ledger)
            #expect(stored.map(\.stream.rawValue) == customers)
            #expect(stored.map(\.id.description) == (1...8).map(fixedID))
        }
    }

    @Test func malformedLineInSecondBatchKeepsFirstBatchAndWritesNothingOfItsOwn() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            var lines = (1...8).map { eventLine($0, customer: "C\($0 % 3)") }
            lines[6] = eventLine(7, occurredAt: "2024-05-01T10:00:00")  // line 7, in the second batch of 4
            let file = try writeLines(lines, to: folder)

            let result = try await LedgerTool.run(["import", file, "--path", ledger, "--batch-size", "4"])
            #expect(result.status != 0)
            #expect(result.stderrLines.first == "\(file):7: \"occurredAt\" \"2024-05-01T10:00:00\" is not an ISO 8601 time with a zone: it has no time zone: add Z (UTC) or an offset like +02:00")
            #expect(result.stderrLines.count == 2)
            #expect(result.stderrLines.last?.hasPrefix("error: Import stopped at \(file):7. 4 events were imported") == true)
            #expect(result.stderrLines.last?.contains("nothing from that line on was written") == true)
            #expect(!result.stderr.contains("Fatal error"))

            let stored = try storedEvents(at: ledger)
            #expect(stored.map(\.id.description) == (1...4).map(fixedID))
        }
    }

    @Test func skipInvalidReportsEachBadLineAndImportsTheRest() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            var lines = (1...8).map { eventLine($0) }
            lines[2] = #"{"customer":"C1","type":"#
            lines[6] = eventLine(7, extra: #""colour":"blue","#)
            let file = try writeLines(lines, to: folder)

            let result = try await LedgerTool.run(["import", file, "--path", ledger, "--batch-size", "4", "--skip-invalid"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderrLines.count == 3)
            #expect(result.stderrLines[0].hasPrefix("\(file):3: the line is not valid JSON"))
            #expect(result.stderrLines[1].hasPrefix("\(file):7: unknown key \"colour\""))
            #expect(result.stderrLines[2] == "2 invalid lines skipped.")
            #expect(result.stdout.contains("events imported        6"))
            #expect(result.stdout.contains("invalid lines skipped  2"))

            let stored = try storedEvents(at: ledger)
            #expect(stored.map(\.id.description) == [1, 2, 4, 5, 6, 8].map(fixedID))
        }
    }

    /// Each kind of bad line, and the reason the import gives for it.
    @Test(arguments: [
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","data":{"a":1}"#,
         "the line is not valid JSON"),
        (#"{"type":"x.y","occurredAt":"2024-05-01T10:00:00Z","data":{}}"#,
         #"missing "customer" (the customer id, which names the event's stream)"#),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01 10:00:00Z","data":{}}"#,
         #""occurredAt" "2024-05-01 10:00:00Z" is not an ISO 8601 time with a zone: it has a space between date and time"#),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-02-30T10:00:00Z","data":{}}"#,
         "it has day 30, but that month has 29 days"),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","data":{},"amount":5}"#,
         #"unknown key "amount""#),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","data":{},"dataBase64":"AA=="}"#,
         #"both "data" and "dataBase64": give exactly one"#),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z"}"#,
         #"no payload: give exactly one of "data" (JSON) and "dataBase64""#),
        (#"{"customer":"\#(String(repeating: "C", count: 129))","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","data":{}}"#,
         #"invalid "customer": Stream id"#),
        (#"{"customer":"","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","data":{}}"#,
         #"invalid "customer": Stream id "" is empty"#),
        (#"{"customer":"C1","type":"x y","occurredAt":"2024-05-01T10:00:00Z","data":{}}"#,
         #""type" "x y" contains a space or a control character"#),
        (#"{"customer":"C1","type":"x.y","id":"42","occurredAt":"2024-05-01T10:00:00Z","data":{}}"#,
         #""id" "42" is not a UUID"#),
        (#"{"customer":"C1","type":"x.y","schemaVersion":0,"occurredAt":"2024-05-01T10:00:00Z","data":{}}"#,
         #""schemaVersion" must be a whole number from 1 to 65535"#),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","metadata":{"tenant":7},"data":{}}"#,
         #"metadata "tenant" must be a string, not the number 7"#),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","dataBase64":"%%"}"#,
         #""dataBase64" is not valid base64"#),
        (#"["not","an","object"]"#,
         "the line is an array, not a JSON object"),
    ])
    func badLineGivesItsReason(line: String, reason: String) async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines([eventLine(1), line], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger])
            #expect(result.status == 1)
            let report = try #require(result.stderrLines.first)
            #expect(report.hasPrefix("\(file):2: "))
            #expect(report.contains(reason), "\(report)")
            #expect(result.stderrLines.last?.hasPrefix("error: Import stopped at \(file):2.") == true)
            #expect(try storedEvents(at: ledger).isEmpty)
        }
    }

    @Test func reimportIsIdempotent() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines((1...7).map { eventLine($0, customer: "C\($0 % 2)") }, to: folder)
            let first = try await LedgerTool.run(["import", file, "--path", ledger, "--batch-size", "3"])
            #expect(first.status == 0, "\(first.stderr)")
            let before = try storedEvents(at: ledger)

            let again = try await LedgerTool.run(["import", file, "--path", ledger, "--batch-size", "3"])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("events imported  0"))
            #expect(again.stdout.contains("already present  7"))
            #expect(try storedEvents(at: ledger) == before)
        }
    }

    @Test func readsStandardInput() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let input = [eventLine(1), "{\"customer\":42}", eventLine(3)].joined(separator: "\r\n")
            let result = try await LedgerTool.run(["import", "-", "--path", ledger, "--skip-invalid"], stdin: input)
            #expect(result.status == 0)
            #expect(result.stderrLines.first == #"<stdin>:2: "customer" must be a string, not the number 42"#)
            #expect(try storedEvents(at: ledger).map(\.id.description) == [fixedID(1), fixedID(3)])
        }
    }

    @Test func duplicateIDsInOneBatchAndRecordedAtOutOfOrderAreBadLines() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines([
                eventLine(1, extra: #""recordedAt":"2024-06-01T00:00:00Z","#),
                eventLine(1, customer: "C2", extra: #""recordedAt":"2024-06-02T00:00:00Z","#),
                eventLine(3, extra: #""recordedAt":"2024-05-31T23:59:59.999999Z","#),
                eventLine(4),
                eventLine(5, extra: #""recordedAt":"2024-06-03T00:00:00Z","#),
            ], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger, "--skip-invalid"])
            #expect(result.status == 0)
            #expect(result.stderrLines[0] == "\(file):2: id \(fixedID(1)) is also on line 1 of the same batch: each event needs its own id")
            #expect(result.stderrLines[1].hasPrefix("\(file):3: \"recordedAt\" 2024-05-31T23:59:59.999999Z is earlier than line 1's 2024-06-01T00:00:00.000000Z"))
            #expect(result.stderrLines[2].hasPrefix("\(file):5: gives \"recordedAt\" after line 4, which leaves it to the ledger"))
            let stored = try storedEvents(at: ledger)
            #expect(stored.map(\.id.description) == [fixedID(1), fixedID(4)])
            #expect(stored[0].recordedAt == Date(timeIntervalSince1970: 1_717_200_000))
        }
    }

    @Test func missingFileAndBadOptionsAreOneLineErrors() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let missing = try await LedgerTool.run(["import", folder.appendingPathComponent("nope.jsonl").path, "--path", ledger])
            #expect(missing.status == 1)
            #expect(missing.stderrLines.count == 1)
            #expect(missing.stderr.hasPrefix("error: Cannot open "))
            #expect(missing.stderr.contains("No such file or directory"))

            let batch = try await LedgerTool.run(["import", "x.jsonl", "--path", ledger, "--batch-size", "0"])
            #expect(batch.status == 64)
            #expect(batch.stderrLines == ["error: --batch-size must be at least 1. (see 'ledger help')"])
        }
    }
}
