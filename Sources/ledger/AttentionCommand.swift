import ArgumentParser
import CustomerLedger
import Foundation

/// `ledger attention`: customers needing attention, most urgent first.
struct AttentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "List the customers who need attention: detractors without follow-up, long-open complaints, overdue follow-ups, no contact for a while.",
        discussion: "Most urgent first: detractors without follow-up weigh most, then long-open complaints, overdue follow-ups and no recent contact; ties go to the oldest problem."
    )

    @OptionGroup var view: ViewOptions

    @Argument(help: ArgumentHelp("Only this customer's reasons.", valueName: "id"))
    var customer: String?

    @Option(help: ArgumentHelp("Customers not contacted for this many days need attention.", valueName: "days"))
    var notContactedDays: Int = AttentionPolicy.standard.notContactedDays

    @Option(help: ArgumentHelp("Complaints open for more than this many days need attention.", valueName: "days"))
    var complaintDays: Int = AttentionPolicy.standard.complaintOpenDays

    @Option(help: ArgumentHelp("Show at most this many customers in the table (0: all).", valueName: "n"))
    var limit: Int = 50

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must not be negative.") }
        if notContactedDays < 1 || complaintDays < 1 { throw ValidationError("--not-contacted-days and --complaint-days must be at least 1.") }
    }

    mutating func run() async throws {
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let asOf = try view.asOf()
        let policy = AttentionPolicy(notContactedDays: notContactedDays, complaintOpenDays: complaintDays)
        let output = OutputWriter.standardOutput()
        if let customer {
            let id = try view.customer(customer, in: ledger)
            guard let attention = try ledger.attention(of: id, asOf: asOf, policy: policy) else { throw view.unknownAsOf(id, asOf) }
            if view.json {
                try output.document(.object([("asOf", .asOf(asOf)), ("customer", Self.json(attention))]))
            } else {
                try output.line(attention.needsAttention ? "\(attention.customer) needs attention as of \(Show.date(asOf.time)):" : "\(attention.customer) needs no attention as of \(Show.date(asOf.time)).")
                for reason in attention.reasons { try output.line("- " + Self.describe(reason, asOf: asOf.time)) }
            }
        } else {
            let report = try ledger.customersNeedingAttention(asOf: asOf, policy: policy)
            let ranked = Self.ranked(report.customers)
            if view.json {
                try output.document(Self.json(report, ranked: ranked))
            } else {
                try Self.printReport(report, ranked: ranked, limit: limit == 0 ? ranked.count : limit, to: output)
            }
        }
        try output.finish()
    }

    /// How urgent a reason is.
    static func weight(_ reason: AttentionReason) -> Int {
        switch reason {
        case .detractorWithoutFollowUp: 8
        case .longOpenComplaints(let count, _): 4 + min(count, 3)
        case .overdueFollowUps(let count, _): 2 + min(count, 3)
        case .notContacted: 1
        }
    }

    /// When the reason's problem started.
    static func since(_ reason: AttentionReason) -> Date {
        switch reason {
        case .detractorWithoutFollowUp(let at, _, _): at
        case .longOpenComplaints(_, let at): at
        case .overdueFollowUps(_, let at): at
        case .notContacted(let last): last ?? .distantPast
        }
    }

    /// Most urgent first: the weight of the reasons, then the oldest problem, then the id.
    static func ranked(_ customers: [CustomerAttention]) -> [CustomerAttention] {
        customers.map { ($0, $0.reasons.reduce(0) { $0 + weight($1) }, $0.reasons.map(since).min() ?? .distantFuture) }
            .sorted { ($1.1, $0.2, $0.0.customer) < ($0.1, $1.2, $1.0.customer) }
            .map(\.0)
    }

    static func describe(_ reason: AttentionReason, asOf time: Date) -> String {
        switch reason {
        case .notContacted(let last): last.map { "not contacted for \(Show.days(time.timeIntervalSince($0) / 86_400)) (last \(Show.day($0)))" } ?? "never contacted"
        case .overdueFollowUps(let count, let due): "\(count) overdue follow-up\(count == 1 ? "" : "s") (earliest due \(Show.day(due)))"
        case .longOpenComplaints(let count, let opened): "\(count) complaint\(count == 1 ? "" : "s") open since \(Show.day(opened))"
        case .detractorWithoutFollowUp(let at, let kind, let score): "\(kind.rawValue.uppercased()) detractor (\(score)) on \(Show.day(at)) without follow-up"
        }
    }

    static func printReport(_ report: AttentionReport, ranked: [CustomerAttention], limit: Int, to output: OutputWriter) throws(CommandFailure) {
        try output.line("\(report.customers.count) of \(report.customersExamined) customers need attention as of \(Show.date(report.asOf.time))\(ViewOptions.describe(report.asOf.knownAt)):")
        try output.line()
        var counts: [String: Int] = [:]
        for customer in report.customers {
            for reason in customer.reasons { counts[key(reason), default: 0] += 1 }
        }
        let reasons = TextTable([.left("REASON"), .right("CUSTOMERS")], output: output)
        for (name, label) in [
            ("detractorWithoutFollowUp", "detractor without follow-up"), ("longOpenComplaints", "complaint open > \(report.policy.complaintOpenDays) days"),
            ("overdueFollowUps", "overdue follow-ups"), ("notContacted", "not contacted for \(report.policy.notContactedDays) days"),
        ] {
            try reasons.add([label, String(counts[name] ?? 0)])
        }
        try reasons.finish()
        guard !ranked.isEmpty, limit > 0 else { return }
        try output.line()
        try output.line(limit < ranked.count ? "Most urgent \(limit):" : "All of them, most urgent first:")
        try printTable(Array(ranked.prefix(limit)), asOf: report.asOf.time, to: output)
    }

    static func printTable(_ customers: [CustomerAttention], asOf time: Date, to output: OutputWriter) throws(CommandFailure) {
        let table = TextTable([.left("CUSTOMER"), .left("REASONS")], output: output)
        for customer in customers {
            try table.add([customer.customer.rawValue, customer.reasons.map { describe($0, asOf: time) }.joined(separator: "; ")])
        }
        try table.finish()
    }

    static func key(_ reason: AttentionReason) -> String {
        switch reason {
        case .notContacted: "notContacted"
        case .overdueFollowUps: "overdueFollowUps"
        case .longOpenComplaints: "longOpenComplaints"
        case .detractorWithoutFollowUp: "detractorWithoutFollowUp"
        }
    }

    static func json(_ attention: CustomerAttention) -> JSONValue {
        .object([
            ("customer", .string(attention.customer.rawValue)),
            ("reasons", .array(attention.reasons.map { reason in
                var members: [(String, JSONValue)] = [("reason", .string(key(reason)))]
                switch reason {
                case .notContacted(let last): members.append(("lastContact", .date(last)))
                case .overdueFollowUps(let count, let due): members += [("count", .integer(count)), ("earliestDueAt", .date(due))]
                case .longOpenComplaints(let count, let opened): members += [("count", .integer(count)), ("oldestOpenedAt", .date(opened))]
                case .detractorWithoutFollowUp(let at, let kind, let score): members += [("respondedAt", .date(at)), ("kind", .string(kind.rawValue)), ("score", .integer(score))]
                }
                return .object(members)
            })),
        ])
    }

    static func json(_ report: AttentionReport, ranked: [CustomerAttention]) -> JSONValue {
        .object([
            ("asOf", .asOf(report.asOf)),
            ("policy", .object([
                ("notContactedDays", .integer(report.policy.notContactedDays)), ("complaintOpenDays", .integer(report.policy.complaintOpenDays)),
                ("npsDetractorMaximum", .integer(report.policy.npsDetractorMaximum)), ("csatDetractorMaximum", .integer(report.policy.csatDetractorMaximum)),
            ])),
            ("customersExamined", .integer(report.customersExamined)),
            ("customersNeedingAttention", .integer(report.customers.count)),
            ("customers", .array(ranked.map(json))),
        ])
    }
}
