import ArgumentParser
import CustomerLedger
import Foundation

/// The options every command takes: where the ledger is.
struct LedgerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The ledger's folder.", valueName: "dir"),
        completion: .directory
    )
    var path: String = Ledger.defaultPath

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A file of 32 raw bytes: the master key that encrypts the ledger's personal data (default: $\(Self.masterKeyVariable)). A ledger created with one encrypts from its first event; without it, personal fields read as locked.",
            valueName: "file"
        ),
        completion: .file()
    )
    var masterKeyFile: String?

    /// The environment variable naming the master key file when `--master-key-file` is not given.
    static let masterKeyVariable = "LEDGER_MASTER_KEY_FILE"

    /// The key file to use: `--master-key-file`, else `$LEDGER_MASTER_KEY_FILE` (empty
    /// counts as unset).
    var masterKeyPath: String? {
        if let masterKeyFile { return masterKeyFile }
        guard let value = ProcessInfo.processInfo.environment[Self.masterKeyVariable], !value.isEmpty else { return nil }
        return value
    }

    /// The master key from its file, or `nil` when none is named.
    func masterKey() throws(LedgerError) -> MasterKey? {
        guard let masterKeyPath else { return nil }
        do {
            return try MasterKey(contentsOfFile: masterKeyPath)
        } catch {
            let source = masterKeyFile != nil ? "--master-key-file" : "$\(Self.masterKeyVariable)"
            throw LedgerError(error.code, "\(error.message) (named by \(source))")
        }
    }

    /// Opens the ledger, creating it when the folder holds none (for commands that write).
    func openLedger() throws(LedgerError) -> Ledger {
        try Ledger.open(at: path, masterKey: try masterKey())
    }

    /// Opens a ledger that must already exist (for commands that only read), so that a
    /// mistyped `--path` is reported instead of leaving an empty ledger behind. A folder
    /// this user may not enter is reported as such, not as a missing ledger.
    func openExistingLedger() throws -> Ledger {
        // `data.mdb` is the LMDB engine's data file (the one `storageInfo()` measures).
        var status = stat()
        if stat((path as NSString).appendingPathComponent("data.mdb"), &status) != 0 {
            let code = errno
            guard code != EACCES else {
                throw LedgerError(
                    .permissionDenied,
                    "The ledger at \(path) cannot be reached by this user (permission denied on its folder or one above it): fix the folder's owner or mode (the ledger creates it as 0700).",
                    systemCode: code
                )
            }
            throw CommandFailure(
                "There is no ledger at \(path): give the right folder with --path, or create one with 'ledger import' or 'ledger demo'."
            )
        }
        return try Ledger.open(at: path, masterKey: try masterKey())
    }
}

/// Which events `export` and `events` read: one customer or all, from a log position on.
struct SelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this customer's events (the stream id).", valueName: "id"))
    var customer: String?

    @Option(
        help: ArgumentHelp(
            "Start at this log position (inclusive; going backward, the newest position to show).",
            valueName: "position"
        )
    )
    var from: UInt64?

    /// `--from` as a log position.
    var position: LogPosition? { from.map { LogPosition($0) } }

    /// The customer as a stream id, checked.
    func stream() throws(LedgerError) -> StreamID? {
        try customer.map { id throws(LedgerError) in try StreamID(id) }
    }
}

/// `--expected-version any|no-stream|exists|N`.
struct ExpectedVersionArgument: ExpressibleByArgument {
    var value: ExpectedVersion

    init(_ value: ExpectedVersion) {
        self.value = value
    }

    init?(argument: String) {
        switch argument {
        case "any": value = .any
        case "no-stream": value = .noStream
        case "exists": value = .streamExists
        default:
            guard let version = UInt64(argument) else { return nil }
            value = .exactly(StreamVersion(version))
        }
    }

    var defaultValueDescription: String {
        switch value {
        case .any: "any"
        case .noStream: "no-stream"
        case .streamExists: "exists"
        case .exactly(let version): String(version.rawValue)
        }
    }
}
