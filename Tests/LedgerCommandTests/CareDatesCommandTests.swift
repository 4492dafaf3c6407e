import CustomerLedger
import Foundation
import Testing

@testable import ledger

/// `ledger care-dates` on the domain views' hand-made ledger: C1 has a birthday on 15 July.
@Suite(.timeLimit(.minutes(2))) struct CareDatesCommandTests {
    @Test func listsTheBirthdayInTheWindowAsTableAndJSON() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await DomainCommandTests.makeLedger(at: ledger)
            // As of 1 July 2024 (the end of that day), 30 days ahead: 15 July is 14 days away.
            let table = try await DomainCommandTests.run(["care-dates", "--as-of", "2024-07-01"], ledger)
            #expect(table.stdout.contains("1 care dates in the next 30 days"))
            #expect(table.stdout.contains("2024-07-15"))
            #expect(table.stdout.contains("birthday (yearly)"))
            let document = try await DomainCommandTests.json(["care-dates", "--as-of", "2024-07-01"], ledger)
            let dates = try #require(document["dates"] as? [[String: Any]])
            #expect(dates.count == 1)
            #expect(dates.first?["customer"] as? String == "C1")
            #expect(dates.first?["next"] as? String == "2024-07-15")
            #expect(dates.first?["daysUntil"] as? Int == 14)
            #expect(dates.first?["yearly"] as? Bool == true)
            // A window that ends before it finds nothing.
            let short = try await DomainCommandTests.json(["care-dates", "--as-of", "2024-07-01", "--days", "13"], ledger)
            #expect((short["dates"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test func aNegativeWindowIsOneErrorLine() async throws {
        try await withTemporaryFolder { folder in
            let ledger = folder.appendingPathComponent("ledger").path
            try await DomainCommandTests.makeLedger(at: ledger)
            let result = try await LedgerTool.run(["care-dates", "--days=-1", "--path", ledger])
            #expect(result.status != 0)
            #expect(result.stderr.contains("--days must not be negative"))
        }
    }
}
