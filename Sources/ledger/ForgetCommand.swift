import ArgumentParser
import CustomerLedger
import Foundation
import LedgerJSONLines

/// `ledger forget ID`: erases a customer's personal data (docs/privacy.md).
struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Forget a customer: destroy its data key, then record customer.forgotten.",
        discussion: """
            Afterwards every read, projection and export shows the customer's personal fields \
            as erased; its events stay (the hash chain still verifies) and its purchases, scores \
            and dates still count. Customers merged with it are erased too. Forgetting again is \
            harmless. Needs a ledger created with a master key: one created without stores \
            personal data in clear, and this command refuses to pretend it erased it. The \
            master key itself is not needed. What erasure does not cover (backups!) is in \
            docs/privacy.md.
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Argument(help: ArgumentHelp("The customer id.", valueName: "id"))
    var customer: String

    @Option(help: ArgumentHelp("Why, stored in clear for the audit trail (no personal data here).", valueName: "text"))
    var reason: String?

    @Option(help: ArgumentHelp("When the request was made: ISO 8601 with a zone. Default: now.", valueName: "time"))
    var occurredAt: String?

    @Option(help: ArgumentHelp("Metadata: who made the change.", valueName: "name"))
    var actor: String?

    @Flag(help: "Print the result as a JSON object.")
    var json = false

    mutating func run() async throws {
        let id = try StreamID(customer)
        var time = Date()
        if let occurredAt {
            do {
                time = try Timestamp.parse(occurredAt)
            } catch {
                throw CommandFailure("--occurred-at \(occurredAt.debugDescription) is not an ISO 8601 time with a zone: it \(error.reason).")
            }
        }
        let ledger = try ledgerOptions.openExistingLedger()
        defer { ledger.close() }
        var metadata = EventMetadata()
        metadata.actor = actor
        let result = try await ledger.forget(id, occurredAt: time, reason: reason, metadata: metadata)
        let output = OutputWriter.standardOutput()
        if json {
            var object = JSONObjectWriter()
            object.add("customer", id.rawValue)
            object.add("position", result.positions.lowerBound.rawValue)
            object.add("version", result.versions.lowerBound.rawValue)
            object.add("alreadyForgotten", result.wasAlreadyStored)
            try output.line(object.text())
        } else if result.wasAlreadyStored {
            try output.line("\(id) was already forgotten (customer.forgotten at position \(result.positions.lowerBound.rawValue)); its data key is destroyed.")
        } else {
            try output.line("Forgot \(id): its data key is destroyed, and customer.forgotten is at position \(result.positions.lowerBound.rawValue). Its personal fields now read as erased.")
        }
        try output.finish()
    }
}
