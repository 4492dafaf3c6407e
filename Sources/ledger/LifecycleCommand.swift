import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger lifecycle [ID]`: one customer's stage, highest stage and transitions, or the
/// population's distribution over the stages.
struct LifecycleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "Show a customer's lifecycle stage and its transitions, or how many customers are in each stage.",
        discussion: "Stages follow the lifecycle rules (prospect, new, growth, mature, declining, churned); time-driven changes are evaluated at --as-of."
    )

    @OptionGroup var view: ViewOptions

    @Argument(help: ArgumentHelp("The customer; without it, the distribution over all customers.", valueName: "id"))
    var customer: String?

    mutating func run() async throws {
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let asOf = try view.asOf()
        let output = OutputWriter.standardOutput()
        if let customer {
            let id = try view.customer(customer, in: ledger)
            guard let lifecycle = try ledger.lifecycle(of: id, asOf: asOf) else { throw view.unknownAsOf(id, asOf) }
            if view.json {
                try output.document(Self.json(lifecycle, requested: id))
            } else {
                try Self.printCustomer(lifecycle, requested: id, to: output)
            }
        } else {
            let distribution = try ledger.lifecycleDistribution(asOf: asOf)
            if view.json {
                try output.document(Self.json(distribution))
            } else {
                try output.line("Lifecycle of \(distribution.customers) customers as of \(Show.date(asOf.time))\(ViewOptions.describe(asOf.knownAt)):")
                try output.line()
                try Self.printDistribution(distribution, to: output)
            }
        }
        try output.finish()
    }

    // MARK: One customer

    static func printCustomer(_ lifecycle: CustomerLifecycle, requested: StreamID, to output: OutputWriter) throws(CommandFailure) {
        let current = lifecycle.current
        var facts: [(String, String)] = [("customer", lifecycle.customer.rawValue + (requested == lifecycle.customer ? "" : " (\(requested) is merged into it)"))]
        facts += [
            ("as of", Show.date(lifecycle.asOf.time)),
            ("stage", current.stage.rawValue + (current.winBack ? " (win-back)" : "")),
            ("rule", current.rule.rawValue),
            ("highest stage", current.highestStage.rawValue),
            ("purchases", String(current.purchaseCount)),
            ("last purchase", Show.date(current.lastPurchase)),
            ("known since", Show.date(lifecycle.knownSince)),
        ]
        try TextTable.printFacts(facts, to: output)
        try output.line()
        try output.line("Transitions:")
        let table = TextTable([.left("AT"), .left("FROM"), .left("TO"), .left("RULE"), .left("CAUSE")], output: output)
        for transition in lifecycle.transitions {
            try table.add([
                Show.date(transition.at),
                transition.from.map { $0.rawValue + (transition.fromWinBack ? " (win-back)" : "") } ?? "-",
                transition.to.rawValue + (transition.winBack ? " (win-back)" : ""),
                transition.rule.rawValue,
                describe(transition.cause),
            ])
        }
        try table.finish()
        if !lifecycle.milestones.isEmpty {
            try output.line()
            try output.line("Highest stage reached:")
            let milestones = TextTable([.left("AT"), .left("STAGE"), .left("CAUSE")], output: output)
            for milestone in lifecycle.milestones {
                try milestones.add([Show.date(milestone.at), milestone.stage.rawValue, describe(milestone.cause)])
            }
            try milestones.finish()
        }
    }

    static func describe(_ cause: LifecycleCause) -> String {
        switch cause {
        case .event(let position, _, let type): "\(type) at position \(position.rawValue)"
        case .timePassed(let threshold): describe(threshold)
        }
    }

    static func describe(_ threshold: LifecycleThreshold) -> String {
        switch threshold {
        case .recentWindowEnded(let days): "last purchase more than \(days) days ago"
        case .usualGapExceeded(let days): "more than \(Show.number(days)) days since the last purchase (1.5 × usual gap)"
        case .churnWindowReached(let days): "no purchase for \(days) days"
        case .spendWindowMoved(let days): "spend moved between \(days)-day windows"
        case .winBackEnded(let days): "win-back period of \(days) days ended"
        }
    }

    static func json(_ lifecycle: CustomerLifecycle, requested: StreamID) -> JSONValue {
        let current = lifecycle.current
        return .object([
            ("customer", .string(lifecycle.customer.rawValue)),
            ("requested", .string(requested.rawValue)),
            ("asOf", .asOf(lifecycle.asOf)),
            ("stage", .string(current.stage.rawValue)),
            ("winBack", .bool(current.winBack)),
            ("rule", .string(current.rule.rawValue)),
            ("highestStage", .string(current.highestStage.rawValue)),
            ("purchaseCount", .integer(current.purchaseCount)),
            ("lastPurchase", .date(current.lastPurchase)),
            ("knownSince", .date(lifecycle.knownSince)),
            ("transitions", .array(lifecycle.transitions.map { transition in
                .object([
                    ("at", .date(transition.at)),
                    ("from", .optional(transition.from?.rawValue)),
                    ("fromWinBack", .bool(transition.fromWinBack)),
                    ("to", .string(transition.to.rawValue)),
                    ("winBack", .bool(transition.winBack)),
                    ("rule", .string(transition.rule.rawValue)),
                    ("cause", json(transition.cause)),
                ])
            })),
            ("milestones", .array(lifecycle.milestones.map { milestone in
                .object([("stage", .string(milestone.stage.rawValue)), ("at", .date(milestone.at)), ("cause", json(milestone.cause))])
            })),
        ])
    }

    static func json(_ cause: LifecycleCause) -> JSONValue {
        switch cause {
        case .event(let position, let id, let type):
            .object([("kind", .string("event")), ("position", .integer(position.rawValue)), ("id", .string(id.description)), ("type", .string(type))])
        case .timePassed(let threshold):
            .object([("kind", .string("timePassed")), ("threshold", .string(describe(threshold)))])
        }
    }

    // MARK: The population

    static func printDistribution(_ distribution: LifecycleDistribution, to output: OutputWriter) throws(CommandFailure) {
        let total = max(1, distribution.customers)
        let stages = TextTable([.left("STAGE"), .right("CUSTOMERS"), .right("SHARE")], output: output)
        for stage in LifecycleStage.allCases {
            let count = distribution.byStage[stage] ?? 0
            let label = stage == .growth && distribution.winBack > 0 ? "growth (\(distribution.winBack) win-back)" : stage.rawValue
            try stages.add([label, String(count), Show.percent(100 * Double(count) / Double(total))])
        }
        try stages.finish()
        try output.line()
        let highest = TextTable([.left("HIGHEST STAGE"), .right("CUSTOMERS"), .right("SHARE")], output: output)
        for stage in HighestStage.allCases {
            let count = distribution.byHighestStage[stage] ?? 0
            try highest.add([stage.rawValue, String(count), Show.percent(100 * Double(count) / Double(total))])
        }
        try highest.finish()
    }

    static func json(_ distribution: LifecycleDistribution) -> JSONValue {
        .object([
            ("asOf", .asOf(distribution.asOf)),
            ("customers", .integer(distribution.customers)),
            ("byStage", .object(LifecycleStage.allCases.map { ($0.rawValue, .integer(distribution.byStage[$0] ?? 0)) })),
            ("byHighestStage", .object(HighestStage.allCases.map { ($0.rawValue, .integer(distribution.byHighestStage[$0] ?? 0)) })),
            ("winBack", .integer(distribution.winBack)),
        ])
    }
}
