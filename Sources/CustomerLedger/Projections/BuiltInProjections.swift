/// The purchases, refunds and cancellations of one customer that count (domain.md §4):
/// the fold behind the value, tier, lifetime-value and lifecycle views, as a
/// ``Projection`` like any host's. Run it on demand, or keep it persistent and derive
/// ``CustomerValue`` or tiers from the stored state.
///
/// ```swift
/// let activity = try ledger.project(PurchaseActivityProjection(), for: "C20240501001")
/// let spend = activity.netSpend
/// ```
public struct PurchaseActivityProjection: Projection {
    public let name = "ledger.purchaseActivity"
    public let version: UInt32 = 1

    public init() {}

    public func initialState() -> PurchaseActivity { PurchaseActivity(purchases: []) }

    public func apply(_ event: ProjectedEvent, to activity: inout PurchaseActivity) {
        activity.add(event.record)
    }
}

/// One customer's interactions per channel and direction (domain.md §6), the fold
/// behind ``CustomerInteractions/channelMix``, as a ``Projection``.
public struct ChannelMixProjection: Projection {
    public let name = "ledger.channelMix"
    public let version: UInt32 = 1

    public init() {}

    public func initialState() -> ChannelMix { ChannelMix() }

    public func apply(_ event: ProjectedEvent, to mix: inout ChannelMix) {
        if case .interactionRecorded(let interaction) = event.event { mix.add(interaction) }
    }
}
