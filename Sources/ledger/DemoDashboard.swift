import CustomerLedger
import Foundation

/// The demo's closing summary, from the library's projections: the lifecycle
/// distribution, tiers and their quarterly movement, the satisfaction headline and
/// trend, and the customers who most need attention.
struct DemoDashboard {
    let ledger: Ledger
    let output: OutputWriter
    let asOf: AsOf

    func print() throws {
        try output.line()
        try output.line("Dashboard as of \(Show.date(asOf.time)) (what the other commands show with --as-of \(Show.day(asOf.time))):")
        try lifecycle()
        try tiers()
    }

    private func heading(_ text: String) throws {
        try output.line()
        try output.line("== \(text)")
        try output.line()
    }

    private func lifecycle() throws {
        let distribution = try ledger.lifecycleDistribution(asOf: asOf)
        try heading("Lifecycle of \(distribution.customers) customers (merged customers count once)")
        try LifecycleCommand.printDistribution(distribution, to: output)
    }

    private func tiers() throws {
        let quarters = TimeMath.quarter(of: asOf.time)
        let review = try ledger.tierReview(quarters: quarters.previous.previous.previous...quarters, asOf: asOf)
        try heading("Tiers per quarter and how they moved (↑ ↓ = against the previous quarter's close)")
        try TiersCommand.printSummary(review.quarters, to: output)
    }
}
