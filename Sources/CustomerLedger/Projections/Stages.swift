/// The relationship stage now (domain.md §3).
public enum LifecycleStage: String, Codable, Sendable, Hashable, CaseIterable {
    /// Known, no purchase yet.
    case prospect
    /// Exactly one purchase, recent.
    case new
    /// Recent purchases and spend rising.
    case growth
    /// Recent purchases, spend not rising.
    case mature
    /// Purchases becoming rare.
    case declining
    /// No purchase for a long time.
    case churned
}

/// The furthest a customer has come; it only moves forward (domain.md §3).
public enum HighestStage: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case prospect, customer, repeatCustomer, loyal

    public static func < (lhs: HighestStage, rhs: HighestStage) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Where the account team spends its effort (domain.md §4).
public enum Tier: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case potential, ordinary, key, core

    public static func < (lhs: Tier, rhs: Tier) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
