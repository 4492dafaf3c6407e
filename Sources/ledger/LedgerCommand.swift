import ArgumentParser
import CustomerLedger
import Foundation

/// The `ledger` tool: look at, fill, import into and export from a customer ledger.
///
/// Every failure ends the same way: one line `error: <message>` on standard error and a
/// non-zero exit status (1, or 64 for a wrong command line), never a crash trace.
@main
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Look at, fill, import into and export from a customer ledger.",
        discussion: "Every command works on the ledger in --path (default \(Ledger.defaultPath)).",
        subcommands: [
            ImportCommand.self, ExportCommand.self, EventsCommand.self, StatsCommand.self,
            AppendCommand.self, DemoCommand.self,
            ProfileCommand.self, TimelineCommand.self, LifecycleCommand.self, ValueCommand.self, RFMCommand.self,
            TiersCommand.self, SatisfactionCommand.self, AttentionCommand.self, CareDatesCommand.self, KPIsCommand.self,
            AuditCommand.self, BackupCommand.self, RestoreCommand.self,
            ForgetCommand.self, RotateKeyCommand.self,
            VerifyCommand.self, DigestCommand.self,
        ]
    )

    /// Parses the command line and runs the command, reporting failures in one line.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(reporting: error)
        }
    }

    /// Prints `error: <message>` for `error` and exits; help and version requests print
    /// as ArgumentParser prints them.
    static func exit(reporting error: any Error) -> Never {
        let message: String
        var status = ExitCode.failure
        switch error {
        case let failure as LedgerError:
            message = failure.message
        case let failure as CommandFailure:
            message = failure.message
        case let code as ExitCode:
            Foundation.exit(code.rawValue)
        default:
            status = exitCode(for: error)
            guard status != .success else { exit(withError: error) }
            message = self.message(for: error) + (status == .validationFailure ? " (see 'ledger help')" : "")
        }
        StandardError.line("error: \(message)")
        Foundation.exit(status.rawValue)
    }
}
