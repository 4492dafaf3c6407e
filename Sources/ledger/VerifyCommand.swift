import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger verify`: recomputes the hash chain and says whether the log is intact.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the ledger's hash chain: that no stored event was changed, deleted or moved.",
        discussion: """
            Recomputes every event's link from the one before it and its stored bytes, and \
            checks the head. With --digest, also proves that the log up to the digest's \
            position is what it was when 'ledger digest' wrote the file, and has only grown \
            since. Exits with status 1 and one line naming the first position that does not \
            verify when the chain does not hold. Progress goes to standard error when it is a \
            terminal. See docs/audit-chain.md.
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(
        help: ArgumentHelp("Also check against this digest, written earlier by 'ledger digest'.", valueName: "file"),
        completion: .file()
    )
    var digest: String?

    @Flag(help: "With --digest: start at the digest's position instead of the first event (faster; trusts what is below it).")
    var incremental = false

    @Flag(help: "Print one JSON object.")
    var json = false

    mutating func validate() throws {
        if incremental, digest == nil {
            throw ValidationError("--incremental needs --digest: it starts at the digest's position.")
        }
    }

    mutating func run() async throws {
        let expected = try digest.map { path throws(CommandFailure) in try DigestCommand.read(path) }
        let ledger = try ledgerOptions.openExistingLedger()
        defer { ledger.close() }
        var meter = ProgressMeter(enabled: isatty(STDERR_FILENO) == 1)
        let report = try ledger.verify(against: expected, incrementally: incremental) { meter.show($0) }
        let output = OutputWriter.standardOutput()
        if json {
            try output.document(Self.json(report, path: ledgerOptions.path))
        } else {
            try TextTable.printFacts(Self.facts(report, path: ledgerOptions.path), to: output)
        }
        try output.finish()
        if let problem = report.problem {
            throw CommandFailure("Verification failed at position \(problem.position) (\(problem.kind)): \(problem.message)")
        }
    }

    static func facts(_ report: VerificationReport, path: String) -> [(String, String)] {
        var facts: [(String, String)] = [
            ("ledger", path),
            ("result", report.isIntact ? "intact" : "FAILED"),
            ("events verified", String(report.eventsVerified)),
            ("from position", report.eventsVerified > 0 ? String(report.startPosition.rawValue + 1) : "-"),
            (report.isIntact ? "head position" : "last good position", String(report.lastVerified.rawValue)),
            (report.isIntact ? "head hash" : "last good hash", report.lastHash.hex),
        ]
        if let digest = report.digest {
            facts.append(("digest", "position \(digest.position), taken \(Show.date(digest.time))"))
        }
        if let problem = report.problem {
            facts.append(("problem", "\(problem.kind) at position \(problem.position)"))
            facts.append(("expected", problem.expected))
            facts.append(("found", problem.found))
        }
        facts.append(("time", Show.number(Self.seconds(report.duration), digits: 2) + " s"))
        return facts
    }

    static func json(_ report: VerificationReport, path: String) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("path", .string(path)),
            ("intact", .bool(report.isIntact)),
            ("eventsVerified", .integer(report.eventsVerified)),
            ("startPosition", .integer(report.startPosition.rawValue)),
            ("lastVerifiedPosition", .integer(report.lastVerified.rawValue)),
            ("lastVerifiedHash", .string(report.lastHash.hex)),
            ("digest", report.digest.map(DigestCommand.json) ?? .null),
        ]
        if let problem = report.problem {
            members.append(("problem", .object([
                ("kind", .string(problem.kind.name)),
                ("position", .integer(problem.position.rawValue)),
                ("expected", .string(problem.expected)),
                ("found", .string(problem.found)),
                ("message", .string(problem.message)),
            ])))
        } else {
            members.append(("problem", .null))
        }
        members.append(("seconds", .double(Self.seconds(report.duration))))
        return .object(members)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Progress lines on standard error, at most one a second, for a person watching.
private struct ProgressMeter {
    let enabled: Bool
    private var lastShown: ContinuousClock.Instant?

    init(enabled: Bool) {
        self.enabled = enabled
    }

    mutating func show(_ progress: VerificationProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        if let lastShown, now - lastShown < .seconds(1) { return }
        lastShown = now
        let percent = progress.total > 0 ? Double(progress.verified) / Double(progress.total) * 100 : 100
        StandardError.line(
            "verified \(progress.verified) of \(progress.total) events (\(Show.number(percent))%), \(Show.number(progress.eventsPerSecond / 1_000_000, digits: 2)) M/s"
        )
    }
}
