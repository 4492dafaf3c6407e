import CustomerLedger
import Foundation
import Testing

@testable import ledger
import LedgerJSONLines

/// `ledger audit` on a hand-made customer whose name was corrected, and an order
/// cancelled, weeks after the fact (recorded in March, reaching back to January and
/// February), each event with its actor and correlation ids.
@Suite(.timeLimit(.minutes(2))) struct AuditCommandTests {
    static func time(_ text: String) -> Date {
        try! Timestamp.parse(text)
    }

    static func makeLedger(at path: String) async throws {
        let ledger = try Ledger.open(at: path)
        defer { ledger.close() }
        func record(_ payload: some CustomerEventPayload, occurred: String, recorded: String, _ metadata: EventMetadata) async throws {
            var event = try ProposedEvent(payload, occurredAt: time(occurred), metadata: metadata)
            event.recordedAt = time(recorded)
            try await ledger.append([event], to: "C1")
        }
        try await record(
            CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada Lovelase")), occurred: "2024-01-10T09:00:00Z", recorded: "2024-01-10T09:00:05Z",
            EventMetadata(correlationID: "signup-7", actor: "agent:mia")
        )
        try await record(
            PurchaseCompleted(orderId: "O-1", amount: try Money("100.00", .usd)), occurred: "2024-02-01T10:00:00Z", recorded: "2024-02-01T10:00:01Z",
            EventMetadata(correlationID: "order-O-1", causationID: "cmd-checkout-1", actor: "system:shop")
        )
        try await record(
            CustomerUpdated(traits: CustomerTraits(name: "Ada Lovelace")), occurred: "2024-01-10T12:00:00Z", recorded: "2024-03-05T08:00:00Z",
            EventMetadata(correlationID: "ticket-42", causationID: "call-17", actor: "agent:tom", custom: ["reason": "typo"])
        )
        try await record(
            OrderCancelled(orderId: "O-1", reason: "never shipped"), occurred: "2024-02-02T10:00:00Z", recorded: "2024-03-06T08:00:00Z",
            EventMetadata(correlationID: "ticket-43", actor: "agent:tom")
        )
    }

    static func events(_ document: [String: Any], _ key: String = "events") -> [[String: Any]] {
        document[key] as? [[String: Any]] ?? []
    }

    @Test func asOfWhatWasKnownBeforeTheCorrectionAsJSON() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            let document = try await DomainCommandTests.json(["audit", "C1", "--as-of", "2024-02-28", "--known-at", "2024-03-01"], ledger)
            #expect(document["customer"] as? String == "C1")
            let asOf = try #require(document["asOf"] as? [String: Any])
            #expect(asOf["time"] as? String == "2024-02-28T23:59:59.999999Z")
            #expect((asOf["knownAt"] as? [String: Any])?["recordedAt"] as? String == "2024-03-01T23:59:59.999999Z")
            let profile = try #require(document["profile"] as? [String: Any])
            #expect((profile["name"] as? [String: Any])?["value"] as? String == "Ada Lovelase")
            #expect(profile["orderCount"] as? Int == 1)
            #expect((document["value"] as? [String: Any])?["grossSpend"] as? String == "100.00")
            #expect((document["lifecycle"] as? [String: Any])?["stage"] != nil)
            #expect(document["satisfaction"] is [String: Any])

            let events = Self.events(document)
            #expect(events.map { $0["position"] as? Int } == [1, 2])
            #expect(events.map { $0["type"] as? String } == ["customer.registered", "purchase.completed"])
            #expect(events.map { $0["actor"] as? String } == ["agent:mia", "system:shop"])
            #expect(events.map { $0["correlationId"] as? String } == ["signup-7", "order-O-1"])
            #expect(events[1]["causationId"] as? String == "cmd-checkout-1")
            #expect(events[0]["causationId"] is NSNull)
            #expect(events[1]["occurredAt"] as? String == "2024-02-01T10:00:00.000000Z")
            #expect(events[1]["recordedAt"] as? String == "2024-02-01T10:00:01.000000Z")
            #expect(events[1]["version"] as? Int == 2)
            #expect((events[1]["id"] as? String)?.count == 36)

            let uncounted = Self.events(document, "uncounted")
            #expect(uncounted.map { $0["position"] as? Int } == [3, 4])
            #expect(uncounted.map { $0["recordedLater"] as? Bool } == [true, true])
            #expect(uncounted.map { $0["happenedLater"] as? Bool } == [false, false])
            #expect(uncounted[0]["actor"] as? String == "agent:tom")
            #expect(uncounted[0]["custom"] as? [String: String] == ["reason": "typo"])
        }
    }

    @Test func knowingEverythingShowsTheCorrectionAndTheEventsInTheOrderFolded() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            let document = try await DomainCommandTests.json(["audit", "C1", "--as-of", "2024-02-28"], ledger)
            #expect(((document["profile"] as? [String: Any])?["name"] as? [String: Any])?["value"] as? String == "Ada Lovelace")
            #expect((document["profile"] as? [String: Any])?["orderCount"] as? Int == 0)
            #expect(Self.events(document).map { $0["position"] as? Int } == [1, 3, 2, 4])
            #expect(Self.events(document).map { $0["correlationId"] as? String } == ["signup-7", "ticket-42", "order-O-1", "ticket-43"])
            #expect(Self.events(document, "uncounted").isEmpty)

            let atPosition = try await DomainCommandTests.json(["audit", "C1", "--known-at", "3"], ledger)
            #expect(Self.events(atPosition).map { $0["position"] as? Int } == [1, 3, 2])
            #expect(Self.events(atPosition, "uncounted").map { $0["position"] as? Int } == [4])
            #expect((atPosition["asOf"] as? [String: Any]).flatMap { ($0["knownAt"] as? [String: Any])?["position"] as? Int } == 3)
        }
    }

    @Test func theTablesShowTheStateThenTheEventsBehindItAndThoseLeftOut() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            let result = try await DomainCommandTests.run(["audit", "C1", "--as-of", "2024-02-28", "--known-at", "2024-03-01"], ledger)
            let lines = result.stdoutLines
            #expect(lines.first == "Audit of C1 as of 2024-02-28T23:59:59Z known at 2024-03-01T23:59:59Z: 2 events behind it; 2 of its events left out.")
            for title in ["Profile:", "Lifecycle:", "Value:", "Events behind it, in the order folded (by occurredAt, then position):", "Left out of this point of view:"] {
                #expect(lines.contains(title), "\(title)")
            }
            #expect(lines.contains { $0.hasPrefix("name ") && $0.contains("Ada Lovelase") })
            let events = try #require(lines.firstIndex { $0.hasPrefix("POSITION") })
            #expect(lines[events].split(separator: " ", omittingEmptySubsequences: true) == [
                "POSITION", "CUSTOMER", "VERSION", "OCCURRED", "AT", "RECORDED", "AT", "TYPE", "ACTOR", "CORRELATION", "CAUSATION",
            ])
            let firstRow = lines[events + 1].split(separator: " ", omittingEmptySubsequences: true)
            #expect(firstRow == ["1", "C1", "1", "2024-01-10T09:00:00Z", "2024-01-10T09:00:05Z", "customer.registered", "agent:mia", "signup-7", "-"])
            let secondRow = lines[events + 2].split(separator: " ", omittingEmptySubsequences: true)
            #expect(secondRow == ["2", "C1", "2", "2024-02-01T10:00:00Z", "2024-02-01T10:00:01Z", "purchase.completed", "system:shop", "order-O-1", "cmd-checkout-1"])
            let leftOut = try #require(lines.lastIndex { $0.hasPrefix("POSITION") })
            #expect(lines[leftOut].hasSuffix("WHY"))
            #expect(lines[leftOut + 1].contains("customer.updated") && lines[leftOut + 1].contains("ticket-42") && lines[leftOut + 1].hasSuffix("recorded later"))
            #expect(lines[leftOut + 2].contains("order.cancelled") && lines[leftOut + 2].hasSuffix("recorded later"))
        }
    }

    @Test func aCustomerUnknownThenOrAtAllIsOneErrorLine() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await Self.makeLedger(at: ledger)
            let before = try await LedgerTool.run(["audit", "C1", "--as-of", "2023-12-31", "--path", ledger])
            #expect(before.status == 1)
            #expect(before.stderrLines == ["error: Customer C1 has no events as of 2023-12-31T23:59:59Z: try a later --as-of or --known-at."])
            let unknown = try await LedgerTool.run(["audit", "C9", "--path", ledger])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.hasPrefix("error: There is no customer C9"))
        }
    }
}
