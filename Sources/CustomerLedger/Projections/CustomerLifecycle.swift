public import Foundation
public import LedgerCore

/// One customer's lifecycle as of a point of view (domain.md §3): the stage now, the
/// highest stage reached, and every change of stage with its instant and cause.
///
/// Cancelled orders count for nothing from the start, so the transitions are the
/// history as the point of view knows it (ask an earlier `knownAt` for what was believed
/// before a cancellation).
public struct CustomerLifecycle: Sendable, Hashable {
    /// The customer (the survivor, when a merged id was asked for).
    public var customer: StreamID
    /// The point of view.
    public var asOf: AsOf
    /// The thresholds used.
    public var policy: LifecyclePolicy
    /// The rules evaluated at `asOf.time`: stage, win-back flag, highest stage, rule.
    public var current: LifecycleEvaluation
    /// The first event's `occurredAt`: the customer is known (a prospect at least) from then.
    public var knownSince: Date
    /// Every change of stage or of the win-back flag, oldest first; the first has
    /// `from == nil`.
    public var transitions: [LifecycleTransition]
    /// When each highest stage was reached, oldest first.
    public var milestones: [HighestStageMilestone]

    /// The relationship stage at `asOf.time`.
    public var stage: LifecycleStage { current.stage }
    /// The furthest the customer has come by `asOf.time`.
    public var highestStage: HighestStage { current.highestStage }
    /// Whether the customer is in its win-back period (shown as `growth`).
    public var winBack: Bool { current.winBack }

    /// The lifecycle folded from a history; `nil` when the history is empty (the customer
    /// is unknown from that point of view, for example as of before its first event).
    public init?(history: CustomerHistory, policy: LifecyclePolicy = .standard) {
        guard let state = history.lifecycleState else { return nil }
        self.init(state: state, customer: history.customer, asOf: history.asOf, policy: policy)
    }

    /// The lifecycle built from the state of ``LifecycleProjection`` folded from the point
    /// of view `asOf`, evaluated at `asOf.time`; `nil` when the state has seen no event.
    public init?(state: LifecycleState, customer: StreamID, asOf: AsOf = .now(), policy: LifecyclePolicy = .standard) {
        guard let first = state.firstEvent else { return nil }
        let replay = LifecycleReplay(activity: state.purchases, policy: policy)
        let end = asOf.time
        self.customer = customer
        self.asOf = asOf
        self.policy = policy
        (current, transitions) = replay.run(knownSince: first.occurredAt, firstEvent: first, end: end)
        knownSince = first.occurredAt
        milestones = replay.milestones(knownSince: first.occurredAt, firstEvent: first, end: end)
    }
}

extension Ledger {
    /// A customer's lifecycle as of a point of view; `nil` when the ledger did not know
    /// the customer from it (no event of the customer counts, for example as of before
    /// its first event). Reads only the customer's streams (and those merged into it).
    public func lifecycle(of customer: StreamID, asOf: AsOf = .now(), policy: LifecyclePolicy = .standard) throws(LedgerError) -> CustomerLifecycle? {
        CustomerLifecycle(history: try history(of: customer, asOf: asOf), policy: policy)
    }
}
