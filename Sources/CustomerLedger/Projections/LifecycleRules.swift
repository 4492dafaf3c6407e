public import Foundation

/// Which rule of the lifecycle table decided a stage (docs/domain-rules/lifecycle.md).
public enum LifecycleRule: String, Codable, Sendable, Hashable, CaseIterable {
    /// `prospect`: no purchase yet.
    case noPurchase
    /// `new`: exactly one purchase, at most `recentDays` ago.
    case onePurchaseRecently
    /// `growth`: 2+ purchases, the last at most `recentDays` ago, net spend in the last
    /// `spendWindowDays` above the window before.
    case spendRising
    /// `mature`: 2+ purchases, the last at most `recentDays` ago, spend not rising.
    case spendNotRising
    /// `growth` with `winBack`: a purchase brought a churned customer back less than
    /// `winBackDays` ago.
    case winBack
    /// `declining`: the last purchase is more than `recentDays` ago.
    case lastPurchaseNotRecent
    /// `declining`: the time since the last purchase is more than `meanGapMultiple` ×
    /// the customer's mean gap between purchases (needs `meanGapMinimumPurchases`).
    case gapLongerThanUsual
    /// `churned`: no purchase for `churnDays` or more.
    case noPurchaseForChurnWindow

    /// The stage the rule gives.
    public var stage: LifecycleStage {
        switch self {
        case .noPurchase: .prospect
        case .onePurchaseRecently: .new
        case .spendRising, .winBack: .growth
        case .spendNotRising: .mature
        case .lastPurchaseNotRecent, .gapLongerThanUsual: .declining
        case .noPurchaseForChurnWindow: .churned
        }
    }
}

/// A customer's lifecycle at one instant: the result of ``LifecycleRules``.
public struct LifecycleEvaluation: Sendable, Hashable {
    /// The relationship stage at ``time``.
    public var stage: LifecycleStage
    /// Whether the customer is in the win-back period (shown as `growth`).
    public var winBack: Bool
    /// The furthest the customer has come by ``time``.
    public var highestStage: HighestStage
    /// The rule that decided ``stage``.
    public var rule: LifecycleRule
    /// Purchases that count, made by ``time``.
    public var purchaseCount: Int
    /// The latest counted purchase by ``time``.
    public var lastPurchase: Date?
    /// When the rules were evaluated.
    public var time: Date
    /// The thresholds used.
    public var policy: LifecyclePolicy

    /// An evaluation with its parts (``LifecycleRules`` builds them).
    public init(
        stage: LifecycleStage, winBack: Bool, highestStage: HighestStage, rule: LifecycleRule,
        purchaseCount: Int, lastPurchase: Date?, time: Date, policy: LifecyclePolicy
    ) {
        self.stage = stage
        self.winBack = winBack
        self.highestStage = highestStage
        self.rule = rule
        self.purchaseCount = purchaseCount
        self.lastPurchase = lastPurchase
        self.time = time
        self.policy = policy
    }
}

/// The lifecycle rules of domain.md §3 as pure functions: the same answer for the same
/// purchases, time and policy, with no ledger involved. The satisfaction projection and
/// ``Ledger/record(_:for:occurredAt:id:metadata:expecting:)`` use them for the stage at a
/// survey's time.
///
/// ```swift
/// let history = try ledger.history(of: "C1", asOf: AsOf(time: surveyTime))
/// let stage = LifecycleRules.evaluate(purchases: history.purchaseActivity, at: surveyTime).stage
/// ```
///
/// Precedence: churned, then declining, then win-back, then new / growth / mature.
/// Boundaries: "within 90 days" means at most 90 days (exactly 90 days is still
/// recent); churned starts at exactly 180 days.
public enum LifecycleRules {
    /// The stage at `time` from the purchases and refunds that happened by then (later
    /// ones in `purchases` are ignored).
    public static func evaluate(purchases: PurchaseActivity, at time: Date, policy: LifecyclePolicy = .standard) -> LifecycleEvaluation {
        let moment = LifecycleMoment(time)
        let facts = LifecycleFacts(
            purchases: purchases.purchases.filter { $0.occurredAt <= time },
            refunds: purchases.refunds.filter { $0.occurredAt <= time },
            at: moment, policy: policy
        )
        return evaluate(facts, at: moment, policy: policy)
    }

    /// The stage at the history's as-of time.
    public static func evaluate(history: CustomerHistory, policy: LifecyclePolicy = .standard) -> LifecycleEvaluation {
        evaluate(purchases: history.purchaseActivity, at: history.asOf.time, policy: policy)
    }

    /// The rule table on the facts at one moment.
    static func evaluate(_ facts: LifecycleFacts, at moment: LifecycleMoment, policy: LifecyclePolicy) -> LifecycleEvaluation {
        let rule = self.rule(facts, at: moment, policy: policy)
        return LifecycleEvaluation(
            stage: rule.stage, winBack: rule == .winBack,
            highestStage: policy.highestStage(purchases: facts.purchaseCount), rule: rule,
            purchaseCount: facts.purchaseCount, lastPurchase: facts.lastPurchase, time: moment.time, policy: policy
        )
    }

    static func rule(_ facts: LifecycleFacts, at moment: LifecycleMoment, policy: LifecyclePolicy) -> LifecycleRule {
        ruleBeforeSpend(
            purchaseCount: facts.purchaseCount, firstPurchase: facts.firstPurchase, lastPurchase: facts.lastPurchase,
            latestWinBack: facts.latestWinBack, at: moment, policy: policy
        ) ?? (facts.spendRising ? .spendRising : .spendNotRising)
    }

    /// The rule table on the facts' parts, up to the spend comparison: `nil` when the
    /// spend decides (2+ purchases, recent, not in win-back: `spendRising` or
    /// `spendNotRising`), so a caller computes spend only when it matters.
    @inline(__always)
    static func ruleBeforeSpend(
        purchaseCount: Int, firstPurchase: Date?, lastPurchase: Date?, latestWinBack: Date?,
        at moment: LifecycleMoment, policy: LifecyclePolicy
    ) -> LifecycleRule? {
        let thresholds = LifecycleThresholds(
            purchaseCount: purchaseCount, firstPurchase: firstPurchase, lastPurchase: lastPurchase,
            latestWinBack: latestWinBack, policy: policy
        )
        return thresholds.ruleBeforeSpend(at: moment)
    }

    static func days(_ count: Int) -> TimeInterval { TimeMath.secondsPerDay * Double(count) }
}

/// The instants the rule table compares a moment with, which change only with the
/// purchases: computed once per purchase by a replay, once per moment otherwise.
struct LifecycleThresholds {
    /// `nil`: no purchase.
    private var thresholds: (churnEnds: Date, recentEnds: Date, gapEnds: Date?, winBackEnds: Date?, onePurchase: Bool)?

    @inline(__always)
    init(purchaseCount: Int, firstPurchase: Date?, lastPurchase: Date?, latestWinBack: Date?, policy: LifecyclePolicy) {
        guard let last = lastPurchase, let first = firstPurchase, purchaseCount > 0 else { return }
        var gapEnds: Date?
        if purchaseCount >= policy.meanGapMinimumPurchases {
            let meanGap = last.timeIntervalSince(first) / Double(purchaseCount - 1)
            // Purchases all at one instant have no rhythm to fall behind.
            if meanGap > 0 { gapEnds = last.addingTimeInterval(policy.meanGapMultiple * meanGap) }
        }
        thresholds = (
            churnEnds: last.addingTimeInterval(LifecycleRules.days(policy.churnDays)),
            recentEnds: last.addingTimeInterval(LifecycleRules.days(policy.recentDays)),
            gapEnds: gapEnds,
            winBackEnds: latestWinBack?.addingTimeInterval(LifecycleRules.days(policy.winBackDays)),
            onePurchase: purchaseCount == 1
        )
    }

    /// Whether a threshold the table compares strictly ("more than N days") is `instant`:
    /// only then can the rule just after an instant differ from the rule at it.
    func endsAt(_ instant: Date) -> Bool {
        guard let thresholds else { return false }
        return thresholds.recentEnds == instant || thresholds.gapEnds == instant || thresholds.winBackEnds == instant
    }

    /// The rule at `moment`, up to the spend comparison (``LifecycleRules/ruleBeforeSpend(purchaseCount:firstPurchase:lastPurchase:latestWinBack:at:policy:)``).
    @inline(__always)
    func ruleBeforeSpend(at moment: LifecycleMoment) -> LifecycleRule? {
        guard let thresholds else { return .noPurchase }
        if moment.hasReached(thresholds.churnEnds) { return .noPurchaseForChurnWindow }
        let recentLapsed = moment.isPast(thresholds.recentEnds)
        let gapLapsed = thresholds.gapEnds.map(moment.isPast) ?? false
        if recentLapsed || gapLapsed {
            // Both can hold: name the one whose threshold came first.
            if gapLapsed, !recentLapsed || thresholds.gapEnds! < thresholds.recentEnds { return .gapLongerThanUsual }
            return .lastPurchaseNotRecent
        }
        if let winBackEnds = thresholds.winBackEnds, !moment.isPast(winBackEnds) { return .winBack }
        if thresholds.onePurchase { return .onePurchaseRecently }
        return nil
    }
}
