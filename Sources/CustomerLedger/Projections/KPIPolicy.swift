/// The rules behind the period KPIs (domain.md §4), with the defaults of
/// docs/domain-rules/kpis.md. Every KPI report carries its policy.
public struct KPIPolicy: Sendable, Hashable, Codable {
    /// The lifecycle thresholds: when a customer churns, which stage it is in at the
    /// period's start.
    public var lifecycle: LifecyclePolicy
    /// The stages that make a customer active at the period's start (the base of churn
    /// and retention). Default: new, growth, mature, declining.
    public var activeStages: Set<LifecycleStage>

    /// A policy; every argument defaults to the documented default.
    public init(lifecycle: LifecyclePolicy = .standard, activeStages: Set<LifecycleStage> = [.new, .growth, .mature, .declining]) {
        self.lifecycle = lifecycle
        self.activeStages = activeStages
    }

    /// The defaults.
    public static let standard = KPIPolicy()
}
