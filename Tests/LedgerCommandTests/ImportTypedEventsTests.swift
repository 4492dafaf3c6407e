import CustomerLedger
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct ImportTypedEventsTests {
    /// One line per built-in type, with optional fields, non-ASCII text and several
    /// currencies. Keys in `data` are sorted, so that these are also the export's `data`.
    static let typedLines = [
        eventLine(1, customer: "C1", type: "customer.registered", data: #"{"city":"Köln","contactPerson":{"name":"Jürgen","title":"Einkäufer"},"contacts":[{"kind":"email","primary":true,"value":"j@example.de"}],"contractCurrency":"KWD","contractValue":"1200.500","dates":{"birthday":"1980-02-29"},"firstContact":"2023-01-15T09:00:00.123456Z","kind":"company","name":"Groß & Söhne","owner":"agent:mia","tags":["high-potential"]}"#),
        eventLine(2, customer: "C1", type: "customer.updated", data: #"{"country":"DE"}"#),
        eventLine(3, customer: "C1", type: "customer.contactAdded", data: #"{"kind":"phone","primary":false,"value":"+49 221 0000"}"#),
        eventLine(4, customer: "C1", type: "customer.contactRemoved", data: #"{"kind":"email","value":"j@example.de"}"#),
        eventLine(5, customer: "C1", type: "customer.ownerAssigned", data: #"{"owner":"agent:李"}"#),
        eventLine(6, customer: "C1", type: "customer.tagged", data: #"{"tag":"vip"}"#),
        eventLine(7, customer: "C1", type: "customer.untagged", data: #"{"tag":"vip"}"#),
        eventLine(8, customer: "C1", type: "consent.changed", data: #"{"channel":"email","lawfulBasis":"legitimateInterest","source":"call","status":"granted"}"#),
        eventLine(9, customer: "C1", type: "interaction.recorded", data: #"{"agent":"agent:mia","channel":"meeting","direction":"outbound","interactionId":"I-1","nextAction":{"description":"Send offer","dueAt":"2024-05-03T17:00:00Z"},"subject":"Renewal"}"#),
        eventLine(10, customer: "C1", type: "followUp.completed", data: #"{"interactionId":"I-1","outcome":"sent"}"#),
        eventLine(11, customer: "C1", type: "purchase.completed", data: #"{"amount":"17.50","channel":"web","currency":"USD","lines":[{"amount":"20.00","currency":"USD","quantity":1,"sku":"A"},{"amount":"-2.50","currency":"USD","quantity":1,"sku":"DISCOUNT"}],"orderId":"O-1"}"#),
        eventLine(12, customer: "C1", type: "purchase.completed", data: #"{"amount":"1500","currency":"JPY","orderId":"O-2"}"#),
        eventLine(13, customer: "C1", type: "refund.issued", data: #"{"amount":"2.50","currency":"USD","orderId":"O-1","reason":"late"}"#),
        eventLine(14, customer: "C1", type: "order.cancelled", data: #"{"orderId":"O-2"}"#),
        eventLine(15, customer: "C1", type: "complaint.opened", data: #"{"category":"delivery","complaintId":"K-1","description":"Lieferung fehlt","severity":"high"}"#),
        eventLine(16, customer: "C1", type: "complaint.resolved", data: #"{"complaintId":"K-1","resolution":"re-shipped"}"#),
        eventLine(17, customer: "C1", type: "survey.answered", data: #"{"channel":"email","comment":"Très bien 👍","dimensions":{"product":9,"service":10},"kind":"nps","score":10,"stageAtResponse":"growth","surveyId":"S-1","tierAtResponse":"key"}"#),
        eventLine(18, customer: "C2", type: "customers.merged", data: #"{"merged":["C1"],"survivor":"C2"}"#),
        eventLine(19, customer: "C2", type: "customers.unmerged", data: #"{"restored":["C1"],"survivor":"C2"}"#),
        eventLine(20, customer: "C1", type: "customer.forgotten", data: #"{"reason":"request"}"#),
        eventLine(21, customer: "C1", type: "acme.points", data: #"{"points":12.30}"#),
    ]

    static func typedEvents(at path: String) throws -> [CustomerEvent] {
        try storedEvents(at: path).map { try CustomerEvent(decoding: $0) }
    }

    @Test func typedLinesAreStoredInBinaryAndExportBackToTheSameJSON() async throws {
        try await withTemporaryFolder { folder in
            let original = folder.appendingPathComponent("original").path
            let copy = folder.appendingPathComponent("copy").path
            let file = try writeLines(Self.typedLines, to: folder)
            let imported = try await LedgerTool.run(["import", file, "--path", original])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("events imported  21"))

            let stored = try storedEvents(at: original)
            #expect(stored.count == 21)
            #expect(stored.dropLast().allSatisfy { $0.contentType == .ledgerBinary })
            #expect(stored.last?.contentType == .json)
            #expect(stored.last?.payload == Data(#"{"points":12.3}"#.utf8))
            let events = try Self.typedEvents(at: original)
            guard case .surveyAnswered(let survey) = events[16], case .purchaseCompleted(let purchase) = events[10] else {
                Issue.record("unexpected events \(events)")
                return
            }
            #expect(survey.score == 10 && survey.tierAtResponse == .key && survey.comment == "Très bien 👍")
            #expect(purchase.amount == Money(minorUnits: 1750, currency: .usd))
            #expect(purchase.lines.map(\.amount.minorUnits) == [2000, -250])

            // Export writes each built-in event's JSON form: the data of the lines read.
            let exportFile = folder.appendingPathComponent("export.jsonl").path
            let exported = try await LedgerTool.run(["export", "--path", original, "--output", exportFile])
            #expect(exported.status == 0, "\(exported.stderr)")
            let lines = try String(contentsOfFile: exportFile, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.count == 21)
            for (line, given) in zip(lines, Self.typedLines).dropLast() {
                let data = try #require(given.range(of: #","data":"#)).upperBound
                #expect(line.hasSuffix(#","data":"# + given[data...]), "\(line)")
                #expect(!line.contains("dataBase64"))
            }
            #expect(lines[20].hasSuffix(#""data":{"points":12.3}}"#))

            // events --json is the export format; the table shows the JSON form too.
            let json = try await LedgerTool.run(["events", "--path", original, "--json", "--type", "survey.answered"])
            #expect(json.stdoutLines == [lines[16]])
            let table = try await LedgerTool.run(["events", "--path", original, "--type", "purchase.completed"])
            #expect(table.stdoutLines[1].contains(#"{"amount":"17.50","channel":"web""#))

            // Into a new ledger: identical typed events, the same bytes, and the same export.
            let reimported = try await LedgerTool.run(["import", exportFile, "--path", copy])
            #expect(reimported.status == 0, "\(reimported.stderr)")
            let copied = try storedEvents(at: copy)
            #expect(copied == stored)
            #expect(try Self.typedEvents(at: copy) == events)
            let again = try await LedgerTool.run(["export", "--path", copy])
            #expect(again.stdout == (try String(contentsOfFile: exportFile, encoding: .utf8)))

            // And into the same ledger: everything is already present.
            let same = try await LedgerTool.run(["import", exportFile, "--path", original])
            #expect(same.stdout.contains("already present  21"), "\(same.stderr)")
        }
    }

    @Test func jsonStoredBuiltInEventsExportAsStoredAndImportAsBinary() async throws {
        try await withTemporaryFolder { folder in
            let original = folder.appendingPathComponent("original").path
            let copy = folder.appendingPathComponent("copy").path
            // Stored as JSON by the raw store API (as before the binary layout), one of
            // them with keys in another order.
            try await appendDirectly([
                ProposedEvent(type: "purchase.completed", payload: Data(#"{"amount":"5.00","currency":"EUR","orderId":"O-9"}"#.utf8)),
                ProposedEvent(type: "customer.tagged", payload: Data(#"{ "tag": "vip" }"#.utf8)),
            ], to: "C1", at: original)
            let exported = try await LedgerTool.run(["export", "--path", original])
            #expect(exported.stdoutLines[0].hasSuffix(#""data":{"amount":"5.00","currency":"EUR","orderId":"O-9"}}"#))
            #expect(exported.stdoutLines[1].hasSuffix(#""contentType":"json","dataBase64":"eyAidGFnIjogInZpcCIgfQ=="}"#))
            let file = try writeLines(exported.stdoutLines, to: folder)
            let imported = try await LedgerTool.run(["import", file, "--path", copy])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(try storedEvents(at: copy).map(\.contentType) == [.ledgerBinary, .ledgerBinary])
            #expect(try Self.typedEvents(at: copy) == (try Self.typedEvents(at: original)))
        }
    }

    @Test(arguments: [
        (#"{"kind":"nps","score":11,"surveyId":"S-1"}"#, "survey.answered", "survey.answered: score is 11, outside the nps scale 0–10."),
        (#"{"kind":"csat","score":0,"surveyId":"S-1"}"#, "survey.answered", "survey.answered: score is 0, outside the csat scale 1–5."),
        (#"{"dimensions":{"service":8},"kind":"ces","score":7,"surveyId":"S-1"}"#, "survey.answered", "survey.answered: dimensions.service is 8, outside the ces scale 1–7."),
        (#"{"kind":"nps","score":"9","surveyId":"S-1"}"#, "survey.answered", #"survey.answered: "score" must be a whole number."#),
        (#"{"amount":"12.345","currency":"USD","orderId":"O-1"}"#, "purchase.completed", #"purchase.completed: "amount" is invalid: Amount "12.345" in USD has 3 decimals, but USD has 2: amounts are exact, never rounded."#),
        (#"{"amount":"15.5","currency":"JPY","orderId":"O-1"}"#, "purchase.completed", #"purchase.completed: "amount" is invalid: Amount "15.5" in JPY has 1 decimals, but JPY has 0: amounts are exact, never rounded."#),
        (#"{"amount":"-1.00","currency":"USD","orderId":"O-1"}"#, "purchase.completed", "purchase.completed: amount is negative: record a refund instead."),
        (#"{"amount":"1.00","currency":"usd","orderId":"O-1"}"#, "purchase.completed", #"purchase.completed: "currency" is invalid: Currency "usd" is not an ISO 4217 code: give three upper-case letters, like USD."#),
        (#"{"amount":"1.00","currency":"USD"}"#, "purchase.completed", #"purchase.completed: "orderId" is missing."#),
        (#"{"amount":"1.00","currency":"USD","items":2,"orderId":"O-1"}"#, "purchase.completed", #"purchase.completed: unknown field "items": purchase.completed has no such field, so it would be lost."#),
        (#"{"amount":"0","currency":"USD","orderId":"O-1"}"#, "refund.issued", "refund.issued: amount must be more than zero."),
        (#"{"merged":["C1"],"survivor":"C1"}"#, "customers.merged", "customers.merged: merged contains the survivor C1."),
        (#"{"dates":{"birthday":"1990-02-30"},"kind":"person","name":"Ada"}"#, "customer.registered", #"customer.registered: dates.birthday is "1990-02-30", not a yyyy-MM-dd date."#),
        (#"{"name":"Ada"}"#, "customer.registered", "customer.registered: kind is missing: give person or company."),
        (#"{"channel":"pigeon","direction":"inbound","interactionId":"I"}"#, "interaction.recorded", #"interaction.recorded: "channel" is invalid: Cannot initialize Channel from invalid String value pigeon."#),
        (#"[]"#, "customer.tagged", "customer.tagged: the payload must be an object."),
    ] as [(String, String, String)])
    func badTypedLinesNameFileAndLine(_ data: String, _ type: String, _ reason: String) async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines([eventLine(1, type: "customer.tagged", data: #"{"tag":"ok"}"#), eventLine(2, type: type, data: data)], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger])
            #expect(result.status == 1)
            #expect(result.stderrLines.first == "\(file):2: \(reason)")
            #expect(try storedEvents(at: ledger).isEmpty)
        }
    }

    @Test func aBuiltInLineMustHaveTheBuiltInSchemaVersionAndJSONContent() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines([
                eventLine(1, type: "customer.tagged", extra: #""schemaVersion":1,"#, data: #"{"tag":"ok"}"#),
                eventLine(2, type: "customer.tagged", extra: #""schemaVersion":2,"#, data: #"{"tag":"ok"}"#),
                eventLine(3, type: "customer.tagged", extra: #""dataBase64":"AQA=","contentType":2,"#, data: "0")
                    .replacingOccurrences(of: #","data":0"#, with: ""),
                eventLine(4, type: "customer.tagged", extra: #""dataBase64":"eyJ0YWciOiJ2aXAifQ==","contentType":"json","#, data: "0")
                    .replacingOccurrences(of: #","data":0"#, with: ""),
            ], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger, "--skip-invalid"])
            #expect(result.status == 0)
            #expect(result.stderrLines == [
                "\(file):2: customer.tagged: schema version 2 is not one this ledger reads: customer.tagged is version 1.",
                #"\#(file):3: customer.tagged is a built-in event: give its payload as JSON in "data" (or as "dataBase64" with "contentType":"json"), not as ledger binary content"#,
                "2 invalid lines skipped.",
            ])
            let stored = try storedEvents(at: ledger)
            #expect(stored.map(\.id.description) == [fixedID(1), fixedID(4)])
            #expect(try stored.map { try CustomerEvent(decoding: $0) } == [.tagged(CustomerTagged(tag: "ok")), .tagged(CustomerTagged(tag: "vip"))])
        }
    }

    @Test func appendChecksAndStoresTypedEventsToo() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let bad = try await LedgerTool.run([
                "append", "--path", ledger, "--customer", "C1", "--type", "survey.answered", "--data", #"{"surveyId":"S","kind":"nps","score":11}"#,
            ])
            #expect(bad.status == 1)
            #expect(bad.stderrLines == ["error: survey.answered: score is 11, outside the nps scale 0–10."])

            let fromStandardInput = try await LedgerTool.run(
                ["append", "--path", ledger], stdin: eventLine(1, type: "survey.answered", data: #"{"kind":"nps","score":12,"surveyId":"S"}"#)
            )
            #expect(fromStandardInput.stderrLines == ["error: <stdin>:1: survey.answered: score is 12, outside the nps scale 0–10."])

            let good = try await LedgerTool.run([
                "append", "--path", ledger, "--customer", "C1", "--type", "purchase.completed", "--data", #"{ "orderId": "O-1", "amount": "12.3", "currency": "EUR" }"#,
            ])
            #expect(good.status == 0, "\(good.stderr)")
            let stored = try #require(try storedEvents(at: ledger).first)
            #expect(stored.contentType == .ledgerBinary)
            #expect(stored.schemaVersion == 1)
            #expect(try CustomerEvent(decoding: stored) == .purchaseCompleted(PurchaseCompleted(orderId: "O-1", amount: Money(minorUnits: 1230, currency: .eur))))
        }
    }
}
