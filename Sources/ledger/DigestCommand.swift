import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger digest`: the hash chain's head as one JSON document, to keep elsewhere and
/// verify against later with `ledger verify --digest`.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the ledger's digest: its head position, the hash chain's link there, and the time.",
        discussion: """
            Keep the digest where whoever runs the ledger cannot change it. 'ledger verify \
            --digest FILE' later proves that the log up to the digest's position is unchanged \
            and has only grown since. The digest is read from the last event's link, not \
            recomputed: take it after 'ledger verify' passed. See docs/audit-chain.md.
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("Write the digest to this file instead of standard output.", valueName: "file"),
        completion: .file()
    )
    var output: String?

    mutating func run() async throws {
        let ledger = try ledgerOptions.openExistingLedger()
        defer { ledger.close() }
        let digest = try ledger.digest()
        let writer = try output.map { path throws(CommandFailure) in try OutputWriter.file(path) } ?? .standardOutput()
        try writer.document(Self.json(digest))
        try writer.finish()
        if let output {
            let summary = OutputWriter.standardOutput()
            try summary.line("Wrote the digest of position \(digest.position) to \(output).")
            try summary.finish()
        }
    }

    /// A digest as the JSON document `verify --digest` reads.
    static func json(_ digest: LedgerDigest) -> JSONValue {
        .object([
            ("position", .integer(digest.position.rawValue)),
            ("hash", .string(digest.hash.hex)),
            ("time", .date(digest.time)),
        ])
    }

    /// Reads a digest file written by `ledger digest`.
    static func read(_ path: String) throws(CommandFailure) -> LedgerDigest {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("Cannot read the digest file \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(LedgerDigest.self, from: data)
        } catch {
            throw CommandFailure(
                "\(path) is not a ledger digest: it must be one JSON object with \"position\", \"hash\" (64 hex digits) and \"time\", as 'ledger digest' writes."
            )
        }
    }
}
