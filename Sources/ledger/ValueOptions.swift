import ArgumentParser
import CustomerLedger

/// `--currency`: the one currency value figures are measured in (money is never
/// converted). By default, the currency most purchases in the view are in.
struct CurrencyOptions: ParsableArguments {
    @Option(
        name: .customLong("currency"),
        help: ArgumentHelp("Measure spend in this ISO 4217 currency (default: the one most purchases are in; purchases in others are left out and counted).", valueName: "code")
    )
    var currencyCode: String?

    /// The currency to measure in.
    func currency(in ledger: Ledger, asOf: AsOf) throws -> Currency {
        if let currencyCode {
            do {
                return try Currency(currencyCode)
            } catch {
                throw CommandFailure("--currency \(currencyCode.debugDescription): \(error.message)")
            }
        }
        return try ledger.mostCommonPurchaseCurrency(asOf: asOf) ?? .usd
    }
}
