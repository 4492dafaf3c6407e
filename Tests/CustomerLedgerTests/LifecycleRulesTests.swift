import CustomerLedger
import Foundation
import Testing

/// One purchase for the pure rules: `on` a day (optionally at an hour), for an amount in USD.
fileprivate struct P: Sendable, CustomStringConvertible {
    var on: String
    var amount: String
    var hour = 0
    var description: String { "\(on)+\(hour)h $\(amount)" }
}

/// A refund for the pure rules.
fileprivate struct R: Sendable {
    var on: String
    var amount: String
}

fileprivate func activity(_ purchases: [P], refunds: [R] = []) -> PurchaseActivity {
    var position: UInt64 = 0
    func next() -> LogPosition {
        position += 1
        return LogPosition(position)
    }
    return PurchaseActivity(
        purchases: purchases.enumerated().map { index, purchase in
            PurchaseActivity.Purchase(orderId: "O\(index)", occurredAt: day(purchase.on, hour: purchase.hour), amount: usd(purchase.amount), position: next(), eventID: EventID())
        },
        refunds: refunds.enumerated().map { index, refund in
            PurchaseActivity.Refund(orderId: "R\(index)", occurredAt: day(refund.on), amount: usd(refund.amount), position: next(), eventID: EventID())
        }
    )
}

/// A row of the rule table: purchases and refunds, the time, and what the rules must say.
fileprivate struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var purchases: [P]
    var refunds: [R] = []
    var at: Date
    var stage: LifecycleStage
    var rule: LifecycleRule
    var winBack = false
    var testDescription: String { name }
}

@Suite struct LifecycleRulesTests {
    fileprivate static let cases: [Case] = [
        Case(name: "no purchase: prospect", purchases: [], at: day("2024-03-01"), stage: .prospect, rule: .noPurchase),
        // 2024-01-01 → 2024-03-31: 31 (Jan) + 29 (Feb, leap year) + 30 = 90 days: still "within 90 days".
        Case(name: "one purchase exactly 90 days ago: new", purchases: [P(on: "2024-01-01", amount: "10")], at: day("2024-03-31"), stage: .new, rule: .onePurchaseRecently),
        // 90 days and 1 hour: more than 90.
        Case(name: "one purchase 90 days 1 hour ago: declining", purchases: [P(on: "2024-01-01", amount: "10")], at: day("2024-03-31", hour: 1), stage: .declining, rule: .lastPurchaseNotRecent),
        // 2024-01-01 → 2024-06-28: 31+29+31+30+31 = 152 to 1 June, + 27 = 179 days.
        Case(name: "179 days: declining", purchases: [P(on: "2024-01-01", amount: "10")], at: day("2024-06-28"), stage: .declining, rule: .lastPurchaseNotRecent),
        // 152 + 28 = 180 days exactly: churned starts at 180.
        Case(name: "exactly 180 days: churned", purchases: [P(on: "2024-01-01", amount: "10")], at: day("2024-06-29"), stage: .churned, rule: .noPurchaseForChurnWindow),
        // One purchase of $10 and a $25 refund: net spend −$15, still one purchase.
        Case(name: "refund larger than the purchase: still new", purchases: [P(on: "2024-01-01", amount: "10")], refunds: [R(on: "2024-01-05", amount: "25")], at: day("2024-02-01"), stage: .new, rule: .onePurchaseRecently),
        // Both purchases in (t−180, t]; the window before is empty: $150 > $0.
        Case(name: "second purchase, nothing before: growth", purchases: [P(on: "2024-01-01", amount: "50"), P(on: "2024-03-01", amount: "100")], at: day("2024-03-15"), stage: .growth, rule: .spendRising),
        // t = 2024-02-01, t−180 = 2023-08-05, t−360 = 2023-02-06. Earlier window: $100 on
        // 2023-08-01. Recent: $120 on 2024-01-10 = $120 > $100.
        Case(name: "recent spend above the window before: growth", purchases: [P(on: "2023-08-01", amount: "100"), P(on: "2024-01-10", amount: "120")], at: day("2024-02-01"), stage: .growth, rule: .spendRising),
        // Same, with a $50 refund on 2024-01-20: recent = 120 − 50 = $70 < $100.
        Case(name: "a refund brings recent spend below: mature", purchases: [P(on: "2023-08-01", amount: "100"), P(on: "2024-01-10", amount: "120")], refunds: [R(on: "2024-01-20", amount: "50")], at: day("2024-02-01"), stage: .mature, rule: .spendNotRising),
        // Equal spend is not "above": $100 vs $100.
        Case(name: "equal spend: mature", purchases: [P(on: "2023-08-01", amount: "100"), P(on: "2024-01-10", amount: "100")], at: day("2024-02-01"), stage: .mature, rule: .spendNotRising),
        // Weekly buyer: gaps of 7 days, mean 7, 1.5 × 7 = 10.5 days. 2024-01-25 12:00 is
        // exactly 10.5 days after 2024-01-15: not more, so still growth ($30 > $0).
        Case(name: "exactly 1.5 × mean gap: not yet declining", purchases: [P(on: "2024-01-01", amount: "10"), P(on: "2024-01-08", amount: "10"), P(on: "2024-01-15", amount: "10")], at: day("2024-01-25", hour: 12), stage: .growth, rule: .spendRising),
        // 11 days > 10.5: declining long before the 90-day rule.
        Case(name: "more than 1.5 × mean gap: declining", purchases: [P(on: "2024-01-01", amount: "10"), P(on: "2024-01-08", amount: "10"), P(on: "2024-01-15", amount: "10")], at: day("2024-01-26"), stage: .declining, rule: .gapLongerThanUsual),
        // Two purchases: the mean-gap rule needs three. 11 days after a 7-day gap: growth.
        Case(name: "mean-gap rule needs 3 purchases", purchases: [P(on: "2024-01-08", amount: "10"), P(on: "2024-01-15", amount: "10")], at: day("2024-01-26"), stage: .growth, rule: .spendRising),
        // Gap 2023-01-01 → 2023-07-01 = 31+28+31+30+31+30 = 181 ≥ 180: the customer was
        // churned, the 1 July purchase brings it back. Spend: recent $30, earlier (t−360, t−180]
        // holds 1 January's $100, so the rules alone would say mature; win-back shows growth.
        Case(name: "purchase after churn: growth with win-back", purchases: [P(on: "2023-01-01", amount: "100"), P(on: "2023-07-01", amount: "30")], at: day("2023-07-10"), stage: .growth, rule: .winBack, winBack: true),
        // Gap exactly 180 days (2023-01-01 → 2023-06-30): churned at that instant, so a win-back.
        Case(name: "gap of exactly 180 days: win-back", purchases: [P(on: "2023-01-01", amount: "100"), P(on: "2023-06-30", amount: "30")], at: day("2023-07-10"), stage: .growth, rule: .winBack, winBack: true),
        // Gap 179 days: never churned; $30 recent vs $100 earlier → mature.
        Case(name: "gap of 179 days: no win-back", purchases: [P(on: "2023-01-01", amount: "100"), P(on: "2023-06-29", amount: "30")], at: day("2023-07-10"), stage: .mature, rule: .spendNotRising),
        // Win-back on 1 July lasts 90 days: 2023-09-29 is 31+31+28 = 90 days later, still on.
        // A third purchase on 15 September keeps the customer recent.
        Case(name: "win-back lasts 90 days", purchases: [P(on: "2023-01-01", amount: "100"), P(on: "2023-07-01", amount: "30"), P(on: "2023-09-15", amount: "30")], at: day("2023-09-29"), stage: .growth, rule: .winBack, winBack: true),
        // 91 days after: win-back over. t−180 = 2023-04-03: recent 30 + 30 = $60 < $100 in
        // (2022-10-05, 2023-04-03] → mature. Mean gap (2023-01-01 → 09-15 = 257 days) / 2 =
        // 128.5; 15 days since the last purchase is well below 1.5 × 128.5.
        Case(name: "after the win-back period: the rules again", purchases: [P(on: "2023-01-01", amount: "100"), P(on: "2023-07-01", amount: "30"), P(on: "2023-09-15", amount: "30")], at: day("2023-09-30"), stage: .mature, rule: .spendNotRising),
        // Win-back purchase 2023-07-01 and nothing since: 2023-09-30 is 91 days later,
        // declining wins over win-back.
        Case(name: "declining before win-back", purchases: [P(on: "2023-01-01", amount: "100"), P(on: "2023-07-01", amount: "30")], at: day("2023-09-30"), stage: .declining, rule: .lastPurchaseNotRecent),
        // Purchases after t do not count: as of 2023-12-31 only the first exists.
        Case(name: "later purchases are ignored", purchases: [P(on: "2023-12-01", amount: "10"), P(on: "2024-01-10", amount: "10")], at: day("2023-12-31"), stage: .new, rule: .onePurchaseRecently),
    ]

    @Test(arguments: cases)
    fileprivate func ruleTable(_ row: Case) {
        let evaluation = LifecycleRules.evaluate(purchases: activity(row.purchases, refunds: row.refunds), at: row.at)
        #expect(evaluation.stage == row.stage)
        #expect(evaluation.rule == row.rule)
        #expect(evaluation.winBack == row.winBack)
        #expect(evaluation.policy == .standard)
        #expect(evaluation.time == row.at)
    }

    @Test(arguments: [(0, HighestStage.prospect), (1, .customer), (2, .repeatCustomer), (4, .repeatCustomer), (5, .loyal), (9, .loyal)])
    func highestStageByPurchaseCount(purchases: Int, expected: HighestStage) {
        let rows = (0..<purchases).map { P(on: "2024-01-\(String(format: "%02d", $0 + 1))", amount: "1") }
        #expect(LifecycleRules.evaluate(purchases: activity(rows), at: day("2024-02-01")).highestStage == expected)
    }

    @Test func aPolicyChangesTheThresholdsAndIsReported() {
        let policy = LifecyclePolicy(recentDays: 30, churnDays: 60, loyalPurchases: 3)
        let rows = [P(on: "2024-01-01", amount: "1"), P(on: "2024-01-02", amount: "1"), P(on: "2024-01-03", amount: "1")]
        // 2024-01-03 → 2024-02-10: 28 + 10 = 38 days > 30: declining under this policy
        // (the mean gap of 1 day × 1.5 came first: the rule names the earlier threshold).
        let evaluation = LifecycleRules.evaluate(purchases: activity(rows), at: day("2024-02-10"), policy: policy)
        #expect(evaluation.stage == .declining)
        #expect(evaluation.rule == .gapLongerThanUsual)
        #expect(evaluation.highestStage == .loyal)
        #expect(evaluation.policy == policy)
        // 2024-01-03 + 60 days = 2024-03-03: churned.
        #expect(LifecycleRules.evaluate(purchases: activity(rows), at: day("2024-03-03"), policy: policy).stage == .churned)
        #expect(LifecycleRules.evaluate(purchases: activity(rows), at: day("2024-03-02"), policy: policy).stage == .declining)
    }

    @Test func cancelledOrdersAndTheirRefundsCountForNothing() throws {
        let records: [CustomerEventRecord] = [
            record(1, "2024-01-01", .purchaseCompleted(PurchaseCompleted(orderId: "O1", amount: usd("100")))),
            record(2, "2024-02-01", .purchaseCompleted(PurchaseCompleted(orderId: "O2", amount: usd("50")))),
            record(3, "2024-02-02", .refundIssued(RefundIssued(orderId: "O2", amount: usd("50")))),
            record(4, "2024-02-03", .orderCancelled(OrderCancelled(orderId: "O2"))),
            record(5, "2024-02-04", .refundIssued(RefundIssued(orderId: "O9", amount: usd("5")))),
        ]
        let counted = PurchaseActivity(records)
        #expect(counted.purchases.map(\.orderId) == ["O1"])
        // The refund of the cancelled order is void; a refund of an unknown order counts.
        #expect(counted.refunds.map(\.orderId) == ["O9"])
        #expect(counted.netSpend == [.usd: usd("95")])
        #expect(counted.cancelledOrders == ["O2"])
        #expect(LifecycleRules.evaluate(purchases: counted, at: day("2024-02-10")).stage == .new)
    }
}

/// A record on customer C for the pure folds.
fileprivate func record(_ position: UInt64, _ date: String, _ event: CustomerEvent, hour: Int = 0, customer: StreamID = "C") -> CustomerEventRecord {
    CustomerEventRecord(
        customer: customer, position: LogPosition(position), version: StreamVersion(position), id: EventID(),
        occurredAt: day(date, hour: hour), recordedAt: day(date, hour: hour), metadata: .empty, event: event
    )
}
