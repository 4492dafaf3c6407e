import ArgumentParser

@main
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Look at, fill, import into and export from a customer ledger."
    )
}
