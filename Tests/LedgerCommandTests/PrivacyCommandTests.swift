import CustomerLedger
import Foundation
import Testing

/// `--master-key-file`, `LEDGER_MASTER_KEY_FILE`, `forget`, `rotate-key` and what `stats`
/// and `export` show (docs/privacy.md).
@Suite(.timeLimit(.minutes(2))) struct PrivacyCommandTests {
    static let registration = eventLine(
        1, customer: "C1", type: "customer.registered",
        data: #"{"kind":"person","name":"Zyxia Quorn","city":"Zyxville","contacts":[{"kind":"email","value":"zyxia@quorn.example"}]}"#
    )
    static let purchase = eventLine(2, customer: "C1", type: "purchase.completed", data: #"{"orderId":"O-1","amount":"12.30","currency":"EUR"}"#)

    static func writeKey(_ folder: URL, _ name: String = "master.key", size: Int = 32) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data((0..<size).map { _ in UInt8.random(in: 0...255) }).write(to: url)
        return url.path
    }

    static func dataFile(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path).appendingPathComponent("data.mdb"))
    }

    /// Runs `ledger` with `LEDGER_MASTER_KEY_FILE` set to `keyFile`.
    static func run(_ arguments: [String], keyFileVariable keyFile: String) async throws -> ToolResult {
        guard let executable = LedgerTool.executable else { throw LedgerTool.NotFound() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-env-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputURL = scratch.appendingPathComponent("stdout")
        let errorURL = scratch.appendingPathComponent("stderr")
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? error.close()
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LEDGER_MASTER_KEY_FILE"] = keyFile
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        return ToolResult(
            status: process.terminationStatus,
            stdout: try String(contentsOf: outputURL, encoding: .utf8),
            stderr: try String(contentsOf: errorURL, encoding: .utf8)
        )
    }

    @Test func aKeyFileEncryptsAndForgetErases() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("ledger").path
            let key = try Self.writeKey(folder)
            let file = try writeLines([Self.registration, Self.purchase], to: folder)
            let imported = try await LedgerTool.run(["import", file, "--path", path, "--master-key-file", key])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(try Self.dataFile(path).range(of: Data("Zyxia Quorn".utf8)) == nil)
            #expect(try Self.dataFile(path).range(of: Data("zyxia@quorn.example".utf8)) == nil)

            let stats = try await LedgerTool.run(["stats", "--path", path, "--master-key-file", key])
            #expect(stats.stdout.contains("encrypted"), "\(stats.stdout)")
            #expect(stats.stdout.contains("1 customer key, 0 erased"), "\(stats.stdout)")

            let profile = try await LedgerTool.run(["profile", "C1", "--path", path, "--master-key-file", key])
            #expect(profile.stdout.contains("Zyxia Quorn"), "\(profile.stdout)\(profile.stderr)")
            let lockedProfile = try await LedgerTool.run(["profile", "C1", "--path", path])
            #expect(lockedProfile.status == 0)
            #expect(lockedProfile.stdout.contains("(locked)"), "\(lockedProfile.stdout)")
            #expect(!lockedProfile.stdout.contains("Zyxia"))

            // Export: readable with the key (and imports again), null and marked without.
            let export = try await LedgerTool.run(["export", "--path", path, "--master-key-file", key])
            #expect(export.stdout.contains(#""name":"Zyxia Quorn""#), "\(export.stdout)")
            #expect(!export.stdout.contains("personalData"))
            let copy = folder.appendingPathComponent("copy").path
            let exportFile = try writeLines(export.stdoutLines, to: folder, name: "export.jsonl")
            let reimported = try await LedgerTool.run(["import", exportFile, "--path", copy, "--master-key-file", key])
            #expect(reimported.status == 0, "\(reimported.stderr)")
            #expect(try Self.dataFile(copy).range(of: Data("Zyxia Quorn".utf8)) == nil)

            let lockedExport = try await LedgerTool.run(["export", "--path", path])
            #expect(lockedExport.stdoutLines.count == 2)
            #expect(lockedExport.stdoutLines[0].contains(#""personalData":"locked""#), "\(lockedExport.stdout)")
            #expect(lockedExport.stdoutLines[0].contains(#""name":null"#))
            #expect(lockedExport.stdoutLines[0].contains(#""kind":"person""#))
            #expect(!lockedExport.stdoutLines[1].contains("personalData"))
            let lockedFile = try writeLines(lockedExport.stdoutLines, to: folder, name: "locked.jsonl")
            let refused = try await LedgerTool.run(["import", lockedFile, "--path", folder.appendingPathComponent("other").path])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("exported with its personal data locked"), "\(refused.stderr)")

            // Forget: no key needed; then erased everywhere, the purchase still counts.
            let forget = try await LedgerTool.run(["forget", "C1", "--path", path, "--reason", "GDPR Art. 17"])
            #expect(forget.status == 0, "\(forget.stderr)")
            #expect(forget.stdout.contains("Forgot C1"), "\(forget.stdout)")
            let repeatForget = try await LedgerTool.run(["forget", "C1", "--path", path, "--master-key-file", key])
            #expect(repeatForget.status == 0)
            #expect(repeatForget.stdout.contains("already forgotten"), "\(repeatForget.stdout)")
            let erased = try await LedgerTool.run(["profile", "C1", "--path", path, "--master-key-file", key])
            #expect(erased.stdout.contains("(erased)"), "\(erased.stdout)")
            #expect(erased.stdout.contains("EUR 12.30") || erased.stdout.contains("12.30"), "\(erased.stdout)")
            let erasedExport = try await LedgerTool.run(["export", "--path", path, "--master-key-file", key])
            #expect(erasedExport.stdoutLines[0].contains(#""personalData":"erased""#), "\(erasedExport.stdout)")
            #expect(!erasedExport.stdout.contains("Zyxia"))
            let afterStats = try await LedgerTool.run(["stats", "--path", path, "--json"])
            #expect(afterStats.stdout.contains(#""erasedCustomers":1"#), "\(afterStats.stdout)")
            #expect(afterStats.stdout.contains(#""masterKeyGiven":false"#))
        }
    }

    @Test func theEnvironmentVariableNamesTheKeyFile() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("ledger").path
            let key = try Self.writeKey(folder)
            let file = try writeLines([Self.registration], to: folder)
            let imported = try await Self.run(["import", file, "--path", path], keyFileVariable: key)
            #expect(imported.status == 0, "\(imported.stderr)")
            let profile = try await Self.run(["profile", "C1", "--path", path], keyFileVariable: key)
            #expect(profile.stdout.contains("Zyxia Quorn"), "\(profile.stdout)\(profile.stderr)")
            // The option wins over the variable.
            let other = try Self.writeKey(folder, "other.key")
            let wrong = try await Self.run(["profile", "C1", "--path", path, "--master-key-file", other], keyFileVariable: key)
            #expect(wrong.status == 1)
            #expect(wrong.stderr.contains("does not open the ledger"), "\(wrong.stderr)")
            let missing = try await Self.run(["stats", "--path", path], keyFileVariable: folder.appendingPathComponent("nope.key").path)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("There is no master key file at"), "\(missing.stderr)")
            #expect(missing.stderr.contains("$LEDGER_MASTER_KEY_FILE"), "\(missing.stderr)")
        }
    }

    @Test func aKeyFileOfTheWrongSizeIsAClearError() async throws {
        try await withTemporaryFolder { folder in
            let key = try Self.writeKey(folder, size: 64)
            let file = try writeLines([Self.registration], to: folder)
            let result = try await LedgerTool.run(["import", file, "--path", folder.appendingPathComponent("ledger").path, "--master-key-file", key])
            #expect(result.status == 1)
            #expect(result.stderr.contains("holds 64 bytes, and a master key is exactly 32 raw bytes"), "\(result.stderr)")
            #expect(result.stderr.contains("hex"), "\(result.stderr)")
        }
    }

    @Test func aLedgerWithoutAMasterKeySaysSoAndCannotForget() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("ledger").path
            let file = try writeLines([Self.registration], to: folder)
            _ = try await LedgerTool.run(["import", file, "--path", path])
            let stats = try await LedgerTool.run(["stats", "--path", path])
            #expect(stats.stdout.contains("stored in clear: this ledger was created without a master key"), "\(stats.stdout)")
            let json = try await LedgerTool.run(["stats", "--path", path, "--json"])
            #expect(json.stdout.contains(#""personalDataEncryption":"none""#), "\(json.stdout)")
            let forget = try await LedgerTool.run(["forget", "C1", "--path", path])
            #expect(forget.status == 1)
            #expect(forget.stderr.contains("created without a master key"), "\(forget.stderr)")
            #expect(forget.stderr.contains("no key to destroy"), "\(forget.stderr)")
            #expect(forget.stderr.contains("--master-key-file"), "\(forget.stderr)")
        }
    }

    @Test func rotateKeyRewrapsSoOnlyTheNewKeyOpens() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("ledger").path
            let old = try Self.writeKey(folder, "old.key")
            let new = try Self.writeKey(folder, "new.key")
            let file = try writeLines([Self.registration, Self.purchase], to: folder)
            _ = try await LedgerTool.run(["import", file, "--path", path, "--master-key-file", old])
            let withoutCurrent = try await LedgerTool.run(["rotate-key", "--path", path, "--new-key-file", new])
            #expect(withoutCurrent.status == 1)
            #expect(withoutCurrent.stderr.contains("needs the current master key"), "\(withoutCurrent.stderr)")
            let rotated = try await LedgerTool.run(["rotate-key", "--path", path, "--master-key-file", old, "--new-key-file", new])
            #expect(rotated.status == 0, "\(rotated.stderr)")
            #expect(rotated.stdout.contains("1 data key rewrapped"), "\(rotated.stdout)")
            let withOld = try await LedgerTool.run(["profile", "C1", "--path", path, "--master-key-file", old])
            #expect(withOld.status == 1)
            #expect(withOld.stderr.contains("does not open the ledger"), "\(withOld.stderr)")
            let withNew = try await LedgerTool.run(["profile", "C1", "--path", path, "--master-key-file", new])
            #expect(withNew.stdout.contains("Zyxia Quorn"), "\(withNew.stdout)\(withNew.stderr)")
        }
    }
}
