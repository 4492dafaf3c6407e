/// A failure the tool explains in one line: `error: <message>` on standard error and a
/// non-zero exit status (see ``LedgerCommand/exit(reporting:)``).
struct CommandFailure: Error, CustomStringConvertible {
    /// What went wrong and, where it helps, what to do about it.
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
