import CustomerLedger
import Foundation
import Testing

/// `ledger verify` and `ledger digest`: their output, and exit status 1 with one line
/// naming the position when the chain does not hold.
@Suite(.timeLimit(.minutes(2))) struct VerifyCommandTests {
    /// A closed ledger at `folder/ledger` whose events 1…count have `note-NNN` in their payloads.
    static func ledger(in folder: URL, count: Int, from first: Int = 1) async throws -> String {
        let path = folder.appendingPathComponent("ledger").path
        let events = (first..<(first + count)).map { number in
            ProposedEvent(type: "note.added", payload: Data(#"{"text":"\#(note(number))"}"#.utf8))
        }
        try await appendDirectly(events, to: "C20240501001", at: path)
        return path
    }

    static func note(_ number: Int) -> String {
        "note-" + String(repeating: "0", count: 3 - String(number).count) + String(number)
    }

    @Test func anIntactLedgerVerifies() async throws {
        try await withTemporaryFolder { folder in
            let path = try await Self.ledger(in: folder, count: 5)
            let text = try await LedgerTool.run(["verify", "--path", path])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stderr.isEmpty)
            #expect(text.stdoutLines.contains("result           intact"))
            #expect(text.stdoutLines.contains("events verified  5"))
            #expect(text.stdoutLines.contains("head position    5"))

            let json = try await LedgerTool.run(["verify", "--path", path, "--json"])
            #expect(json.status == 0, "\(json.stderr)")
            #expect(json.stdoutLines.count == 1)
            let object = try jsonObject(json.stdout)
            #expect(object["intact"] as? Bool == true)
            #expect(object["eventsVerified"] as? Int == 5)
            #expect(object["lastVerifiedPosition"] as? Int == 5)
            #expect((object["lastVerifiedHash"] as? String)?.count == 64)
            #expect(object["problem"] is NSNull)
        }
    }

    @Test func aDigestPrintsAsOneJSONDocumentAndVerifiesLater() async throws {
        try await withTemporaryFolder { folder in
            let path = try await Self.ledger(in: folder, count: 5)
            let printed = try await LedgerTool.run(["digest", "--path", path])
            #expect(printed.status == 0, "\(printed.stderr)")
            #expect(printed.stdoutLines.count == 1)
            let digest = try jsonObject(printed.stdout)
            #expect(digest["position"] as? Int == 5)
            #expect((digest["hash"] as? String)?.count == 64)
            #expect((digest["time"] as? String)?.hasSuffix("Z") == true)
            #expect(Array(digest.keys).sorted() == ["hash", "position", "time"])

            let file = folder.appendingPathComponent("digest.json").path
            let written = try await LedgerTool.run(["digest", "--path", path, "--output", file])
            #expect(written.stdout == "Wrote the digest of position 5 to \(file).\n")
            #expect(try jsonObject(String(contentsOfFile: file, encoding: .utf8))["hash"] as? String == digest["hash"] as? String)

            try await appendDirectly([ProposedEvent(type: "note.added", payload: Data(#"{"text":"later"}"#.utf8))], to: "C2", at: path)
            let full = try await LedgerTool.run(["verify", "--path", path, "--digest", file])
            #expect(full.status == 0, "\(full.stderr)")
            #expect(full.stdoutLines.contains("events verified  6"))
            #expect(full.stdoutLines.contains { $0.hasPrefix("digest           position 5, taken ") })
            let incremental = try await LedgerTool.run(["verify", "--path", path, "--digest", file, "--incremental", "--json"])
            #expect(incremental.status == 0, "\(incremental.stderr)")
            let object = try jsonObject(incremental.stdout)
            #expect(object["eventsVerified"] as? Int == 1)
            #expect(object["startPosition"] as? Int == 5)
            #expect((object["digest"] as? [String: Any])?["position"] as? Int == 5)
        }
    }

    @Test func aChangedEventFailsWithOneLineNamingItsPosition() async throws {
        try await withTemporaryFolder { folder in
            let path = try await Self.ledger(in: folder, count: 6)
            // Change event 3's payload in the data file (every copy of it, live or freed).
            let url = URL(fileURLWithPath: path + "/data.mdb")
            var bytes = [UInt8](try Data(contentsOf: url))
            let needle = Array(Self.note(3).utf8)
            var changed = 0
            for index in 0...(bytes.count - needle.count) where bytes[index] == needle[0] && Array(bytes[index..<(index + needle.count)]) == needle {
                bytes[index] = UInt8(ascii: "N")
                changed += 1
            }
            #expect(changed >= 1)
            try Data(bytes).write(to: url)

            let text = try await LedgerTool.run(["verify", "--path", path])
            #expect(text.status == 1)
            #expect(text.stderrLines.count == 1)
            #expect(text.stderrLines.first?.hasPrefix("error: Verification failed at position 3 (hashMismatch): The event at position 3 does not match its hash chain link") == true)
            #expect(text.stdoutLines.contains("result              FAILED"))
            #expect(text.stdoutLines.contains("problem             hashMismatch at position 3"))
            #expect(text.stdoutLines.contains("last good position  2"))

            let json = try await LedgerTool.run(["verify", "--path", path, "--json"])
            #expect(json.status == 1)
            let object = try jsonObject(json.stdout)
            #expect(object["intact"] as? Bool == false)
            let problem = try #require(object["problem"] as? [String: Any])
            #expect(problem["kind"] as? String == "hashMismatch")
            #expect(problem["position"] as? Int == 3)
            #expect((problem["expected"] as? String)?.count == 64)
            #expect((problem["found"] as? String)?.count == 64)
            #expect(problem["expected"] as? String != problem["found"] as? String)
        }
    }

    @Test func aDigestOfAnotherLedgerFails() async throws {
        try await withTemporaryFolder { folder in
            let path = try await Self.ledger(in: folder, count: 4)
            let other = folder.appendingPathComponent("other")
            try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
            let otherPath = try await Self.ledger(in: other, count: 4, from: 100)
            let file = folder.appendingPathComponent("other-digest.json").path
            #expect(try await LedgerTool.run(["digest", "--path", otherPath, "-o", file]).status == 0)
            let run = try await LedgerTool.run(["verify", "--path", path, "--digest", file])
            #expect(run.status == 1)
            #expect(run.stderrLines.count == 1)
            #expect(run.stderrLines.first?.hasPrefix("error: Verification failed at position 4 (digestMismatch)") == true)
        }
    }

    @Test func badCommandLinesAndFiles() async throws {
        try await withTemporaryFolder { folder in
            let path = try await Self.ledger(in: folder, count: 2)
            let incremental = try await LedgerTool.run(["verify", "--path", path, "--incremental"])
            #expect(incremental.status == 64)
            #expect(incremental.stderr == "error: --incremental needs --digest: it starts at the digest's position. (see 'ledger help')\n")

            let missingFile = folder.appendingPathComponent("nope.json").path
            let missing = try await LedgerTool.run(["verify", "--path", path, "--digest", missingFile])
            #expect(missing.status == 1)
            #expect(missing.stderr.hasPrefix("error: Cannot read the digest file \(missingFile)"))

            let bad = folder.appendingPathComponent("bad.json")
            try Data(#"{"position":2,"hash":"xyz"}"#.utf8).write(to: bad)
            let malformed = try await LedgerTool.run(["verify", "--path", path, "--digest", bad.path])
            #expect(malformed.status == 1)
            #expect(malformed.stderr == "error: \(bad.path) is not a ledger digest: it must be one JSON object with \"position\", \"hash\" (64 hex digits) and \"time\", as 'ledger digest' writes.\n")

            let nowhere = folder.appendingPathComponent("nowhere").path
            for command in ["verify", "digest"] {
                let run = try await LedgerTool.run([command, "--path", nowhere])
                #expect(run.status == 1)
                #expect(run.stderr.hasPrefix("error: There is no ledger at \(nowhere)"))
                #expect(!FileManager.default.fileExists(atPath: nowhere))
            }
        }
    }
}
