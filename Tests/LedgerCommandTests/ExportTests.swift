import CustomerLedger
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct ExportTests {
    /// Lines with every feature of the format.
    static let variedLines = [
        eventLine(1, customer: "C20240501001", type: "profile.noted", occurredAt: "2024-05-01T10:00:00.123456+02:00",
                  extra: #""schemaVersion":3,"metadata":{"correlationId":"req-1","causationId":"cmd-9","actor":"agent:mia","tenant":"eu","ünï":"cödé \"quoted\""},"#,
                  data: #"{"name":"Zoë \"Z\" Ünal","tags":["vip","a/b"],"address":{"city":"Köln","zip":"50667"},"note":"line\nbreak\ttab"}"#),
        eventLine(2, customer: "C20240501001", data: #"{"amount":"12.30","currency":"EUR","items":2}"#),
        eventLine(3, customer: "C20240501002", type: "file.attached", extra: #""dataBase64":"AAEC/f7/","#, data: "0")
            .replacingOccurrences(of: #","data":0"#, with: ""),
        eventLine(4, customer: "C20240501002", type: "custom.encoded", extra: #""contentType":7,"dataBase64":"aGVsbG8=","#, data: "0")
            .replacingOccurrences(of: #","data":0"#, with: ""),
        eventLine(5, customer: "日本-顧客-1", type: "note.added", occurredAt: "1969-07-20T20:17:40.5Z", data: #""just a string""#),
        eventLine(6, customer: "C20240501001", type: "note.added", data: "null"),
        eventLine(7, customer: "C20240501003", type: "measure.taken", data: #"{"value":12.30,"big":10000000000000000001,"sci":1e3}"#),
        eventLine(8, customer: "C20240501003", type: "note.added", withID: false, data: "[]"),
    ]

    @Test func exportThenImportIntoNewLedgerGivesIdenticalEvents() async throws {
        try await withTemporaryFolder { folder in
            let original = folder.appendingPathComponent("original").path
            let copy = folder.appendingPathComponent("copy").path
            let file = try writeLines(Self.variedLines, to: folder)
            let imported = try await LedgerTool.run(["import", file, "--path", original])
            #expect(imported.status == 0, "\(imported.stderr)")
            // Payloads the tool would never write: JSON in another form, and -0.
            try await appendDirectly([
                ProposedEvent(type: "legacy.json", occurredAt: Date(timeIntervalSince1970: 1_714_557_600.000001),
                              metadata: EventMetadata(custom: ["k": "v\u{1}"]), payload: Data(#"{ "b": 1, "a": 12.30 }"#.utf8)),
                ProposedEvent(type: "legacy.json", payload: Data(#"{"x":-0}"#.utf8)),
                ProposedEvent(type: "legacy.broken", payload: Data(#"{"not json"#.utf8)),
            ], to: "C20240501004", at: original)
            let second = try await LedgerTool.run(["append", "--path", original, "--customer", "C20240501001", "--type", "note.added", "--data", #"{"text":"later"}"#])
            #expect(second.status == 0, "\(second.stderr)")

            let exportFile = folder.appendingPathComponent("export.jsonl").path
            let exported = try await LedgerTool.run(["export", "--path", original, "--output", exportFile])
            #expect(exported.status == 0, "\(exported.stderr)")
            #expect(exported.stdout == "Exported 12 events to \(exportFile).\n")

            let reimported = try await LedgerTool.run(["import", exportFile, "--path", copy])
            #expect(reimported.status == 0, "\(reimported.stderr)")
            #expect(reimported.stdout.contains("events imported  12"))

            let before = try storedEvents(at: original)
            let after = try storedEvents(at: copy)
            #expect(before.count == 12)
            #expect(after == before)  // ids, streams, versions, types, times, metadata, content types, payload bytes, order
            #expect(Set(before.map(\.recordedAt)).count > 1)

            // The same text again from the copy, and to standard output.
            let again = try await LedgerTool.run(["export", "--path", copy])
            #expect(again.stdout == (try String(contentsOfFile: exportFile, encoding: .utf8)))
        }
    }

    @Test func exportWritesTheFormatAsDocumented() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            _ = try await LedgerTool.run(["import", try writeLines(Self.variedLines, to: folder), "--path", ledger])
            try await appendDirectly([ProposedEvent(type: "legacy.json", payload: Data(#"{"b":1, "a":2}"#.utf8))], to: "C9", at: ledger)
            let result = try await LedgerTool.run(["export", "--path", ledger])
            #expect(result.status == 0)
            let lines = result.stdoutLines
            #expect(lines.count == 9)
            let recordedAt = try #require(try jsonObject(lines[1])["recordedAt"] as? String)
            #expect(lines[1] == #"{"position":2,"id":"\#(fixedID(2))","customer":"C20240501001","version":2,"type":"shop.purchase","schemaVersion":1,"occurredAt":"2024-05-01T10:00:00.000000Z","recordedAt":"\#(recordedAt)","data":{"amount":"12.30","currency":"EUR","items":2}}"#)
            #expect(recordedAt.count == 27 && recordedAt.hasSuffix("Z"))
            #expect(lines[0].contains(#""occurredAt":"2024-05-01T08:00:00.123456Z""#))
            #expect(lines[0].contains(#""schemaVersion":3"#))
            #expect(lines[0].contains(#""metadata":{"correlationId":"req-1","causationId":"cmd-9","actor":"agent:mia","tenant":"eu","ünï":"cödé \"quoted\""}"#))
            #expect(lines[2].hasSuffix(#""dataBase64":"AAEC/f7/"}"#) && !lines[2].contains("contentType"))
            #expect(lines[3].hasSuffix(#""contentType":7,"dataBase64":"aGVsbG8="}"#))
            #expect(lines[4].contains(#""occurredAt":"1969-07-20T20:17:40.500000Z""#))
            #expect(lines[6].hasSuffix(#""data":{"big":10000000000000000001,"sci":1000,"value":12.3}}"#))
            // JSON stored in another form goes out as base64, so that it comes back byte for byte.
            #expect(lines[8].hasSuffix(#""contentType":"json","dataBase64":"\#(Data(#"{"b":1, "a":2}"#.utf8).base64EncodedString())"}"#))

            let customer = try await LedgerTool.run(["export", "--path", ledger, "--customer", "C20240501001", "--from", "2"])
            #expect(try customer.stdoutLines.map { try jsonObject($0)["position"] as? Int } == [2, 6])
        }
    }

    @Test func reimportingAnExportIntoTheSameLedgerFindsEverythingPresent() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            _ = try await LedgerTool.run(["import", try writeLines(Self.variedLines, to: folder), "--path", ledger])
            let exportFile = folder.appendingPathComponent("export.jsonl").path
            _ = try await LedgerTool.run(["export", "--path", ledger, "--output", exportFile])
            // A newer event, so the export's recordedAt values are older than the ledger's newest.
            _ = try await LedgerTool.run(["append", "--path", ledger, "--customer", "C1", "--type", "note.added", "--data", "{}"])
            let before = try storedEvents(at: ledger)

            let result = try await LedgerTool.run(["import", exportFile, "--path", ledger])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("events imported  0"))
            #expect(result.stdout.contains("already present  8"))
            #expect(try storedEvents(at: ledger) == before)
        }
    }

    @Test func recordedAtEarlierThanTheLedgersNewestIsRefusedClearly() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            _ = try await LedgerTool.run(["append", "--path", ledger, "--customer", "C1", "--type", "note.added", "--data", "{}"])
            let file = try writeLines([eventLine(1, extra: #""recordedAt":"2024-05-01T10:00:00Z","#)], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger])
            #expect(result.status == 1)
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.hasPrefix("error: The ledger refused lines 1–1 of \(file), so none of them was written:"))
            #expect(result.stderr.contains("2024-05-01T10:00:00.000000Z, earlier than the recordedAt of the event before it in the log"))
            #expect(try storedEvents(at: ledger).count == 1)
        }
    }

    @Test func readingCommandsDoNotCreateALedger() async throws {
        try await withTemporaryFolder { folder in
            let missing = folder.appendingPathComponent("missing").path
            for command in [["export"], ["events"], ["stats"]] {
                let result = try await LedgerTool.run(command + ["--path", missing])
                #expect(result.status == 1)
                #expect(result.stderr == "error: There is no ledger at \(missing): give the right folder with --path, or create one with 'ledger import' or 'ledger demo'.\n")
            }
            #expect(!FileManager.default.fileExists(atPath: missing))
        }
    }
}
