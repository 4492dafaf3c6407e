import CustomerLedger
import Foundation
import Testing

/// A transition reduced to what the tables below compare.
fileprivate struct Step: Equatable, CustomStringConvertible {
    var from: LifecycleStage?
    var to: LifecycleStage
    var winBack: Bool
    var at: Date
    /// "event:<type>" or "time:<threshold>".
    var cause: String

    init(_ from: LifecycleStage?, _ to: LifecycleStage, _ at: Date, _ cause: String, winBack: Bool = false) {
        self.from = from
        self.to = to
        self.winBack = winBack
        self.at = at
        self.cause = cause
    }

    init(_ transition: LifecycleTransition) {
        from = transition.from
        to = transition.to
        winBack = transition.winBack
        at = transition.at
        switch transition.cause {
        case .event(_, _, let type): cause = "event:\(type)"
        case .timePassed(.recentWindowEnded(let days)): cause = "time:recent\(days)"
        case .timePassed(.churnWindowReached(let days)): cause = "time:churn\(days)"
        case .timePassed(.spendWindowMoved(let days)): cause = "time:spend\(days)"
        case .timePassed(.winBackEnded(let days)): cause = "time:winBack\(days)"
        case .timePassed(.usualGapExceeded(let days)): cause = "time:gap\(days)"
        }
    }

    var description: String { "\(from.map(\.rawValue) ?? "nil")→\(to.rawValue)\(winBack ? "(winBack)" : "") at \(at) by \(cause)" }
}

fileprivate func register(_ ledger: Ledger, _ customer: StreamID, on date: String, name: String = "Ada") async throws {
    try await ledger.record(CustomerRegistered(traits: CustomerTraits(kind: .person, name: name)), for: customer, occurredAt: day(date))
}

@discardableResult
fileprivate func buy(_ ledger: Ledger, _ customer: StreamID, _ order: String, _ amount: String, on date: String, hour: Int = 0) async throws -> AppendResult {
    try await ledger.record(PurchaseCompleted(orderId: order, amount: usd(amount)), for: customer, occurredAt: day(date, hour: hour))
}

@Suite struct LifecycleTests {
    @Test func timeDrivenTransitionsSitAtTheExactThreshold() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await register(ledger, "C1", on: "2024-01-01")
        try await buy(ledger, "C1", "O1", "100", on: "2024-01-10")
        try await buy(ledger, "C1", "O2", "50", on: "2024-02-10")
        let lifecycle = try #require(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-12-31"))))
        // 2024-02-10 + 90 days: 19 (rest of Feb) + 31 + 30 + 10 = 2024-05-10 → declining just after.
        // 2024-02-10 + 180 days: 2024-05-10 + 21 + 30 + 31 + 8 = 2024-08-08 → churned.
        // O1 leaves the recent spend window at 2024-01-10 + 180 = 2024-07-08, but the customer
        // is declining by then, so the spend rule does not show.
        #expect(lifecycle.transitions.map(Step.init) == [
            Step(nil, .prospect, day("2024-01-01"), "event:customer.registered"),
            Step(.prospect, .new, day("2024-01-10"), "event:purchase.completed"),
            Step(.new, .growth, day("2024-02-10"), "event:purchase.completed"),
            Step(.growth, .declining, day("2024-05-10"), "time:recent90"),
            Step(.declining, .churned, day("2024-08-08"), "time:churn180"),
        ])
        #expect(lifecycle.stage == .churned)
        #expect(lifecycle.highestStage == .repeatCustomer)
        #expect(lifecycle.knownSince == day("2024-01-01"))
        #expect(lifecycle.milestones.map(\.stage) == [.prospect, .customer, .repeatCustomer])
        #expect(lifecycle.milestones.map(\.at) == [day("2024-01-01"), day("2024-01-10"), day("2024-02-10")])
        #expect(lifecycle.policy == .standard)
    }

    @Test func spendWindowsMoveGrowthToMatureAndThresholdsHoldAtTheirInstant() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buy(ledger, "C1", "O1", "100", on: "2024-01-01")
        try await buy(ledger, "C1", "O2", "40", on: "2024-04-01")
        // 2024-01-01 + 90 = 2024-03-31 (Jan 31 + Feb 29 + 30 days of March): declining just after, for a day.
        // At 2024-04-01 both purchases are in (t−180, t]: $140 > $0 → growth.
        // 2024-01-01 + 180 = 2024-06-29: O1 moves to the earlier window; $40 < $100 → mature.
        // 2024-04-01 + 90 = 2024-06-30: declining just after; + 180 = 2024-09-28: churned.
        let lifecycle = try #require(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-10-01"))))
        #expect(lifecycle.transitions.map(Step.init) == [
            Step(nil, .new, day("2024-01-01"), "event:purchase.completed"),
            Step(.new, .declining, day("2024-03-31"), "time:recent90"),
            Step(.declining, .growth, day("2024-04-01"), "event:purchase.completed"),
            Step(.growth, .mature, day("2024-06-29"), "time:spend180"),
            Step(.mature, .declining, day("2024-06-30"), "time:recent90"),
            Step(.declining, .churned, day("2024-09-28"), "time:churn180"),
        ])
        let table: [(Date, LifecycleStage)] = [
            (day("2024-06-28", hour: 23), .growth),
            (day("2024-06-29"), .mature),           // the window moves at the instant itself
            (day("2024-06-30"), .mature),           // exactly 90 days: still recent
            (day("2024-06-30").addingTimeInterval(1), .declining),
            (day("2024-09-27", hour: 23), .declining),
            (day("2024-09-28"), .churned),           // exactly 180 days: churned
        ]
        for (time, stage) in table {
            #expect(try ledger.lifecycle(of: "C1", asOf: AsOf(time: time))?.stage == stage, "at \(time)")
        }
    }

    @Test func aPurchaseAfterChurnIsAWinBack() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buy(ledger, "C1", "O1", "100", on: "2023-01-01")
        try await buy(ledger, "C1", "O2", "30", on: "2023-07-10")
        // 2023-01-01 + 90 = 2023-04-01 (31+28+31); + 180 = 2023-06-30.
        // 2023-07-10 + 90 = 2023-10-08 (31 + 31 + 28): win-back ends and declining starts
        // at the same instant; declining wins. 2023-07-10 + 180 = 2024-01-06 (+ 31 + 30 + 29).
        let lifecycle = try #require(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-03-01"))))
        #expect(lifecycle.transitions.map(Step.init) == [
            Step(nil, .new, day("2023-01-01"), "event:purchase.completed"),
            Step(.new, .declining, day("2023-04-01"), "time:recent90"),
            Step(.declining, .churned, day("2023-06-30"), "time:churn180"),
            Step(.churned, .growth, day("2023-07-10"), "event:purchase.completed", winBack: true),
            Step(.growth, .declining, day("2023-10-08"), "time:recent90"),
            Step(.declining, .churned, day("2024-01-06"), "time:churn180"),
        ])
        let during = try #require(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2023-08-01"))))
        #expect(during.stage == .growth)
        #expect(during.winBack)
        #expect(during.current.rule == .winBack)
    }

    @Test func theWinBackFlagEndsAfterItsPeriod() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buy(ledger, "C1", "O1", "100", on: "2023-01-01")
        try await buy(ledger, "C1", "O2", "30", on: "2023-07-01")
        try await buy(ledger, "C1", "O3", "30", on: "2023-09-15")
        // Win-back from 2023-07-01 to 2023-09-29 (+90 days); just after, the rules say
        // mature ($60 in the last 180 days < $100 before). The flag's end is a transition.
        let lifecycle = try #require(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2023-10-01"))))
        #expect(lifecycle.transitions.map(Step.init).suffix(2) == [
            Step(.churned, .growth, day("2023-07-01"), "event:purchase.completed", winBack: true),
            Step(.growth, .mature, day("2023-09-29"), "time:winBack90"),
        ])
    }

    @Test func theMeanGapRuleTransitionIsDatedAtItsLimit() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        for (index, date) in ["2024-01-01", "2024-01-08", "2024-01-15"].enumerated() {
            try await buy(ledger, "C1", "O\(index)", "10", on: date)
        }
        // Mean gap 7 days; 1.5 × 7 = 10.5 days after 2024-01-15: 2024-01-25 12:00.
        let lifecycle = try #require(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-02-01"))))
        #expect(lifecycle.transitions.map(Step.init) == [
            Step(nil, .new, day("2024-01-01"), "event:purchase.completed"),
            Step(.new, .growth, day("2024-01-08"), "event:purchase.completed"),
            Step(.growth, .declining, day("2024-01-25", hour: 12), "time:gap10.5"),
        ])
        #expect(lifecycle.current.rule == .gapLongerThanUsual)
    }

    @Test func beforeTheFirstEventThereIsNoCustomer() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await register(ledger, "C1", on: "2024-01-10")
        #expect(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-01-09"))) == nil)
        #expect(try ledger.lifecycle(of: "nobody") == nil)
        let known = try #require(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-01-10"))))
        #expect(known.stage == .prospect)
        #expect(known.highestStage == .prospect)
    }

    @Test func aCancellationVoidsTheOrderFromTheStart() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await buy(ledger, "C1", "O1", "100", on: "2024-01-01")
        try await buy(ledger, "C1", "O2", "50", on: "2024-02-01")
        try await ledger.record(OrderCancelled(orderId: "O2"), for: "C1", occurredAt: day("2024-02-03"))
        // Before the cancellation happened, O2 counts: growth.
        #expect(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-02-02")))?.stage == .growth)
        // After it, O2 never counted: one purchase, and the history is restated.
        let after = try #require(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-02-10"))))
        #expect(after.stage == .new)
        #expect(after.highestStage == .customer)
        #expect(after.transitions.map(Step.init) == [Step(nil, .new, day("2024-01-01"), "event:purchase.completed")])
    }

    @Test func asOfOccurredAtAndAsOfKnownAtDiffer() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let first = try await buy(ledger, "C1", "O1", "100", on: "2024-01-01")
        // Recorded later, happened on 2024-02-01.
        try await buy(ledger, "C1", "O2", "50", on: "2024-02-01")
        let knownThen = AsOf(time: day("2024-03-01"), knownAt: .position(first.positions.upperBound))
        #expect(try ledger.lifecycle(of: "C1", asOf: knownThen)?.stage == .new)
        #expect(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-03-01")))?.stage == .growth)
        #expect(try ledger.lifecycle(of: "C1", asOf: AsOf(time: day("2024-01-15")))?.stage == .new)
    }

    @Test func mergeThenUnmergeRestoresBothSides() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await register(ledger, "A", on: "2024-01-01")
        try await buy(ledger, "A", "A1", "10", on: "2024-02-01")
        try await register(ledger, "B", on: "2024-01-05")
        try await buy(ledger, "B", "B1", "20", on: "2024-03-01")
        try await buy(ledger, "B", "B2", "30", on: "2024-03-10")
        try await ledger.merge(["B"], into: "A", occurredAt: day("2024-04-01"))
        try await ledger.unmerge(["B"], from: "A", occurredAt: day("2024-05-01"))

        // Before the merge (as of 2024-03-31): A has one purchase 59 days old → new; B has
        // two, the last 21 days old, $50 > $0 → growth.
        #expect(try ledger.lifecycle(of: "A", asOf: AsOf(time: day("2024-03-31")))?.stage == .new)
        #expect(try ledger.lifecycle(of: "B", asOf: AsOf(time: day("2024-03-31")))?.stage == .growth)

        // Merged (as of 2024-04-15): three purchases. Mean gap (2024-02-01 → 03-10 = 29 + 9 =
        // 38 days) / 2 = 19; 1.5 × 19 = 28.5 days after 03-10 is 04-07 12:00 < 04-15: declining.
        let merged = try #require(try ledger.lifecycle(of: "B", asOf: AsOf(time: day("2024-04-15"))))
        #expect(merged.customer == "A")
        #expect(merged.current.purchaseCount == 3)
        #expect(merged.stage == .declining)
        #expect(merged.current.rule == .gapLongerThanUsual)
        #expect(merged.highestStage == .repeatCustomer)

        // Unmerged (as of 2024-05-15). A: one purchase 2024-02-01, 104 days ago → declining
        // since 2024-05-01 (= 02-01 + 29 + 31 + 30 days). B: two purchases, the last 66 days
        // ago, $50 > $0 → growth.
        let a = try #require(try ledger.lifecycle(of: "A", asOf: AsOf(time: day("2024-05-15"))))
        #expect(a.customer == "A")
        #expect(a.stage == .declining)
        #expect(a.highestStage == .customer)
        #expect(a.transitions.map(Step.init) == [
            Step(nil, .prospect, day("2024-01-01"), "event:customer.registered"),
            Step(.prospect, .new, day("2024-02-01"), "event:purchase.completed"),
            Step(.new, .declining, day("2024-05-01"), "time:recent90"),
        ])
        let b = try #require(try ledger.lifecycle(of: "B", asOf: AsOf(time: day("2024-05-15"))))
        #expect(b.customer == "B")
        #expect(b.stage == .growth)
        #expect(b.highestStage == .repeatCustomer)
    }

    @Test func theDistributionCountsEachCustomerOnceAndAgreesWithTheSingleCustomerView() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let asOf = AsOf(time: day("2024-07-01"))
        try await register(ledger, "P", on: "2024-01-01")                      // prospect
        try await buy(ledger, "N", "N1", "10", on: "2024-06-01")               // new (30 days)
        try await buy(ledger, "G", "G1", "10", on: "2024-05-01")               // growth: $30 > $0
        try await buy(ledger, "G", "G2", "20", on: "2024-06-01")
        try await buy(ledger, "M", "M1", "100", on: "2024-01-01")              // mature: (2024-01-03, 07-01]
        try await buy(ledger, "M", "M2", "10", on: "2024-06-01")               //   holds $10 < $100 in (2023-07-07, 2024-01-03]
        try await buy(ledger, "D", "D1", "10", on: "2024-03-01")               // declining: 122 days
        try await buy(ledger, "X", "X1", "10", on: "2023-12-01")               // churned: 213 days
        try await buy(ledger, "W", "W1", "10", on: "2023-06-01")               // win-back: gap 366 days
        try await buy(ledger, "W", "W2", "10", on: "2024-06-01")
        // Loyal, growth: 5 purchases 5 days apart, the last 6 days ago (< 1.5 × 5 = 7.5).
        for (index, date) in ["2024-06-05", "2024-06-10", "2024-06-15", "2024-06-20", "2024-06-25"].enumerated() {
            try await buy(ledger, "L", "L\(index)", "10", on: date)
        }
        try await buy(ledger, "Z", "Z1", "10", on: "2024-06-01")               // cancelled: prospect
        try await ledger.record(OrderCancelled(orderId: "Z1"), for: "Z", occurredAt: day("2024-06-02"))
        try await buy(ledger, "Y", "Y1", "10", on: "2024-06-01")               // merged into N
        try await ledger.merge(["Y"], into: "N", occurredAt: day("2024-06-15"))  //   N: 2 purchases, growth

        let distribution = try ledger.lifecycleDistribution(asOf: asOf)
        #expect(distribution.customers == 9)  // Y counts as N
        #expect(distribution.byStage == [.prospect: 2, .new: 0, .growth: 4, .mature: 1, .declining: 1, .churned: 1])
        #expect(distribution.byHighestStage == [.prospect: 2, .customer: 2, .repeatCustomer: 4, .loyal: 1])
        #expect(distribution.winBack == 1)
        #expect(distribution.policy == .standard)

        var byStage = Dictionary(uniqueKeysWithValues: LifecycleStage.allCases.map { ($0, 0) })
        for customer: StreamID in ["P", "N", "G", "M", "D", "X", "W", "L", "Z"] {
            byStage[try #require(try ledger.lifecycle(of: customer, asOf: asOf)).stage, default: 0] += 1
        }
        #expect(byStage == distribution.byStage)
    }
}
