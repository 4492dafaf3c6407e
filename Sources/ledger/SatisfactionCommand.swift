import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger satisfaction [ID]`: NPS, CSAT and CES headline, trend, breakdowns and the
/// closed loop for the population, or one customer's scores.
struct SatisfactionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "satisfaction",
        abstract: "Show NPS, CSAT and CES: headline, trend, breakdowns by tier, stage, channel and dimension, and how detractors were followed up.",
        discussion: """
            Headline scores use each customer's latest response in the period (--from, --to; default all). \
            NPS is % promoters (9–10) − % detractors (0–6); CSAT is % of 4s and 5s; CES is the mean (1–7, \
            higher is easier). Scores from fewer than 30 responses are marked '(small)'. With an id, that \
            customer's latest score, mean, count and trend per survey kind.
            """
    )

    @OptionGroup var view: ViewOptions
    @OptionGroup var period: PeriodOptions

    @Option(name: .customLong("by"), help: ArgumentHelp("The trend's buckets: day, week, month or quarter (UTC).", valueName: "interval"))
    var interval: String = "month"

    @Argument(help: ArgumentHelp("The customer; without it, the population.", valueName: "id"))
    var customer: String?

    mutating func run() async throws {
        guard let interval = SatisfactionInterval(rawValue: interval.lowercased()) else {
            throw CommandFailure("--by \(interval.debugDescription) is not one of \(SatisfactionInterval.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let asOf = try view.asOf()
        let range = try period.range()
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let output = OutputWriter.standardOutput()
        if let customer {
            let id = try view.customer(customer, in: ledger)
            guard !(try ledger.history(of: id, asOf: asOf)).isEmpty else { throw view.unknownAsOf(id, asOf) }
            let satisfaction = try ledger.satisfaction(of: id, asOf: asOf)
            if view.json {
                try output.document(Self.json(satisfaction))
            } else {
                try Self.printCustomer(satisfaction, to: output)
            }
        } else {
            let report = try ledger.satisfactionReport(period: range, interval: interval, asOf: asOf)
            if view.json {
                try output.document(Self.json(report))
            } else {
                try Self.printReport(report, to: output)
            }
        }
        try output.finish()
    }

    // MARK: Formatting scores

    /// The headline figure: NPS signed, CSAT as a percentage, CES as a mean.
    static func headline(_ score: SatisfactionScore?) -> String {
        guard let score, let value = score.headline else { return "-" }
        switch score.kind {
        case .nps: return (value > 0 ? "+" : "") + Show.number(value)
        case .csat: return Show.percent(value)
        case .ces: return Show.number(value, digits: 2)
        }
    }

    /// The headline with its response count, flagged when small.
    static func withCount(_ score: SatisfactionScore?) -> String {
        guard let score, score.responses > 0 else { return "-" }
        return "\(headline(score)) (n=\(score.responses)\(score.isSmallSample ? ", small" : ""))"
    }

    static func json(_ score: SatisfactionScore) -> JSONValue {
        .object([
            ("kind", .string(score.kind.rawValue)),
            ("headline", .optional(score.headline)),
            ("responses", .integer(score.responses)),
            ("mean", .optional(score.mean)),
            ("favourable", .integer(score.favourable)),
            ("passives", .integer(score.passives)),
            ("detractors", .integer(score.detractors)),
            ("percentFavourable", .optional(score.percentFavourable)),
            ("percentDetractors", .optional(score.percentDetractors)),
            ("smallSample", .bool(score.isSmallSample)),
            ("distribution", .array(score.distribution.map { .integer($0) })),
        ])
    }

    static func json(_ scores: [SurveyKind: SatisfactionScore]) -> JSONValue {
        .object(SurveyKind.allCases.compactMap { kind in scores[kind].map { (kind.rawValue, json($0)) } })
    }

    // MARK: The population

    static func printReport(_ report: SatisfactionReport, to output: OutputWriter) throws(CommandFailure) {
        let period = report.period.map { "from \(Show.date($0.lowerBound)) to \(Show.date($0.upperBound.addingTimeInterval(-0.000_001)))" } ?? "all responses"
        try output.line("Satisfaction as of \(Show.date(report.asOf.time))\(ViewOptions.describe(report.asOf.knownAt)), \(period):")
        try output.line()
        let headlines = TextTable([.left("SURVEY"), .right("HEADLINE"), .right("MEAN"), .right("FAVOURABLE"), .right("DETRACTORS"), .right("CUSTOMERS"), .right("RESPONSES")], output: output)
        for kind in SurveyKind.allCases {
            let score = report.headline[kind]
            try headlines.add([
                kind.rawValue.uppercased(), headline(score) + (score?.isSmallSample == true ? " (small)" : ""),
                Show.number(score?.mean, digits: 2), Show.percent(score?.percentFavourable), Show.percent(score?.percentDetractors),
                String(score?.responses ?? 0), String(report.responses[kind] ?? 0),
            ])
        }
        try headlines.finish()

        try output.line()
        try output.line("Trend per \(report.interval.rawValue):")
        let trend = TextTable([.left("FROM"), .right("NPS"), .right("CSAT"), .right("CES")], output: output)
        for point in report.trend {
            try trend.add([Show.day(point.start), withCount(point.scores[.nps]), withCount(point.scores[.csat]), withCount(point.scores[.ces])])
        }
        try trend.finish()

        for (title, groups) in [("tier at response", report.byTier), ("lifecycle stage at response", report.byStage), ("channel", report.byChannel)] {
            try output.line()
            try output.line("By \(title):")
            let table = TextTable([.left(title.uppercased()), .right("NPS"), .right("CSAT"), .right("CES")], output: output)
            for group in groups {
                try table.add([group.name, withCount(group.scores[.nps]), withCount(group.scores[.csat]), withCount(group.scores[.ces])])
            }
            try table.finish()
        }

        if !report.byDimension.isEmpty {
            try output.line()
            try output.line("By dimension:")
            let table = TextTable([.left("SURVEY"), .left("DIMENSION"), .right("SCORE"), .right("MEAN"), .right("RESPONSES")], output: output)
            for dimension in report.byDimension {
                let score = dimension.headline.map { dimension.kind == .csat ? Show.percent($0) : Show.number($0, digits: 2) } ?? "-"
                try table.add([dimension.kind.rawValue.uppercased(), dimension.name, score, Show.number(dimension.score.mean, digits: 2), String(dimension.score.responses)])
            }
            try table.finish()
        }

        try output.line()
        try printClosedLoop(report.closedLoop, to: output)
    }

    static func printClosedLoop(_ loop: ClosedLoopSummary, to output: OutputWriter) throws(CommandFailure) {
        try output.line(
            "Closed loop: \(loop.followUps.count) detractor follow-ups, \(loop.open) open (\(loop.overdue) overdue), \(loop.closed) closed, \(Show.percent(loop.percentClosedInTime)) closed in time."
        )
    }

    static func json(_ loop: ClosedLoopSummary) -> JSONValue {
        .object([
            ("followUps", .integer(loop.followUps.count)),
            ("open", .integer(loop.open)),
            ("overdue", .integer(loop.overdue)),
            ("closed", .integer(loop.closed)),
            ("closedInTime", .integer(loop.closedInTime)),
            ("percentClosedInTime", .optional(loop.percentClosedInTime)),
        ])
    }

    static func json(_ groups: [SatisfactionGroup]) -> JSONValue {
        .array(groups.map { group in .object([("name", .string(group.name)), ("scores", json(group.scores))]) })
    }

    static func json(_ report: SatisfactionReport) -> JSONValue {
        .object([
            ("asOf", .asOf(report.asOf)),
            ("from", .date(report.period?.lowerBound)),
            ("to", .date(report.period.map { $0.upperBound.addingTimeInterval(-0.000_001) })),
            ("interval", .string(report.interval.rawValue)),
            ("responses", .object(SurveyKind.allCases.map { ($0.rawValue, .integer(report.responses[$0] ?? 0)) })),
            ("headline", json(report.headline)),
            ("trend", .array(report.trend.map { point in
                .object([("start", .date(point.start)), ("end", .date(point.end)), ("scores", json(point.scores))])
            })),
            ("byTier", json(report.byTier)),
            ("byStage", json(report.byStage)),
            ("byChannel", json(report.byChannel)),
            ("byDimension", .array(report.byDimension.map { dimension in
                .object([
                    ("kind", .string(dimension.kind.rawValue)), ("name", .string(dimension.name)),
                    ("headline", .optional(dimension.headline)), ("score", json(dimension.score)),
                ])
            })),
            ("closedLoop", json(report.closedLoop)),
        ])
    }

    // MARK: One customer

    static func printCustomer(_ satisfaction: CustomerSatisfaction, to output: OutputWriter) throws(CommandFailure) {
        try output.line("Satisfaction of \(satisfaction.customer) as of \(Show.date(satisfaction.asOf.time))\(ViewOptions.describe(satisfaction.asOf.knownAt)):")
        try output.line()
        let table = TextTable([.left("SURVEY"), .right("LATEST"), .left("ON"), .right("PREVIOUS"), .right("TREND"), .right("MEAN"), .right("RESPONSES")], output: output)
        for kind in SurveyKind.allCases {
            guard let summary = satisfaction.surveys[kind] else { continue }
            try table.add([
                kind.rawValue.uppercased(), String(summary.latest), Show.day(summary.latestAt), summary.previous.map(String.init) ?? "-",
                summary.trend.map { ($0 > 0 ? "+" : "") + String($0) } ?? "-", Show.number(summary.mean, digits: 2), String(summary.count),
            ])
        }
        if table.rowCount == 0 {
            try output.line("No survey answers.")
        } else {
            try table.finish()
        }
        try output.line()
        try printClosedLoop(satisfaction.closedLoop, to: output)
    }

    static func json(_ satisfaction: CustomerSatisfaction) -> JSONValue {
        .object([
            ("customer", .string(satisfaction.customer.rawValue)),
            ("asOf", .asOf(satisfaction.asOf)),
            ("surveys", .object(SurveyKind.allCases.compactMap { kind in
                satisfaction.surveys[kind].map { summary in
                    (kind.rawValue, .object([
                        ("latest", .integer(summary.latest)), ("latestSurveyId", .string(summary.latestSurveyId)), ("latestAt", .date(summary.latestAt)),
                        ("previous", .optional(summary.previous)), ("trend", .optional(summary.trend)), ("mean", .double(summary.mean)), ("count", .integer(summary.count)),
                    ]))
                }
            })),
            ("closedLoop", json(satisfaction.closedLoop)),
        ])
    }
}
