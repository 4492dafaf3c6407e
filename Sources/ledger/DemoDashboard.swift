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
        try satisfaction()
        try attention()
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

    private func satisfaction() throws {
        let report = try ledger.satisfactionReport(interval: .quarter, asOf: asOf)
        try heading("Satisfaction: headline (each customer's latest answer) and trend per quarter")
        let headlines = TextTable([.left("SURVEY"), .right("HEADLINE"), .right("MEAN"), .right("CUSTOMERS"), .right("RESPONSES")], output: output)
        for kind in SurveyKind.allCases {
            let score = report.headline[kind]
            try headlines.add([
                kind.rawValue.uppercased(), SatisfactionCommand.headline(score), Show.number(score?.mean, digits: 2),
                String(score?.responses ?? 0), String(report.responses[kind] ?? 0),
            ])
        }
        try headlines.finish()
        try output.line()
        let trend = TextTable([.left("QUARTER"), .right("NPS"), .right("CSAT"), .right("CES")], output: output)
        for point in report.trend {
            try trend.add([
                TimeMath.quarter(of: point.start).description, SatisfactionCommand.withCount(point.scores[.nps]),
                SatisfactionCommand.withCount(point.scores[.csat]), SatisfactionCommand.withCount(point.scores[.ces]),
            ])
        }
        try trend.finish()
        try output.line()
        try SatisfactionCommand.printClosedLoop(report.closedLoop, to: output)
    }

    private func attention() throws {
        let report = try ledger.customersNeedingAttention(asOf: asOf)
        let ranked = AttentionCommand.ranked(report.customers)
        try heading("Customers needing attention: \(report.customers.count) of \(report.customersExamined); the 10 most urgent")
        try AttentionCommand.printTable(Array(ranked.prefix(10)), asOf: asOf.time, to: output)
    }
}
