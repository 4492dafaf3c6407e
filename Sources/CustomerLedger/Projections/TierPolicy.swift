/// What a customer must reach in the trailing window to be in a tier: both the net
/// spend and the number of purchases.
public struct TierThreshold: Sendable, Hashable, Codable {
    /// Net spend (purchases minus refunds) in the trailing window, at least.
    public var minimumNetSpend: Money
    /// Counted purchases (cancelled orders left out) in the trailing window, at least.
    public var minimumPurchases: Int

    /// A threshold; at least one purchase.
    public init(minimumNetSpend: Money, minimumPurchases: Int) {
        precondition(minimumPurchases >= 1, "A tier threshold needs at least one purchase")
        self.minimumNetSpend = minimumNetSpend
        self.minimumPurchases = minimumPurchases
    }

    /// Whether a customer with this trailing spend and purchase count reaches the threshold.
    public func isReached(netSpend: Money, purchases: Int) -> Bool {
        netSpend.minorUnits >= minimumNetSpend.minorUnits && purchases >= minimumPurchases
    }

    enum CodingKeys: String, CodingKey { case minimumNetSpend, currency, minimumPurchases }

    /// Decodes `{"minimumNetSpend": "2000.00", "currency": "USD", "minimumPurchases": 2}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        minimumNetSpend = try container.decodeMoney(amount: .minimumNetSpend, currency: .currency)
        minimumPurchases = try container.decode(Int.self, forKey: .minimumPurchases)
    }

    /// Encodes like ``init(from:)`` reads.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeMoney(minimumNetSpend, amount: .minimumNetSpend, currency: .currency)
        try container.encode(minimumPurchases, forKey: .minimumPurchases)
    }
}

/// The thresholds of the tiers (domain.md §4, docs/domain-rules/tiers.md). Every tier
/// result carries the policy that produced it.
///
/// A customer's tier at a moment comes from the net spend and the number of purchases in
/// the trailing ``trailingMonths`` calendar months (UTC):
/// - `core`: reaches ``core`` (default 10,000.00 and 3 purchases);
/// - `key`: reaches ``key`` (default 2,000.00 and 2 purchases);
/// - `ordinary`: has made a purchase (any currency, any time before), reaches neither;
/// - `potential`: no purchase yet.
///
/// Only amounts in ``currency`` count toward spend; purchases in other currencies still
/// count as purchases for `potential` versus `ordinary` but not toward a threshold.
public struct TierPolicy: Sendable, Hashable, Codable {
    /// The currency spend is measured in. Default USD.
    public var currency: Currency
    /// The length of the trailing window in calendar months. Default 12.
    public var trailingMonths: Int
    /// What reaches `core`.
    public var core: TierThreshold
    /// What reaches `key`.
    public var key: TierThreshold

    /// A policy. Without thresholds, the defaults in `currency`'s major unit:
    /// core 10,000 and 3 purchases, key 2,000 and 2 purchases (not converted between
    /// currencies: set thresholds that suit a currency other than USD).
    public init(currency: Currency = .usd, trailingMonths: Int = 12, core: TierThreshold? = nil, key: TierThreshold? = nil) {
        precondition(trailingMonths >= 1, "The trailing window is at least one month")
        let core = core ?? TierThreshold(minimumNetSpend: Self.majorUnits(10_000, currency), minimumPurchases: 3)
        let key = key ?? TierThreshold(minimumNetSpend: Self.majorUnits(2_000, currency), minimumPurchases: 2)
        precondition(
            core.minimumNetSpend.currency == currency && key.minimumNetSpend.currency == currency,
            "Tier thresholds are in the policy's currency \(currency)"
        )
        self.currency = currency
        self.trailingMonths = trailingMonths
        self.core = core
        self.key = key
    }

    /// The defaults of docs/domain-rules/tiers.md, in USD.
    public static let standard = TierPolicy()

    /// The tier for a trailing net spend (in ``currency``) and purchase count; `hasPurchased`
    /// says whether the customer has made any counted purchase by then.
    public func tier(trailingNetSpend: Money, trailingPurchases: Int, hasPurchased: Bool) -> Tier {
        precondition(trailingNetSpend.currency == currency, "Trailing spend is in the policy's currency \(currency)")
        guard hasPurchased else { return .potential }
        if core.isReached(netSpend: trailingNetSpend, purchases: trailingPurchases) { return .core }
        if key.isReached(netSpend: trailingNetSpend, purchases: trailingPurchases) { return .key }
        return .ordinary
    }

    static func majorUnits(_ amount: Int64, _ currency: Currency) -> Money {
        var scale: Int64 = 1
        for _ in 0..<currency.minorUnitDigits { scale *= 10 }
        return Money(minorUnits: amount * scale, currency: currency)
    }
}
