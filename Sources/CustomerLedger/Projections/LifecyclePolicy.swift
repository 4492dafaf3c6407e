/// The thresholds of the lifecycle rules (domain.md §3), with the defaults of
/// docs/domain-rules/lifecycle.md. Every lifecycle result carries the policy that
/// produced it.
///
/// Day counts are UTC days of 86 400 seconds, measured between exact instants.
public struct LifecyclePolicy: Sendable, Hashable, Codable {
    /// A purchase this many days ago or less is recent: it keeps a customer `new`, in
    /// `growth` or `mature`. Past it the customer is `declining`. Default 90.
    public var recentDays: Int
    /// No purchase for this many days or more: `churned`. Default 180.
    public var churnDays: Int
    /// Growth compares net spend in the last `spendWindowDays` with the
    /// `spendWindowDays` before them. Default 180.
    public var spendWindowDays: Int
    /// A customer with enough purchases is `declining` once the time since its last
    /// purchase is more than this multiple of its own mean gap between purchases.
    /// Default 1.5.
    public var meanGapMultiple: Double
    /// The fewest purchases for the mean-gap rule. Default 3.
    public var meanGapMinimumPurchases: Int
    /// How long the win-back flag lasts after the purchase that brought a churned
    /// customer back: the customer shows as `growth` with `winBack` for this many days
    /// (unless it declines or churns first). Default 90.
    public var winBackDays: Int
    /// Purchases that make a `repeatCustomer` (highest stage). Default 2.
    public var repeatCustomerPurchases: Int
    /// Purchases that make a customer `loyal` (highest stage). Default 5.
    public var loyalPurchases: Int

    /// A policy; every argument defaults to the documented default.
    public init(
        recentDays: Int = 90,
        churnDays: Int = 180,
        spendWindowDays: Int = 180,
        meanGapMultiple: Double = 1.5,
        meanGapMinimumPurchases: Int = 3,
        winBackDays: Int = 90,
        repeatCustomerPurchases: Int = 2,
        loyalPurchases: Int = 5
    ) {
        precondition(recentDays >= 0 && churnDays > 0 && spendWindowDays > 0 && winBackDays >= 0, "Lifecycle windows are positive day counts")
        precondition(meanGapMultiple > 0 && meanGapMinimumPurchases >= 2, "The mean-gap rule needs a positive multiple and at least two purchases")
        precondition(repeatCustomerPurchases >= 2 && loyalPurchases >= repeatCustomerPurchases, "Loyal needs at least as many purchases as repeat customer")
        self.recentDays = recentDays
        self.churnDays = churnDays
        self.spendWindowDays = spendWindowDays
        self.meanGapMultiple = meanGapMultiple
        self.meanGapMinimumPurchases = meanGapMinimumPurchases
        self.winBackDays = winBackDays
        self.repeatCustomerPurchases = repeatCustomerPurchases
        self.loyalPurchases = loyalPurchases
    }

    /// The defaults of domain.md §3.
    public static let standard = LifecyclePolicy()

    /// The highest stage `purchases` counted purchases reach.
    public func highestStage(purchases: Int) -> HighestStage {
        if purchases >= loyalPurchases { return .loyal }
        if purchases >= repeatCustomerPurchases { return .repeatCustomer }
        if purchases >= 1 { return .customer }
        return .prospect
    }
}
