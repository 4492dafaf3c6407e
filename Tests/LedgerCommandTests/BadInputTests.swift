import CustomerLedger
import Foundation
import Testing

/// The bad inputs of docs/errors.md that reach the `ledger` tool, with the exact line each
/// gets: import lines, and ledger folders that are damaged, foreign or not accessible.
@Suite(.timeLimit(.minutes(2))) struct BadInputCommandTests {
    /// Imports a good line, then `line`, and returns the first line of standard error without
    /// the `FILE:2: ` it starts with; checks that nothing was written.
    static func importReason(_ line: String) async throws -> String {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines([eventLine(1), line], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger])
            #expect(result.status == 1)
            #expect(result.stderrLines.last?.hasPrefix("error: Import stopped at \(file):2.") == true)
            #expect(try storedEvents(at: ledger).isEmpty)
            let report = try #require(result.stderrLines.first)
            let prefix = "\(file):2: "
            try #require(report.hasPrefix(prefix), "\(report)")
            return String(report.dropFirst(prefix.count))
        }
    }

    /// A line of `type` with `data`, and `extra` keys before it.
    static func line(_ type: String, _ data: String, customer: String = "C1", extra: String = "") -> String {
        #"{"customer":"\#(customer)","type":"\#(type)","occurredAt":"2024-05-01T10:00:00Z",\#(extra)"data":\#(data)}"#
    }

    // MARK: Malformed JSON

    /// The part in brackets is Foundation's (swift-corelibs-foundation's) own wording.
    @Test(arguments: [
        ("not json at all", "the line is not valid JSON (Invalid value around character 1.)"),
        (#"{"customer":"C1",'type':"x.y"}"#, "the line is not valid JSON (Invalid value around character 17.)"),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","data":{"a":1}"#, "the line is not valid JSON (Unexpected end of file during JSON parse.)"),
    ])
    func malformedJSON(_ line: String, _ reason: String) async throws {
        #expect(try await Self.importReason(line) == reason)
    }

    /// Foundation's parser takes a comma before the closing brace; the line is imported.
    @Test func aTrailingCommaIsAccepted() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines([Self.line("x.y", #"{"a":1}"#).dropLast() + ",}"], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try storedEvents(at: ledger).map(\.payload) == [Data(#"{"a":1}"#.utf8)])
        }
    }

    // MARK: Unknown event types

    /// A type that is neither built in nor registered is a host's own: stored as the JSON
    /// given, and read back as `.other`. It is not an error.
    @Test func anUnknownEventTypeIsStoredAsJSON() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines([Self.line("acme.unknown", #"{ "b": 2, "a": 1 }"#, extra: #""schemaVersion":9,"#)], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger])
            #expect(result.status == 0, "\(result.stderr)")
            let stored = try #require(try storedEvents(at: ledger).first)
            #expect(stored.contentType == .json)
            #expect(stored.schemaVersion == 9)
            #expect(stored.payload == Data(#"{"a":1,"b":2}"#.utf8))
            #expect(try CustomerEvent(decoding: stored) == .other(stored))
            #expect(try EventTypeRegistry().decode(stored) == nil)
        }
    }

    /// A space in the name is in ImportTests; the two ends of its length here.
    @Test(arguments: [
        ("", #""type" "" is empty"#),
        (String(repeating: "t", count: 256), #""type" "\#(String(repeating: "t", count: 256))" is longer than 255 bytes"#),
        (#"x\u0009y"#, #""type" "x\ty" contains a space or a control character"#),
    ])
    func badTypeNames(_ type: String, _ reason: String) async throws {
        #expect(try await Self.importReason(Self.line(type, "{}")) == reason)
    }

    // MARK: Wrong types, bad values

    @Test(arguments: [
        // Keys of the line.
        (#"{"customer":"C1","type":7,"occurredAt":"2024-05-01T10:00:00Z","data":{}}"#, #""type" must be a string, not the number 7"#),
        (#"{"customer":"C1","type":"x.y","occurredAt":1714557600,"data":{}}"#, #""occurredAt" must be a string, not the number 1714557600"#),
        (line("x.y", "{}", extra: #""schemaVersion":"1","#), #""schemaVersion" must be a whole number from 1 to 65535, not the string "1""#),
        (line("x.y", "{}", extra: #""schemaVersion":1.5,"#), #""schemaVersion" must be a whole number from 1 to 65535, not the number 1.5"#),
        (line("x.y", "{}", extra: #""schemaVersion":65536,"#), #""schemaVersion" must be a whole number from 1 to 65535, not the number 65536"#),
        (line("x.y", "{}", extra: #""metadata":[],"#), #""metadata" must be an object of strings, not an array"#),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","dataBase64":5}"#, #""dataBase64" must be a string, not the number 5"#),
        (#"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","contentType":"xml","dataBase64":"AA=="}"#,
         #""contentType" must be "json", "binary" or a number from 0 to 255, not the string "xml""#),
        (line("x.y", "{}", extra: #""recordedAt":"yesterday","#),
         #""recordedAt" "yesterday" is not an ISO 8601 time with a zone: it has "y" at character 1 where it expected a four-digit year at the start (like 2024-05-01T10:00:00Z)"#),
        // Fields of a built-in type.
        (line("survey.answered", #"{"kind":"stars","score":3,"surveyId":"S"}"#), #"survey.answered: "kind" is invalid: Cannot initialize SurveyKind from invalid String value stars."#),
        (line("survey.answered", #"{"kind":"nps","score":9,"surveyId":7}"#), #"survey.answered: "surveyId" must be a string."#),
        (line("survey.answered", #"{"kind":"nps","score":null,"surveyId":"S"}"#), #"survey.answered: "score" is null and needs a value."#),
        (line("purchase.completed", #"{"amount":12.30,"currency":"USD","orderId":"O"}"#), #"purchase.completed: "amount" must be a string."#),
        (line("purchase.completed", #"{"amount":"1.00","currency":"USD","lines":{},"orderId":"O"}"#), #"purchase.completed: "lines" must be an array."#),
        (line("customer.registered", #"{"kind":"person","name":"Ada","firstContact":"2024-05-01"}"#),
         #"customer.registered: "firstContact" is invalid: "2024-05-01" is not an ISO 8601 time with a zone, like 2024-05-01T10:00:00Z."#),
        // A fraction or a number beyond 64 bits in a whole-number field (Foundation's decoder
        // calls it invalid JSON, naming no field: the message finds the number).
        (line("survey.answered", #"{"kind":"nps","score":9.5,"surveyId":"S"}"#), #"survey.answered: "score" must be a whole number, not 9.5."#),
        (line("survey.answered", #"{"kind":"nps","score":99999999999999999999,"surveyId":"S"}"#),
         #"survey.answered: "score" must be a whole number that fits in 64 bits, not 99999999999999999999."#),
        (line("survey.answered", #"{"dimensions":{"service":2.5},"kind":"nps","score":9,"surveyId":"S"}"#),
         #"survey.answered: "dimensions.service" must be a whole number, not 2.5."#),
        (line("purchase.completed", #"{"amount":"1.00","currency":"USD","lines":[{"amount":"1.00","currency":"USD","quantity":1.5,"sku":"A"}],"orderId":"O"}"#),
         #"purchase.completed: "lines[0].quantity" must be a whole number, not 1.5."#),
    ])
    func wrongTypes(_ line: String, _ reason: String) async throws {
        #expect(try await Self.importReason(line) == reason)
    }

    /// Times and dates in a built-in payload outside the years 1–9999, which the ledger
    /// neither stores nor exports exactly: refused as `occurredAt` is. (The payload's time
    /// parser, Foundation's, reads four-digit years only, so the year 0 is the one way past
    /// it; it reads times before 1582 in the Julian calendar.)
    @Test(arguments: [
        ("customer.updated", #"{"firstContact":"0000-12-31T00:00:00Z"}"#,
         "customer.updated: firstContact is -62135856000.0 s since 1970, outside the years 1–9999 the ledger stores."),
        // Julian, two days before the proleptic Gregorian year 1 that the rule counts.
        ("customer.updated", #"{"firstContact":"0001-01-01T00:00:00Z"}"#,
         "customer.updated: firstContact is -62135769600.0 s since 1970, outside the years 1–9999 the ledger stores."),
        ("interaction.recorded", #"{"channel":"phone","direction":"inbound","interactionId":"I","nextAction":{"description":"call","dueAt":"0000-01-01T00:00:00Z"}}"#,
         "interaction.recorded: nextAction.dueAt is -62167392000.0 s since 1970, outside the years 1–9999 the ledger stores."),
        ("customer.registered", #"{"kind":"person","name":"Ada","dates":{"birthday":"0000-05-01"}}"#,
         #"customer.registered: dates.birthday is "0000-05-01", outside the years 1–9999 the ledger stores."#),
    ])
    func payloadTimesOutsideTheYears1To9999(_ type: String, _ data: String, _ reason: String) async throws {
        let found = try await Self.importReason(Self.line(type, data))
        #expect(found == reason)
    }

    /// The ends of each scale not already in ImportTypedEventsTests (nps 11, csat 0, ces
    /// dimension 8); EventValidationTests has every boundary through the library.
    @Test(arguments: [
        (#"{"kind":"nps","score":-1,"surveyId":"S"}"#, "survey.answered: score is -1, outside the nps scale 0–10."),
        (#"{"kind":"csat","score":6,"surveyId":"S"}"#, "survey.answered: score is 6, outside the csat scale 1–5."),
        (#"{"kind":"ces","score":0,"surveyId":"S"}"#, "survey.answered: score is 0, outside the ces scale 1–7."),
        (#"{"kind":"ces","score":8,"surveyId":"S"}"#, "survey.answered: score is 8, outside the ces scale 1–7."),
        (#"{"dimensions":{"speed":11},"kind":"nps","score":5,"surveyId":"S"}"#, "survey.answered: dimensions.speed is 11, outside the nps scale 0–10."),
    ])
    func scoresOffTheirScale(_ data: String, _ reason: String) async throws {
        #expect(try await Self.importReason(Self.line("survey.answered", data)) == reason)
    }

    /// Amounts and currencies not already in ImportTypedEventsTests (too many decimals in
    /// USD and JPY, a negative purchase, a lower-case currency).
    @Test(arguments: [
        ("abc", "USD", #"purchase.completed: "amount" is invalid: Amount "abc" in USD is not a decimal number: write it like "12.30"."#),
        ("1e3", "USD", #"purchase.completed: "amount" is invalid: Amount "1e3" in USD is not a decimal number: write it like "12.30"."#),
        ("", "USD", #"purchase.completed: "amount" is invalid: Amount "" in USD is not a decimal number: write it like "12.30"."#),
        ("1.", "USD", #"purchase.completed: "amount" is invalid: Amount "1." in USD ends with a decimal point."#),
        ("12.3456", "KWD", #"purchase.completed: "amount" is invalid: Amount "12.3456" in KWD has 4 decimals, but KWD has 3: amounts are exact, never rounded."#),
        ("92233720368547758.08", "USD", #"purchase.completed: "amount" is invalid: Amount "92233720368547758.08" in USD is too large."#),
        ("1.00", "US", #"purchase.completed: "currency" is invalid: Currency "US" is not an ISO 4217 code: give three upper-case letters, like USD."#),
        ("1.00", "€UR", #"purchase.completed: "currency" is invalid: Currency "€UR" is not an ISO 4217 code: give three upper-case letters, like USD."#),
    ] as [(String, String, String)])
    func invalidMoney(_ amount: String, _ currency: String, _ reason: String) async throws {
        let data = #"{"amount":"\#(amount)","currency":"\#(currency)","orderId":"O"}"#
        #expect(try await Self.importReason(Self.line("purchase.completed", data)) == reason)
    }

    /// Three upper-case letters that ISO 4217 does not list are taken, with two decimals
    /// (Currency's rule): the ledger keeps no list of the codes in use.
    @Test func anUnlistedCurrencyCodeIsAccepted() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let file = try writeLines([Self.line("purchase.completed", #"{"amount":"1.25","currency":"XYZ","orderId":"O"}"#)], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger])
            #expect(result.status == 0, "\(result.stderr)")
            let event = try CustomerEvent(decoding: try #require(try storedEvents(at: ledger).first))
            #expect(event == .purchaseCompleted(PurchaseCompleted(orderId: "O", amount: Money(minorUnits: 125, currency: try Currency("XYZ")))))
        }
    }

    // MARK: Customer ids

    @Test(arguments: [
        (#"C1\u0001"#, #"invalid "customer": Stream id "C1\u{01}" contains a control character: ids must be printable."#),
        (#"C1\n"#, #"invalid "customer": Stream id "C1\n" contains a control character: ids must be printable."#),
        (#"C1\u007f"#, #"invalid "customer": Stream id "C1\u{7F}" contains a control character: ids must be printable."#),
        // 43 × € is 43 characters but 129 bytes: the limit counts UTF-8 bytes.
        (String(repeating: "€", count: 43), #"invalid "customer": Stream id "\#(String(repeating: "€", count: 43))" is 129 bytes long: ids are at most 128 bytes of UTF-8."#),
        (String(repeating: "C", count: 129), #"invalid "customer": Stream id "\#(String(repeating: "C", count: 129))" is 129 bytes long: ids are at most 128 bytes of UTF-8."#),
        ("", #"invalid "customer": Stream id "" is empty: give a non-empty id."#),
    ])
    func badCustomerIDs(_ customer: String, _ reason: String) async throws {
        #expect(try await Self.importReason(Self.line("x.y", "{}", customer: customer)) == reason)
    }

    @Test func aCustomerIDOfExactly128BytesIsAccepted() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            let id = String(repeating: "€", count: 42) + "CC"
            let file = try writeLines([Self.line("x.y", "{}", customer: id)], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", ledger])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try storedEvents(at: ledger).map(\.stream.rawValue) == [id])
        }
    }

    // MARK: Damaged and foreign ledger files

    /// A ledger of three events, closed.
    static func makeLedger(at path: String) async throws {
        try await appendDirectly((1...3).map { ProposedEvent(type: "x.y", payload: Data("{\"n\":\($0)}".utf8)) }, to: "C1", at: path)
    }

    static func damaged(_ path: String) -> String {
        "error: Opening the ledger at \(path): the files are not a ledger or are damaged (MDB_INVALID: File is not an LMDB file). Restore from a backup."
    }

    /// Cut inside LMDB's two meta pages (4 KiB each here): LMDB sees no valid header.
    @Test(arguments: [100, 4_096])
    func aDataFileCutShortInItsHeader(_ length: Int) async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            try Self.cut(ledger + "/data.mdb", to: length)
            for command in [["stats"], ["events"], ["import", "-"]] {
                let result = try await LedgerTool.run(command + ["--path", ledger], stdin: eventLine(9))
                #expect(result.status == 1)
                #expect(result.stderrLines == [Self.damaged(ledger)], "\(command)")
            }
        }
    }

    /// LMDB would take an empty data file for a new ledger: the open refuses it, before
    /// anything is written, whether the command reads or writes.
    @Test func aDataFileCutToNothingIsRefused() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            try Self.cut(ledger + "/data.mdb", to: 0)
            for command in [["stats"], ["events"], ["import", "-"]] {
                let result = try await LedgerTool.run(command + ["--path", ledger], stdin: eventLine(9))
                #expect(result.status == 1)
                #expect(result.stderrLines == [
                    "error: The data file \(ledger)/data.mdb is empty (0 bytes): it was cut to nothing or replaced, and the ledger's events are not in it. Restore the ledger from a backup (if the folder never held a ledger, delete data.mdb to start a new one).",
                ], "\(command)")
            }
            #expect(try FileManager.default.attributesOfItem(atPath: ledger + "/data.mdb")[.size] as? Int == 0)
        }
    }

    @Test(arguments: [
        ("text", Data("name,amount\nAda,12.30\n".utf8)),
        ("zeros", Data(count: 65_536)),
        ("a lock file", nil),
    ] as [(String, Data?)])
    func aForeignFileAsTheDataFile(_ name: String, _ contents: Data?) async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            let data = URL(fileURLWithPath: ledger + "/data.mdb")
            // A lock file is LMDB's own, but not a data file.
            try (contents ?? Data(contentsOf: URL(fileURLWithPath: ledger + "/lock.mdb"))).write(to: data)
            let result = try await LedgerTool.run(["events", "--path", ledger])
            #expect(result.status == 1)
            #expect(result.stderrLines == [Self.damaged(ledger)], "\(name)")
        }
    }

    // MARK: Permissions

    /// The file system's permission checks do not apply to root: there the tool runs as
    /// `nobody` through setpriv(1); any other user loses access by a chmod of the folder.
    static let canLoseAccess = geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    /// Runs the tool as a user without access to `folder` (which is made 0700 or is already).
    static func runWithoutAccess(_ arguments: [String], to folder: String) async throws -> ToolResult {
        guard geteuid() == 0 else {
            let mode = try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? NSNumber
            #expect(chmod(folder, 0) == 0)
            defer { chmod(folder, mode_t(mode?.uint16Value ?? 0o700)) }
            return try await LedgerTool.run(arguments)
        }
        let tool = try #require(LedgerTool.executable)
        return try await Self.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", tool.path] + arguments)
    }

    @Test(.enabled(if: canLoseAccess, "root without setpriv cannot lose access"))
    func aLedgerFolderWithoutPermission() async throws {
        try await withTemporaryFolder { folder in
            // The temporary folder must be reachable by the other user; the ledger is not.
            #expect(chmod(folder.path, 0o755) == 0)
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            let writers = [["import", "-"], ["append", "--customer", "C1", "--type", "x.y", "--data", "{}"]]
            for command in writers {
                let result = try await Self.runWithoutAccess(command + ["--path", ledger], to: ledger)
                #expect(result.status == 1)
                #expect(result.stderrLines == [
                    "error: The ledger folder \(ledger) is not readable and writable by this user: fix its owner or mode (the ledger creates it as 0700).",
                ], "\(command)")
            }
            // The reading commands first look for data.mdb, which they may not see: they say
            // that permission is denied, not that there is no ledger.
            for command in [["stats"], ["events"]] {
                let result = try await Self.runWithoutAccess(command + ["--path", ledger], to: ledger)
                #expect(result.status == 1)
                #expect(result.stderrLines == [
                    "error: The ledger at \(ledger) cannot be reached by this user (permission denied on its folder or one above it): fix the folder's owner or mode (the ledger creates it as 0700).",
                ], "\(command)")
            }
            #expect(try storedEvents(at: ledger).count == 3)
        }
    }

    /// A ledger inside a folder this user may not enter: the reading commands say that
    /// permission is denied; a missing ledger in a folder they may enter is still "no ledger".
    @Test(.enabled(if: canLoseAccess, "root without setpriv cannot lose access"))
    func aLedgerBehindAFolderWithoutPermission() async throws {
        try await withTemporaryFolder { folder in
            #expect(chmod(folder.path, 0o755) == 0)
            let parent = folder.appendingPathComponent("private").path
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
            #expect(chmod(parent, 0o700) == 0)
            let ledger = parent + "/ledger"
            try await Self.makeLedger(at: ledger)
            for command in [["stats"], ["events"]] {
                let result = try await Self.runWithoutAccess(command + ["--path", ledger], to: parent)
                #expect(result.status == 1)
                #expect(result.stderrLines == [
                    "error: The ledger at \(ledger) cannot be reached by this user (permission denied on its folder or one above it): fix the folder's owner or mode (the ledger creates it as 0700).",
                ], "\(command)")
            }
            let missing = folder.appendingPathComponent("missing").path
            let result = try await Self.runWithoutAccess(["stats", "--path", missing], to: parent)
            #expect(result.stderrLines == [
                "error: There is no ledger at \(missing): give the right folder with --path, or create one with 'ledger import' or 'ledger demo'.",
            ])
            #expect(!FileManager.default.fileExists(atPath: missing))
        }
    }

    /// The ledger opens for reading and writing only: a folder this user may read but not
    /// write is refused by every command, the reading ones included.
    @Test(.enabled(if: canLoseAccess, "root without setpriv cannot lose access"))
    func aReadOnlyLedgerFolder() async throws {
        try await withTemporaryFolder { folder in
            #expect(chmod(folder.path, 0o755) == 0)
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            for file in ["data.mdb", "lock.mdb"] { #expect(chmod(ledger + "/" + file, 0o644) == 0) }
            #expect(chmod(ledger, geteuid() == 0 ? 0o755 : 0o555) == 0)
            defer { chmod(ledger, 0o700) }
            for command in [["events"], ["stats"], ["import", "-"]] {
                let arguments = command + ["--path", ledger]
                let result = geteuid() == 0
                    ? try await Self.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", try #require(LedgerTool.executable).path] + arguments)
                    : try await LedgerTool.run(arguments)
                #expect(result.status == 1)
                #expect(result.stderrLines == [
                    "error: The ledger folder \(ledger) is not readable and writable by this user: fix its owner or mode (the ledger creates it as 0700).",
                ], "\(command)")
            }
        }
    }

    @Test(.enabled(if: canLoseAccess, "root without setpriv cannot lose access"))
    func aLedgerFolderThatCannotBeCreated() async throws {
        try await withTemporaryFolder { folder in
            let parent = folder.appendingPathComponent("locked").path
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
            #expect(chmod(folder.path, 0o755) == 0)
            #expect(chmod(parent, 0o755) == 0)
            let ledger = parent + "/ledger"
            // nobody (or, as another user, a read-only parent) cannot make the folder.
            let result: ToolResult
            if geteuid() == 0 {
                result = try await Self.runWithoutAccess(["append", "--path", ledger, "--customer", "C1", "--type", "x.y", "--data", "{}"], to: parent)
            } else {
                #expect(chmod(parent, 0o555) == 0)
                defer { chmod(parent, 0o755) }
                result = try await LedgerTool.run(["append", "--path", ledger, "--customer", "C1", "--type", "x.y", "--data", "{}"])
            }
            #expect(result.status == 1)
            #expect(result.stderrLines == [
                "error: Creating the ledger folder \(ledger) failed: Permission denied. Check the path and its parent folder's permissions.",
            ])
        }
    }

    // MARK: Helpers

    /// Cuts a file to `length` bytes.
    static func cut(_ path: String, to length: Int) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(length))
    }

    /// Runs a program as ``LedgerTool`` runs `ledger`.
    static func run(_ program: String, _ arguments: [String]) async throws -> ToolResult {
        try await LedgerTool.run(program: URL(fileURLWithPath: program), arguments)
    }
}
