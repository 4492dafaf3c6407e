import CustomerLedger
import Foundation
import Testing

// The lifecycle replay keeps its facts incrementally (LifecycleTransitions.swift). This
// file holds the straightforward version of the same rules — rebuild every fact from
// the purchase list at every instant that can matter, O(n²) — and checks over many
// generated histories that both give exactly the same stage, transitions and milestones.

// MARK: The reference: the rules of docs/domain-rules/lifecycle.md, evaluated naively

/// An instant, or just after it ("more than N days" limits change just after theirs).
private struct ReferenceMoment {
    var time: Date
    var justAfter = false

    /// t > threshold.
    func isPast(_ threshold: Date) -> Bool { justAfter ? time >= threshold : time > threshold }
    /// t ≥ threshold.
    func hasReached(_ threshold: Date) -> Bool { time >= threshold }
}

private func days(_ count: Int) -> TimeInterval { 86_400 * Double(count) }

/// Everything the rules read, rebuilt from the purchases and refunds that happened.
private struct ReferenceFacts {
    var purchaseCount = 0
    var firstPurchase: Date?
    var lastPurchase: Date?
    var recentSpend: [Currency: Int64] = [:]
    var earlierSpend: [Currency: Int64] = [:]
    var latestWinBack: Date?

    init(purchases: [PurchaseActivity.Purchase], refunds: [PurchaseActivity.Refund], at moment: ReferenceMoment, policy: LifecyclePolicy) {
        purchaseCount = purchases.count
        firstPurchase = purchases.first?.occurredAt
        lastPurchase = purchases.last?.occurredAt
        var previous: Date?
        for purchase in purchases {
            add(purchase.amount.minorUnits, purchase.amount.currency, at: purchase.occurredAt, moment, policy)
            if let previous, purchase.occurredAt.timeIntervalSince(previous) >= days(policy.churnDays) { latestWinBack = purchase.occurredAt }
            previous = purchase.occurredAt
        }
        for refund in refunds { add(-refund.amount.minorUnits, refund.amount.currency, at: refund.occurredAt, moment, policy) }
    }

    /// Recent window (t − W, t], earlier window (t − 2W, t − W].
    mutating func add(_ amount: Int64, _ currency: Currency, at time: Date, _ moment: ReferenceMoment, _ policy: LifecyclePolicy) {
        let window = days(policy.spendWindowDays)
        if !moment.hasReached(time.addingTimeInterval(window)) {
            recentSpend[currency, default: 0] += amount
        } else if !moment.hasReached(time.addingTimeInterval(2 * window)) {
            earlierSpend[currency, default: 0] += amount
        }
    }

    var spendRising: Bool {
        let currencies = Set(recentSpend.keys).union(earlierSpend.keys).filter {
            recentSpend[$0, default: 0] != 0 || earlierSpend[$0, default: 0] != 0
        }
        return !currencies.isEmpty && currencies.allSatisfy { recentSpend[$0, default: 0] > earlierSpend[$0, default: 0] }
    }

    /// The rule table, first match wins.
    func rule(at moment: ReferenceMoment, _ policy: LifecyclePolicy) -> LifecycleRule {
        guard let last = lastPurchase, let first = firstPurchase else { return .noPurchase }
        if moment.hasReached(last.addingTimeInterval(days(policy.churnDays))) { return .noPurchaseForChurnWindow }
        let recentEnds = last.addingTimeInterval(days(policy.recentDays))
        var gapEnds: Date?
        if purchaseCount >= policy.meanGapMinimumPurchases {
            let meanGap = last.timeIntervalSince(first) / Double(purchaseCount - 1)
            if meanGap > 0 { gapEnds = last.addingTimeInterval(policy.meanGapMultiple * meanGap) }
        }
        let recentLapsed = moment.isPast(recentEnds)
        let gapLapsed = gapEnds.map(moment.isPast) ?? false
        if recentLapsed || gapLapsed {
            if gapLapsed, !recentLapsed || gapEnds! < recentEnds { return .gapLongerThanUsual }
            return .lastPurchaseNotRecent
        }
        if let winBack = latestWinBack, !moment.isPast(winBack.addingTimeInterval(days(policy.winBackDays))) { return .winBack }
        if purchaseCount == 1 { return .onePurchaseRecently }
        return spendRising ? .spendRising : .spendNotRising
    }
}

/// The whole lifecycle, the slow way: every candidate instant, every fact rebuilt.
private func referenceLifecycle(
    _ history: CustomerHistory, firstType: String, policy: LifecyclePolicy
) -> (current: LifecycleRule, purchaseCount: Int, lastPurchase: Date?, transitions: [LifecycleTransition], milestones: [HighestStageMilestone]) {
    let first = history.records[0]
    let knownSince = first.occurredAt
    let end = history.asOf.time
    let activity = PurchaseActivity(history.records)
    let purchases = activity.purchases.filter { $0.occurredAt <= end }
    let refunds = activity.refunds.filter { $0.occurredAt <= end }
    func facts(through key: (Date, LogPosition), at moment: ReferenceMoment) -> ReferenceFacts {
        ReferenceFacts(
            purchases: purchases.filter { ($0.occurredAt, $0.position) <= key },
            refunds: refunds.filter { ($0.occurredAt, $0.position) <= key },
            at: moment, policy: policy
        )
    }

    var items: [(at: Date, position: LogPosition, cause: LifecycleCause)] = []
    items += purchases.map { ($0.occurredAt, $0.position, .event(position: $0.position, id: $0.eventID, type: PurchaseCompleted.eventType)) }
    items += refunds.map { ($0.occurredAt, $0.position, .event(position: $0.position, id: $0.eventID, type: RefundIssued.eventType)) }
    items.sort { ($0.at, $0.position) < ($1.at, $1.position) }
    var candidates: Set<Date> = [knownSince]
    for purchase in purchases {
        candidates.insert(purchase.occurredAt)
        for count in [policy.recentDays, policy.churnDays, policy.winBackDays, policy.spendWindowDays, 2 * policy.spendWindowDays] {
            candidates.insert(purchase.occurredAt.addingTimeInterval(days(count)))
        }
    }
    for refund in refunds {
        for count in [0, policy.spendWindowDays, 2 * policy.spendWindowDays] { candidates.insert(refund.occurredAt.addingTimeInterval(days(count))) }
    }
    if purchases.count >= policy.meanGapMinimumPurchases {
        for index in (policy.meanGapMinimumPurchases - 1)..<purchases.count {
            let last = purchases[index].occurredAt
            let meanGap = last.timeIntervalSince(purchases[0].occurredAt) / Double(index)
            candidates.insert(last.addingTimeInterval(policy.meanGapMultiple * meanGap))
        }
    }

    var transitions: [LifecycleTransition] = []
    var current: LifecycleRule?
    func move(to rule: LifecycleRule, at time: Date, cause: LifecycleCause) {
        guard rule != current else { return }
        defer { current = rule }
        if let current, current.stage == rule.stage, (current == .winBack) == (rule == .winBack) { return }
        transitions.append(LifecycleTransition(
            from: current?.stage, fromWinBack: current == .winBack, to: rule.stage, winBack: rule == .winBack,
            rule: rule, at: time, cause: cause
        ))
    }
    func pass(to facts: ReferenceFacts, at moment: ReferenceMoment) {
        let new = facts.rule(at: moment, policy)
        guard new != current else { return }
        let threshold: LifecycleThreshold
        switch new {
        case .noPurchaseForChurnWindow: threshold = .churnWindowReached(days: policy.churnDays)
        case .lastPurchaseNotRecent: threshold = .recentWindowEnded(days: policy.recentDays)
        case .gapLongerThanUsual:
            let span = facts.lastPurchase!.timeIntervalSince(facts.firstPurchase!)
            threshold = .usualGapExceeded(days: policy.meanGapMultiple * span / Double(facts.purchaseCount - 1) / 86_400)
        default:
            threshold = current == .winBack ? .winBackEnded(days: policy.winBackDays) : .spendWindowMoved(days: policy.spendWindowDays)
        }
        move(to: new, at: moment.time, cause: .timePassed(threshold))
    }
    for instant in candidates.sorted() where instant >= knownSince && instant <= end {
        let moment = ReferenceMoment(time: instant)
        if instant == knownSince {
            move(
                to: facts(through: (knownSince, first.position), at: moment).rule(at: moment, policy), at: instant,
                cause: .event(position: first.position, id: first.id, type: firstType)
            )
        } else {
            pass(to: facts(through: (instant, LogPosition.start), at: moment), at: moment)
        }
        for item in items where item.at == instant && (instant != knownSince || item.position > first.position) {
            move(to: facts(through: (item.at, item.position), at: moment).rule(at: moment, policy), at: instant, cause: item.cause)
        }
        if instant < end {
            let after = ReferenceMoment(time: instant, justAfter: true)
            pass(to: facts(through: (instant, LogPosition.end), at: after), at: after)
        }
    }

    var milestones = [HighestStageMilestone(stage: .prospect, at: knownSince, cause: .event(position: first.position, id: first.id, type: firstType))]
    for (index, purchase) in purchases.enumerated() {
        let stage = policy.highestStage(purchases: index + 1)
        if stage != milestones.last?.stage {
            milestones.append(HighestStageMilestone(
                stage: stage, at: purchase.occurredAt,
                cause: .event(position: purchase.position, id: purchase.eventID, type: PurchaseCompleted.eventType)
            ))
        }
    }
    let atEnd = facts(through: (end, LogPosition.end), at: ReferenceMoment(time: end))
    return (atEnd.rule(at: ReferenceMoment(time: end), policy), atEnd.purchaseCount, atEnd.lastPurchase, transitions, milestones)
}

// MARK: Generated histories


private let chf = try! Currency("CHF")

/// One customer's history: a first event, then purchases, refunds and cancellations
/// whose dates fall on a coarse grid (so many of them sit exactly on another one's
/// threshold), recorded in an order that is not always the order they happened in.
private func generatedHistory(_ generator: inout SplitMix) -> (history: CustomerHistory, firstType: String, policy: LifecyclePolicy) {
    let policy = generator.pick([
        LifecyclePolicy.standard,
        LifecyclePolicy(recentDays: 30, churnDays: 60, spendWindowDays: 30, meanGapMultiple: 1.0, meanGapMinimumPurchases: 2, winBackDays: 30),
        LifecyclePolicy(recentDays: 0, churnDays: 90, spendWindowDays: 45, meanGapMultiple: 2.5, meanGapMinimumPurchases: 4, winBackDays: 0, repeatCustomerPurchases: 3, loyalPurchases: 3),
        LifecyclePolicy(recentDays: 90, churnDays: 90, spendWindowDays: 90, meanGapMultiple: 0.5, winBackDays: 180),
        LifecyclePolicy(recentDays: 120, churnDays: 100, spendWindowDays: 10, meanGapMultiple: 1.5, winBackDays: 365),
    ])
    let start = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01
    // Times in steps of 15 days, sometimes off the grid by hours or a microsecond.
    func time(_ generator: inout SplitMix) -> Date {
        var date = start.addingTimeInterval(days(15 * generator.below(60)))
        if generator.chance(15) { date.addTimeInterval(3_600 * Double(generator.below(48))) }
        if generator.chance(5) { date.addTimeInterval(0.000_001) }
        return date
    }
    let currencies: [Currency] = generator.chance(70) ? [.usd] : generator.chance(50) ? [.usd, .eur] : [.usd, .eur, chf]
    var events: [(Date, CustomerEvent)] = []
    let firstIsPurchase = generator.chance(15)
    let count = generator.below(generator.chance(10) ? 60 : 25)
    var orders: [String] = []
    for index in 0..<count {
        switch generator.below(100) {
        case 0..<60:
            let order = "O\(index)"
            orders.append(order)
            let amount = Money(minorUnits: Int64(generator.pick([1_000, 1_000, 2_000, 500, 10_000, 1 + generator.below(30_000)])), currency: generator.pick(currencies))
            events.append((time(&generator), .purchaseCompleted(PurchaseCompleted(orderId: order, amount: amount))))
        case 60..<80:
            let order = orders.isEmpty || generator.chance(10) ? "unknown" : generator.pick(orders)
            let amount = Money(minorUnits: Int64(generator.pick([1_000, 500, 50_000, 1 + generator.below(5_000)])), currency: generator.pick(currencies))
            events.append((time(&generator), .refundIssued(RefundIssued(orderId: order, amount: amount))))
        case 80..<88:
            if let order = orders.isEmpty ? nil : generator.pick(orders) {
                events.append((time(&generator), .orderCancelled(OrderCancelled(orderId: order))))
            }
        default:
            events.append((time(&generator), .tagged(CustomerTagged(tag: "t\(index)"))))
        }
    }
    // The first event happened first (or ties with the earliest); positions follow the
    // generation order, which is shuffled against time.
    let earliest = events.map(\.0).min() ?? start
    let firstTime = generator.chance(30) ? earliest : min(earliest, start)
    let first: CustomerEvent = firstIsPurchase
        ? .purchaseCompleted(PurchaseCompleted(orderId: "O-first", amount: Money(minorUnits: 1_000, currency: currencies[0])))
        : .registered(CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada")))
    events.insert((firstTime, first), at: 0)
    for index in stride(from: events.count - 1, to: 1, by: -1) {
        let other = 1 + generator.below(index)
        events.swapAt(index, other)
    }
    var records = events.enumerated().map { index, event in
        CustomerEventRecord(
            customer: "C1", position: LogPosition(UInt64(index + 1)), version: StreamVersion(UInt64(index + 1)), id: EventID(),
            occurredAt: event.0, recordedAt: event.0, metadata: .empty, event: event.1
        )
    }
    // As of: often on a threshold of some purchase, sometimes long after everything.
    let end: Date
    switch generator.below(4) {
    case 0: end = start.addingTimeInterval(days(15 * 60 + 1_000))
    case 1: end = time(&generator)
    default:
        let base = records[generator.below(records.count)].occurredAt
        end = base.addingTimeInterval(days(generator.pick([0, policy.recentDays, policy.churnDays, policy.spendWindowDays, 2 * policy.spendWindowDays, policy.winBackDays, 7])))
    }
    records = records.filter { $0.occurredAt <= end }.sorted { ($0.occurredAt, $0.position) < ($1.occurredAt, $1.position) }
    let history = CustomerHistory(requested: "C1", customer: "C1", mergedCustomers: [], asOf: AsOf(time: end), records: records)
    let firstType = records.first.map { if case .purchaseCompleted = $0.event { PurchaseCompleted.eventType } else if case .registered = $0.event { CustomerRegistered.eventType } else if case .refundIssued = $0.event { RefundIssued.eventType } else if case .orderCancelled = $0.event { OrderCancelled.eventType } else { CustomerTagged.eventType } } ?? ""
    return (history, firstType, policy)
}

@Suite struct LifecycleEquivalenceTests {
    @Test func theReplayAgreesWithTheNaiveRulesOnGeneratedHistories() {
        var generator = SplitMix(seed: 20_240_501)
        var checked = 0
        var transitionsSeen = 0
        var rulesSeen: Set<LifecycleRule> = []
        for seed in 0..<3_000 {
            let (history, firstType, policy) = generatedHistory(&generator)
            guard !history.isEmpty else { continue }
            let expected = referenceLifecycle(history, firstType: firstType, policy: policy)
            guard let lifecycle = CustomerLifecycle(history: history, policy: policy) else {
                Issue.record("history \(seed): no lifecycle")
                continue
            }
            #expect(lifecycle.current.rule == expected.current, "history \(seed): stage now")
            #expect(lifecycle.current.purchaseCount == expected.purchaseCount, "history \(seed): purchase count")
            #expect(lifecycle.current.lastPurchase == expected.lastPurchase, "history \(seed): last purchase")
            #expect(lifecycle.current.highestStage == policy.highestStage(purchases: expected.purchaseCount), "history \(seed): highest stage")
            #expect(lifecycle.current == LifecycleRules.evaluate(history: history, policy: policy), "history \(seed): the pure rules")
            #expect(lifecycle.transitions == expected.transitions, "history \(seed): transitions")
            #expect(lifecycle.milestones == expected.milestones, "history \(seed): milestones")
            checked += 1
            transitionsSeen += expected.transitions.count
            rulesSeen.formUnion(expected.transitions.map(\.rule))
        }
        // The generator must reach every rule, or the comparison proves little.
        #expect(checked > 2_500)
        #expect(transitionsSeen > 10_000)
        #expect(rulesSeen == Set(LifecycleRule.allCases), "rules never reached: \(Set(LifecycleRule.allCases).subtracting(rulesSeen))")
    }
}
