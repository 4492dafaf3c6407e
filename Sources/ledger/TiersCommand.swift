import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger tiers [--quarter 2024Q2] [ID]`: the quarterly tier review.
struct TiersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiers",
        abstract: "Show the quarterly tier review: customers per tier, how tiers moved (↑ ↓ =) and the lowest spend that reached each tier.",
        discussion: """
            A customer's tier at a quarter's close comes from the trailing 12 months' net spend and purchase \
            count: core 10,000 and 3 purchases, key 2,000 and 2, ordinary any purchase, potential none (in \
            the currency's major unit). Without --quarter, the four quarters up to --as-of; with it, that \
            quarter and every customer's line.
            """
    )

    @OptionGroup var view: ViewOptions
    @OptionGroup var currencyOptions: CurrencyOptions

    @Option(help: ArgumentHelp("Review this quarter alone, customer by customer (such as 2024Q2).", valueName: "quarter"))
    var quarter: String?

    @Argument(help: ArgumentHelp("Only this customer's review.", valueName: "id"))
    var customer: String?

    mutating func run() async throws {
        let asOf = try view.asOf()
        let chosen = try quarter.map { text throws(CommandFailure) in try QuarterArgument.parse(text) }
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let policy = TierPolicy(currency: try currencyOptions.currency(in: ledger, asOf: asOf))
        let quarters = chosen.map { $0...$0 }
        if let chosen, chosen.start > asOf.time {
            throw CommandFailure("Quarter \(chosen) starts after --as-of \(Show.date(asOf.time)): give an earlier quarter or a later --as-of.")
        }
        let review: TierReview
        if let customer {
            let id = try view.customer(customer, in: ledger)
            review = try ledger.tierReview(of: id, quarters: quarters, asOf: asOf, policy: policy)
            guard review.quarters.contains(where: { !$0.customers.isEmpty }) else { throw view.unknownAsOf(id, asOf) }
        } else {
            review = try ledger.tierReview(quarters: quarters, asOf: asOf, policy: policy)
        }
        let output = OutputWriter.standardOutput()
        if view.json {
            try output.document(Self.json(review, lines: chosen != nil || customer != nil))
        } else {
            try Self.printReview(review, lines: chosen != nil || customer != nil, to: output)
        }
        try output.finish()
    }

    static func printReview(_ review: TierReview, lines: Bool, to output: OutputWriter) throws(CommandFailure) {
        try output.line("Tier review as of \(Show.date(review.asOf.time))\(ViewOptions.describe(review.asOf.knownAt)), in \(review.policy.currency) (core: \(review.policy.core.minimumNetSpend) and \(review.policy.core.minimumPurchases) purchases; key: \(review.policy.key.minimumNetSpend) and \(review.policy.key.minimumPurchases); trailing \(review.policy.trailingMonths) months):")
        try output.line()
        try printSummary(review.quarters, to: output)
        guard lines else { return }
        for quarter in review.quarters {
            try output.line()
            try output.line("\(quarter.quarter)\(quarter.isComplete ? "" : " (not over: as of \(Show.date(quarter.evaluatedAt)))"):")
            let table = TextTable([.left("CUSTOMER"), .left("TIER"), .left("PREVIOUS"), .left("MOVE"), .right("TRAILING SPEND"), .right("PURCHASES")], output: output)
            for line in quarter.customers {
                try table.add([
                    line.customer.rawValue, line.tier.rawValue, line.previousTier?.rawValue ?? "-", line.direction.symbol,
                    line.trailingNetSpend.amountText, String(line.trailingPurchases),
                ])
            }
            try table.finish()
        }
    }

    /// One row per quarter: customers per tier, moves, and the lowest spend per tier.
    static func printSummary(_ quarters: [TierReviewQuarter], to output: OutputWriter) throws(CommandFailure) {
        let tiers = Tier.allCases.reversed()
        var columns: [TextTable.Column] = [.left("QUARTER")]
        columns += tiers.map { .right($0.rawValue.uppercased()) }
        columns += [.right("↑"), .right("↓"), .right("="), .right("LOWEST CORE"), .right("LOWEST KEY")]
        let table = TextTable(columns, output: output)
        for quarter in quarters {
            let counts = quarter.countsByTier
            let moves = quarter.countsByDirection
            let lowest = quarter.lowestSpendReaching
            var row = [quarter.quarter.description + (quarter.isComplete ? "" : "*")]
            row += tiers.map { String(counts[$0] ?? 0) }
            row += [String(moves[.up] ?? 0), String(moves[.down] ?? 0), String(moves[.same] ?? 0)]
            row += [lowest[.core]?.amountText ?? "-", lowest[.key]?.amountText ?? "-"]
            try table.add(row)
        }
        try table.finish()
        if quarters.contains(where: { !$0.isComplete }) {
            try output.line("* not over yet: tiers as of --as-of")
        }
    }

    static func json(_ review: TierReview, lines: Bool) -> JSONValue {
        .object([
            ("asOf", .asOf(review.asOf)),
            ("policy", .object([
                ("currency", .string(review.policy.currency.code)),
                ("trailingMonths", .integer(review.policy.trailingMonths)),
                ("core", .object([("minimumNetSpend", .string(review.policy.core.minimumNetSpend.amountText)), ("minimumPurchases", .integer(review.policy.core.minimumPurchases))])),
                ("key", .object([("minimumNetSpend", .string(review.policy.key.minimumNetSpend.amountText)), ("minimumPurchases", .integer(review.policy.key.minimumPurchases))])),
            ])),
            ("quarters", .array(review.quarters.map { quarter in
                var members: [(String, JSONValue)] = [
                    ("quarter", .string(quarter.quarter.description)),
                    ("evaluatedAt", .date(quarter.evaluatedAt)),
                    ("isComplete", .bool(quarter.isComplete)),
                    ("countsByTier", .object(Tier.allCases.reversed().map { ($0.rawValue, .integer(quarter.countsByTier[$0] ?? 0)) })),
                    ("countsByDirection", .object(TierDirection.allCases.map { ($0.rawValue, .integer(quarter.countsByDirection[$0] ?? 0)) })),
                    ("lowestSpendReaching", .object(Tier.allCases.reversed().compactMap { tier in
                        quarter.lowestSpendReaching[tier].map { (tier.rawValue, .string($0.amountText)) }
                    })),
                ]
                if lines {
                    members.append(("customers", .array(quarter.customers.map { line in
                        .object([
                            ("customer", .string(line.customer.rawValue)),
                            ("tier", .string(line.tier.rawValue)),
                            ("previousTier", .optional(line.previousTier?.rawValue)),
                            ("direction", .string(line.direction.rawValue)),
                            ("trailingNetSpend", .string(line.trailingNetSpend.amountText)),
                            ("trailingPurchases", .integer(line.trailingPurchases)),
                        ])
                    })))
                }
                return .object(members)
            })),
        ])
    }
}
