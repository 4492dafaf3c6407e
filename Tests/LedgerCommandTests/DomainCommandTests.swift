import CustomerLedger
import Foundation
import Testing

@testable import ledger
import LedgerJSONLines

/// The domain views (`profile`, `timeline`, `lifecycle`, `value`, `rfm`, `tiers`,
/// `attention`, `kpis`) on a small ledger made by hand, as tables and as JSON.
@Suite(.timeLimit(.minutes(2))) struct DomainCommandTests {
    static func time(_ text: String) -> Date {
        try! Timestamp.parse(text)
    }

    static func usd(_ amount: String) -> Money {
        try! Money(amount, .usd)
    }

    /// C1: a person with three purchases, a refund, an overdue follow-up, an open
    /// complaint and an NPS detractor answer; C2: a company that reaches core in 2024Q2;
    /// C3: a prospect; C4: a duplicate of C1, merged into it.
    static func makeLedger(at path: String) async throws {
        let ledger = try Ledger.open(at: path)
        defer { ledger.close() }
        func record(_ customer: StreamID, _ payload: some CustomerEventPayload, _ at: String) async throws {
            try await ledger.append([try ProposedEvent(payload, occurredAt: time(at))], to: customer)
        }
        try await record("C1", CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada Lovelace", city: "London", dates: ["birthday": "1990-07-15"]), owner: "mia", tags: ["newsletter"]), "2024-01-10T09:00:00Z")
        try await record("C2", CustomerRegistered(traits: CustomerTraits(kind: .company, name: "Nordwind GmbH", industry: "logistics")), "2024-01-05T09:00:00Z")
        try await record("C3", CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ben Prospect")), "2024-03-01T09:00:00Z")
        try await record("C1", PurchaseCompleted(orderId: "O-1", amount: usd("100.00"), channel: "web"), "2024-02-01T10:00:00Z")
        try await record("C1", PurchaseCompleted(orderId: "O-2", amount: usd("50.00"), channel: "web"), "2024-03-01T10:00:00Z")
        try await record("C4", CustomerRegistered(traits: CustomerTraits(kind: .person, name: "A. Lovelace")), "2024-03-10T09:00:00Z")
        try await record("C4", PurchaseCompleted(orderId: "O-4", amount: usd("30.00")), "2024-03-15T10:00:00Z")
        try await ledger.merge(["C4"], into: "C1", occurredAt: time("2024-04-01T09:00:00Z"))
        try await record("C1", PurchaseCompleted(orderId: "O-3", amount: usd("3000.00"), channel: "store"), "2024-05-01T10:00:00Z")
        try await record("C1", InteractionRecorded(interactionId: "I-1", channel: .phone, direction: .inbound, subject: "Delivery", nextAction: NextAction(description: "Call back", dueAt: time("2024-05-03T10:00:00Z"))), "2024-05-02T10:00:00Z")
        try await record("C1", ComplaintOpened(complaintId: "K-1", category: "delivery", severity: .high), "2024-05-05T10:00:00Z")
        try await record("C1", RefundIssued(orderId: "O-3", amount: usd("20.00")), "2024-05-10T10:00:00Z")
        try await record("C1", SurveyAnswered(surveyId: "nps-2024Q2", kind: .nps, score: 3, channel: "email"), "2024-05-20T10:00:00Z")
        try await record("C2", PurchaseCompleted(orderId: "O-10", amount: usd("12000.00"), channel: "sales"), "2024-06-01T10:00:00Z")
        try await record("C2", PurchaseCompleted(orderId: "O-11", amount: usd("500.00"), channel: "sales"), "2024-06-10T10:00:00Z")
        try await record("C2", PurchaseCompleted(orderId: "O-12", amount: usd("400.00"), channel: "web"), "2024-06-20T23:30:00Z")
        try await record("C2", SurveyAnswered(surveyId: "csat-2024-06", kind: .csat, score: 5, channel: "email"), "2024-06-25T10:00:00Z")
    }

    /// Runs `ledger arguments… --path <ledger>` and checks it succeeded quietly.
    static func run(_ arguments: [String], _ ledger: String) async throws -> ToolResult {
        let result = try await LedgerTool.run(arguments + ["--path", ledger])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        #expect(result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        return result
    }

    /// Runs with `--json` and parses the one document.
    static func json(_ arguments: [String], _ ledger: String) async throws -> [String: Any] {
        let result = try await run(arguments + ["--json"], ledger)
        #expect(result.stdoutLines.count == 1, "\(arguments): one JSON document on one line")
        return try jsonObject(result.stdout)
    }

    @Test func everyViewAsTablesAndJSON() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            let asOf = ["--as-of", "2024-06-30"]

            // profile
            let profile = try await Self.run(["profile", "C1"] + asOf, ledger)
            // The newest value of a field wins, the merged duplicate's included.
            #expect(profile.stdout.contains("A. Lovelace  (since 2024-03-10)"))
            #expect(profile.stdout.contains("merged customers") && profile.stdout.contains("C4"))
            let profileJSON = try await Self.json(["profile", "C4"] + asOf, ledger)
            #expect(profileJSON["customer"] as? String == "C1")
            #expect(profileJSON["requested"] as? String == "C4")
            #expect(profileJSON["orderCount"] as? Int == 4)
            #expect(profileJSON["openComplaints"] as? Int == 1)
            #expect(profileJSON["tags"] as? [String] == ["newsletter"])
            #expect((profileJSON["asOf"] as? [String: Any])?["time"] as? String == "2024-06-30T23:59:59.999999Z")

            // timeline
            let timeline = try await Self.run(["timeline", "C1"] + asOf, ledger)
            #expect(timeline.stdoutLines[0].hasPrefix("Timeline of C1 as of 2024-06-30T23:59:59Z"))
            #expect(timeline.stdout.contains("Follow-ups: 1, 1 open, 1 overdue."))
            let timelineJSON = try await Self.json(["timeline", "C1", "--kind", "commerce"] + asOf, ledger)
            let events = try #require(timelineJSON["events"] as? [[String: Any]])
            #expect(events.map { $0["type"] as? String } == ["refund.issued", "purchase.completed", "purchase.completed", "purchase.completed", "purchase.completed"])
            #expect((events[0]["data"] as? [String: Any])?["amount"] as? String == "20.00")
            let phone = try await Self.json(["timeline", "C1", "--channel", "phone"] + asOf, ledger)
            #expect((phone["events"] as? [[String: Any]])?.count == 1)

            // lifecycle
            let distribution = try await Self.json(["lifecycle"] + asOf, ledger)
            #expect(distribution["customers"] as? Int == 3)
            let stages = try #require(distribution["byStage"] as? [String: Int])
            #expect(stages["prospect"] == 1)
            #expect(stages.values.reduce(0, +) == 3)
            let lifecycleTable = try await Self.run(["lifecycle"] + asOf, ledger)
            #expect(lifecycleTable.stdoutLines[0] == "Lifecycle of 3 customers as of 2024-06-30T23:59:59Z:")
            let one = try await Self.json(["lifecycle", "C2"] + asOf, ledger)
            #expect(one["highestStage"] as? String == "repeatCustomer")
            #expect((one["transitions"] as? [[String: Any]])?.first?["to"] as? String == "prospect")
            let oneTable = try await Self.run(["lifecycle", "C2"] + asOf, ledger)
            #expect(oneTable.stdout.contains("Transitions:"))

            // value
            let value = try await Self.json(["value", "C1"] + asOf, ledger)
            #expect(value["historic"] as? String == "3160.00")
            #expect(value["purchases"] as? Int == 4)
            #expect((value["lifetimes"] as? [String: Any])?["frequency"] as? Int == 3)
            let values = try await Self.json(["value"] + asOf, ledger)
            #expect((values["customers"] as? [[String: Any]])?.count == 2)
            #expect(values["totalHistoric"] as? String == "16060.00")
            let valueTable = try await Self.run(["value"] + asOf, ledger)
            #expect(valueTable.stdout.contains("Most valuable customers:"))

            // rfm
            let rfm = try await Self.json(["rfm"] + asOf, ledger)
            let rows = try #require(rfm["customers"] as? [[String: Any]])
            #expect(rows.map { $0["customer"] as? String } == ["C1", "C2"])
            for key in ["customer", "recency", "frequency", "monetary", "recencyScore", "frequencyScore", "monetaryScore", "segment", "lifetimes"] {
                #expect(rows[0][key] != nil, "rfm row has \(key)")
            }
            #expect(rows[0]["frequency"] as? Int == 4)
            #expect(rows[0]["monetary"] as? String == "3160.00")
            let lifetimes = try #require(rows[1]["lifetimes"] as? [String: Any])
            #expect(lifetimes["frequency"] as? Int == 2)
            #expect(lifetimes["recency"] as? Int == 19)
            #expect(lifetimes["T"] as? Int == 29)
            #expect(lifetimes["monetary"] as? Double == 450)
            let rfmTable = try await Self.run(["rfm"] + asOf, ledger)
            #expect(rfmTable.stdout.contains("SEGMENT"))

            // tiers
            let tiers = try await Self.json(["tiers", "--quarter", "2024Q2"] + asOf, ledger)
            let quarter = try #require((tiers["quarters"] as? [[String: Any]])?.first)
            #expect(quarter["quarter"] as? String == "2024Q2")
            let lines = try #require(quarter["customers"] as? [[String: Any]])
            let c2 = try #require(lines.first { $0["customer"] as? String == "C2" })
            #expect(c2["tier"] as? String == "core")
            #expect(c2["direction"] as? String == "up")
            #expect((quarter["countsByTier"] as? [String: Int])?["core"] == 1)
            let tiersTable = try await Self.run(["tiers"] + asOf, ledger)
            #expect(tiersTable.stdout.contains("2024Q2"))

            // attention
            let attention = try await Self.json(["attention"] + asOf, ledger)
            let first = try #require((attention["customers"] as? [[String: Any]])?.first)
            #expect(first["customer"] as? String == "C1")
            let reasons = (first["reasons"] as? [[String: Any]])?.compactMap { $0["reason"] as? String } ?? []
            #expect(reasons.contains("detractorWithoutFollowUp"))
            #expect(reasons.contains("overdueFollowUps"))
            #expect(reasons.contains("longOpenComplaints"))
            let attentionTable = try await Self.run(["attention"] + asOf, ledger)
            #expect(attentionTable.stdout.contains("need attention"))

            // satisfaction
            let satisfaction = try await Self.json(["satisfaction", "--by", "quarter"] + asOf, ledger)
            let headline = try #require(satisfaction["headline"] as? [String: [String: Any]])
            #expect(headline["nps"]?["headline"] as? Double == -100)
            #expect(headline["csat"]?["headline"] as? Double == 100)
            #expect(headline["nps"]?["smallSample"] as? Bool == true)
            #expect((satisfaction["trend"] as? [[String: Any]])?.count == 1)
            #expect((satisfaction["closedLoop"] as? [String: Any])?["overdue"] as? Int == 1)
            let satisfactionTable = try await Self.run(["satisfaction", "--from", "2024-05-01", "--to", "2024-05-31"] + asOf, ledger)
            #expect(satisfactionTable.stdout.contains("NPS"))
            #expect(satisfactionTable.stdout.contains("-100.0"))
            let mine = try await Self.json(["satisfaction", "C1"] + asOf, ledger)
            #expect(((mine["surveys"] as? [String: Any])?["nps"] as? [String: Any])?["latest"] as? Int == 3)
            let inJune = try await Self.json(["satisfaction", "--from", "2024-06-01"] + asOf, ledger)
            #expect((inJune["responses"] as? [String: Int])?["nps"] == 0)

            // kpis
            let kpis = try await Self.json(["kpis", "--from", "2024-04-01", "--to", "2024-06-30"] + asOf, ledger)
            #expect(kpis["from"] as? String == "2024-04-01T00:00:00.000000Z")
            #expect(kpis["to"] as? String == "2024-06-30T23:59:59.999999Z")
            #expect(kpis["activeCustomers"] as? Int == 2)
            #expect(kpis["newCustomers"] as? Int == 1)
            let revenue = try #require((kpis["revenue"] as? [[String: Any]])?.first)
            #expect(revenue["revenue"] as? String == "15880.00")
            #expect(revenue["orders"] as? Int == 4)
            let kpisTable = try await Self.run(["kpis", "--from", "2024-04-01", "--to", "2024-06-30"] + asOf, ledger)
            #expect(kpisTable.stdout.contains("churn rate"))
        }
    }

    @Test func aDateAloneIsTheEndOfThatDayInItsZone() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            // C2's third purchase is at 2024-06-20T23:30:00Z.
            let cases: [(String, Int)] = [
                ("2024-06-20", 3),                 // end of the UTC day
                ("2024-06-20T23:00:00Z", 2),       // a time is taken as it is
                ("2024-06-20+02:00", 2),           // end of that day in +02:00 is 21:59:59.999999Z
                ("2024-06-20-02:00", 3),
                ("2024-06-21[Europe/Berlin]", 3),
                ("2024-06-20[Europe/Berlin]", 2),
            ]
            for (asOf, purchases) in cases {
                let value = try await Self.json(["value", "C2", "--as-of", asOf], ledger)
                #expect(value["purchases"] as? Int == purchases, "--as-of \(asOf)")
            }
            // --known-at: what the ledger had recorded by a position.
            let early = try await Self.json(["value", "C2", "--as-of", "2024-12-31", "--known-at", "15"], ledger)
            #expect(early["purchases"] as? Int == 1)
        }
    }

    @Test(arguments: [
        (["profile", "C9"], "There is no customer C9"),
        (["timeline", "C9"], "There is no customer C9"),
        (["lifecycle", "C9"], "There is no customer C9"),
        (["value", "C9"], "There is no customer C9"),
        (["attention", "C9"], "There is no customer C9"),
        (["tiers", "C9"], "There is no customer C9"),
        (["profile", "C1", "--as-of", "2023-01-01"], "has no events as of 2023-01-01T23:59:59Z"),
        (["profile", "C1", "--as-of", "30/06/2024"], "--as-of \"30/06/2024\""),
        (["rfm", "--as-of", "2024-06-31"], "--as-of \"2024-06-31\" is not a date"),
        (["lifecycle", "--as-of", "2024-06-30T12:00"], "--as-of"),
        (["kpis", "--from", "2024-07-01", "--to", "2024-06-01"], "is after --to"),
        (["kpis", "--to", "soon"], "--to \"soon\""),
        (["satisfaction", "--by", "year"], "--by \"year\" is not one of"),
        (["satisfaction", "--from", "2024-07-01", "--to", "2024-06-01"], "is after --to"),
        (["tiers", "--quarter", "2024Q5"], "--quarter \"2024Q5\" is not a quarter"),
        (["tiers", "--quarter", "Q2-2024"], "is not a quarter"),
        (["tiers", "--quarter", "2030Q1", "--as-of", "2024-06-30"], "starts after --as-of"),
        (["timeline", "C1", "--kind", "gossip"], "--kind \"gossip\" is not one of"),
        (["value", "--currency", "dollars"], "--currency"),
        (["lifecycle", "--known-at", "yesterday"], "--known-at"),
    ])
    func badInputsAreOneErrorLine(arguments: [String], fragment: String) async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            let result = try await LedgerTool.run(arguments + ["--path", ledger])
            #expect(result.status != 0)
            #expect(result.stdout.isEmpty)
            #expect(result.stderrLines.count == 1, "\(result.stderr)")
            #expect(result.stderrLines.first?.hasPrefix("error: ") == true)
            #expect(result.stderr.contains(fragment), "\(result.stderr)")
        }
    }

    @Test func aMissingLedgerIsAnErrorAndIsNotCreated() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("missing").path
            let result = try await LedgerTool.run(["lifecycle", "--path", ledger])
            #expect(result.status != 0)
            #expect(result.stderr.hasPrefix("error: There is no ledger at"))
            #expect(!FileManager.default.fileExists(atPath: ledger))
        }
    }
}
