import Foundation
import LedgerCore

/// How many customers are in each lifecycle stage at one point of view (domain.md §3).
public struct LifecycleDistribution: Sendable, Hashable {
    /// The point of view; stages are evaluated at `asOf.time`.
    public var asOf: AsOf
    /// The thresholds used.
    public var policy: LifecyclePolicy
    /// Customers known from the point of view (after merges: a merged customer counts
    /// once, as its survivor).
    public var customers: Int
    /// Customers per stage; every stage is present, with 0 when empty.
    public var byStage: [LifecycleStage: Int]
    /// Customers per highest stage; every stage is present.
    public var byHighestStage: [HighestStage: Int]
    /// Customers in their win-back period (they are also counted as `growth`).
    public var winBack: Int

    /// A distribution with its counts.
    public init(asOf: AsOf, policy: LifecyclePolicy, customers: Int, byStage: [LifecycleStage: Int], byHighestStage: [HighestStage: Int], winBack: Int) {
        self.asOf = asOf
        self.policy = policy
        self.customers = customers
        self.byStage = byStage
        self.byHighestStage = byHighestStage
        self.winBack = winBack
    }
}

/// What a population pass keeps per customer to evaluate the lifecycle rules at one
/// instant `t` without keeping its events: the purchase count, first and last purchase,
/// net spend in the two spend windows (per currency), and the times of the purchases in
/// the last `winBackDays + churnDays` (the only ones the win-back rule can need).
struct LifecycleAccumulator: Sendable {
    let moment: LifecycleMoment
    let policy: LifecyclePolicy
    private(set) var facts = LifecycleFacts()
    /// Purchase times in [t − winBackDays − churnDays, t], unsorted.
    private var windowPurchases: [Date] = []

    init(at moment: LifecycleMoment, policy: LifecyclePolicy) {
        self.moment = moment
        self.policy = policy
    }

    /// Adds a counted purchase that happened by `t`.
    mutating func addPurchase(_ amount: Money, at time: Date) {
        facts.purchaseCount += 1
        if facts.firstPurchase.map({ time < $0 }) ?? true { facts.firstPurchase = time }
        if facts.lastPurchase.map({ time > $0 }) ?? true { facts.lastPurchase = time }
        facts.addSpend(amount, at: time, moment: moment, policy: policy)
        let window = LifecycleRules.days(policy.winBackDays + policy.churnDays)
        if time >= moment.time.addingTimeInterval(-window) { windowPurchases.append(time) }
    }

    /// Adds a counted refund that happened by `t`.
    mutating func addRefund(_ amount: Money, at time: Date) {
        facts.addSpend(Money(minorUnits: -amount.minorUnits, currency: amount.currency), at: time, moment: moment, policy: policy)
    }

    /// The rules at `t`.
    func evaluate() -> LifecycleEvaluation {
        var facts = facts
        // A purchase in the window whose predecessor is older than the window came more
        // than churnDays after it whenever its win-back period can still be running (it is
        // at most winBackDays old); flags on older purchases cannot matter.
        let sorted = windowPurchases.sorted()
        let olderPurchases = facts.purchaseCount - sorted.count
        let churn = LifecycleRules.days(policy.churnDays)
        facts.latestWinBack = nil
        for (index, time) in sorted.enumerated() {
            if index == 0 {
                if olderPurchases > 0 { facts.latestWinBack = time }
            } else if time.timeIntervalSince(sorted[index - 1]) >= churn {
                facts.latestWinBack = time
            }
        }
        return LifecycleRules.evaluate(facts, at: moment, policy: policy)
    }
}

/// The lifecycle distribution's share of a population pass: a ``LifecycleAccumulator``
/// per customer slot, fed the counted purchases and refunds.
struct LifecyclePopulation: Sendable {
    let asOf: AsOf
    let policy: LifecyclePolicy
    /// A customer with no purchase or refund yet.
    private let empty: LifecycleAccumulator
    /// By owner slot; slots past the end have had no purchase or refund.
    private var customers: [LifecycleAccumulator] = []

    init(asOf: AsOf, policy: LifecyclePolicy) {
        self.asOf = asOf
        self.policy = policy
        empty = LifecycleAccumulator(at: LifecycleMoment(asOf.time), policy: policy)
    }

    /// Takes one event that counts (purchases and refunds of cancelled orders are left
    /// out by the pass).
    mutating func consume(_ owner: PopulationOwner, _ record: CustomerEventRecord) {
        switch record.event {
        case .purchaseCompleted(let purchase):
            grow(to: owner.slot)
            customers[owner.slot].addPurchase(purchase.amount, at: record.occurredAt)
        case .refundIssued(let refund):
            grow(to: owner.slot)
            customers[owner.slot].addRefund(refund.amount, at: record.occurredAt)
        default:
            break
        }
    }

    private mutating func grow(to slot: Int) {
        while customers.count <= slot { customers.append(empty) }
    }

    /// The distribution over every owner the pass met.
    func finish(owners: PopulationOwners) -> LifecycleDistribution {
        var byStage = Dictionary(uniqueKeysWithValues: LifecycleStage.allCases.map { ($0, 0) })
        var byHighest = Dictionary(uniqueKeysWithValues: HighestStage.allCases.map { ($0, 0) })
        var winBack = 0
        for slot in 0..<owners.count {
            let evaluation = (slot < customers.count ? customers[slot] : empty).evaluate()
            byStage[evaluation.stage, default: 0] += 1
            byHighest[evaluation.highestStage, default: 0] += 1
            if evaluation.winBack { winBack += 1 }
        }
        return LifecycleDistribution(asOf: asOf, policy: policy, customers: owners.count, byStage: byStage, byHighestStage: byHighest, winBack: winBack)
    }
}

extension Ledger {
    /// Customers per lifecycle stage and per highest stage, as of a point of view.
    ///
    /// One pass over the log (after a pre-pass over cancellations, which the log's type
    /// filter reads without the other events), keeping a few numbers per customer and
    /// the times of its purchases in the last `winBackDays + churnDays` days, never its
    /// events. Only purchases and refunds are decoded.
    public func lifecycleDistribution(asOf: AsOf = .now(), policy: LifecyclePolicy = .standard) throws(LedgerError) -> LifecycleDistribution {
        var pass = PopulationPass(asOf: asOf)
        pass.lifecycle = LifecyclePopulation(asOf: asOf, policy: policy)
        do {
            try pass.run(on: self)
        } catch {
            throw LedgerError.wrapping(error, while: "Reading the lifecycle distribution")
        }
        return pass.lifecycle!.finish(owners: pass.owners)
    }
}
