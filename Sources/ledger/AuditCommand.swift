import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger audit ID`: a customer replayed from a point of view, and the events behind it
/// with who made them and why (docs/audit.md).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Replay a customer as of a time or of what the ledger knew, and list the events behind it with their actor and correlation ids.",
        discussion: """
            Shows the profile, lifecycle, value and satisfaction as of --as-of (what had \
            happened by then) and --known-at (what the ledger had recorded by a position or a \
            time), then every event they were folded from, in the order folded, and the \
            customer's events that point of view leaves out, with why. A merged id is audited \
            as its survivor. See docs/audit.md.
            """
    )

    @OptionGroup var view: ViewOptions
    @OptionGroup var currencyOptions: CurrencyOptions

    @Argument(help: ArgumentHelp("The customer.", valueName: "id"))
    var customer: String

    mutating func run() async throws {
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let asOf = try view.asOf()
        let id = try view.customer(customer, in: ledger)
        // Value is measured in the customer's own main currency unless --currency says otherwise, as `ledger value` does.
        let history = try ledger.history(of: id, asOf: asOf)
        guard !history.isEmpty else { throw view.unknownAsOf(id, asOf) }
        let currency = try currencyOptions.currencyCode == nil
            ? ValueCommand.customerCurrency(PurchaseActivity(history.records)) ?? currencyOptions.currency(in: ledger, asOf: asOf)
            : currencyOptions.currency(in: ledger, asOf: asOf)
        let audit = try ledger.audit(id, asOf: asOf, policies: AuditPolicies(value: ValuePolicy(currency: currency)))
        guard let profile = audit.profile, let lifecycle = audit.lifecycle else { throw view.unknownAsOf(id, asOf) }
        let tier = TierRules.evaluate(history: history, policy: TierPolicy(currency: currency))
        let output = OutputWriter.standardOutput()
        if view.json {
            try output.document(.object([
                ("customer", .string(audit.customer.rawValue)),
                ("requested", .string(audit.requested.rawValue)),
                ("mergedCustomers", .array(audit.mergedCustomers.map { .string($0.rawValue) })),
                ("asOf", .asOf(audit.asOf)),
                ("profile", ProfileCommand.json(profile)),
                ("lifecycle", LifecycleCommand.json(lifecycle, requested: id)),
                ("value", ValueCommand.json(audit.value, tier: tier, requested: id)),
                ("satisfaction", SatisfactionCommand.json(audit.satisfaction)),
                ("events", .array(audit.events.map { Self.json($0) })),
                ("uncounted", .array(audit.uncounted.map { Self.json($0.event, extra: [("happenedLater", .bool($0.happenedLater)), ("recordedLater", .bool($0.recordedLater))]) })),
            ]))
        } else {
            let leftOut = audit.uncounted.isEmpty ? "" : "; \(audit.uncounted.count) of its events left out"
            try output.line("Audit of \(audit.customer) as of \(Show.date(asOf.time))\(ViewOptions.describe(asOf.knownAt)): \(Self.count(audit.events.count)) behind it\(leftOut).")
            try output.line()
            try output.line("Profile:")
            try ProfileCommand.printProfile(profile, to: output)
            try output.line()
            try output.line("Lifecycle:")
            try LifecycleCommand.printCustomer(lifecycle, requested: id, to: output)
            try output.line()
            try output.line("Value:")
            try ValueCommand.printCustomer(audit.value, tier: tier, requested: id, to: output)
            try output.line()
            try SatisfactionCommand.printCustomer(audit.satisfaction, to: output)
            try output.line()
            try output.line("Events behind it, in the order folded (by occurredAt, then position):")
            try Self.printEvents(audit.events.map { ($0, nil) }, to: output)
            if !audit.uncounted.isEmpty {
                try output.line()
                try output.line("Left out of this point of view:")
                try Self.printEvents(audit.uncounted.map { ($0.event, Self.why($0)) }, to: output)
            }
        }
        try output.finish()
    }

    static func count(_ events: Int) -> String { "\(events) event\(events == 1 ? "" : "s")" }

    /// Why an event is left out, in words.
    static func why(_ uncounted: UncountedEvent) -> String {
        switch (uncounted.happenedLater, uncounted.recordedLater) {
        case (true, true): "happened and recorded later"
        case (true, false): "happened later"
        default: "recorded later"
        }
    }

    /// A table of events with their metadata; a WHY column when `why` is given.
    static func printEvents(_ events: [(event: AuditedEvent, why: String?)], to output: OutputWriter) throws(CommandFailure) {
        var columns: [TextTable.Column] = [
            .right("POSITION"), .left("CUSTOMER"), .right("VERSION"), .left("OCCURRED AT"), .left("RECORDED AT"), .left("TYPE"),
            .left("ACTOR"), .left("CORRELATION"), .left("CAUSATION"),
        ]
        let showsWhy = events.contains { $0.why != nil }
        if showsWhy { columns.append(.left("WHY")) }
        let table = TextTable(columns, output: output)
        for (event, why) in events {
            var cells = [
                String(event.position.rawValue), event.customer.rawValue, String(event.version.rawValue), Show.date(event.occurredAt),
                Show.date(event.recordedAt), event.type, event.actor ?? "-", event.correlationID ?? "-", event.causationID ?? "-",
            ]
            if showsWhy { cells.append(why ?? "-") }
            try table.add(cells)
        }
        try table.finish()
    }

    /// An event's place, times and metadata as JSON (its payload is for `ledger events`).
    static func json(_ event: AuditedEvent, extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([
            ("position", .integer(event.position.rawValue)),
            ("customer", .string(event.customer.rawValue)),
            ("version", .integer(event.version.rawValue)),
            ("id", .string(event.id.description)),
            ("type", .string(event.type)),
            ("occurredAt", .date(event.occurredAt)),
            ("recordedAt", .date(event.recordedAt)),
            ("actor", .optional(event.actor)),
            ("correlationId", .optional(event.correlationID)),
            ("causationId", .optional(event.causationID)),
            ("custom", .object(event.metadata.custom.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ] + extra)
    }
}
