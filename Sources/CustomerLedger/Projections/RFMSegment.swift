/// The RFM segments of the widely used grid over recency and frequency scores (domain.md
/// §4). Every (R, F) pair of scores 1–5 falls in exactly one segment.
///
/// | segment | R | F |
/// |---|---|---|
/// | champions | 5 | 4–5 |
/// | loyal | 3–4 | 4–5 |
/// | potentialLoyalist | 4–5 | 2–3 |
/// | new | 5 | 1 |
/// | promising | 4 | 1 |
/// | needAttention | 3 | 3 |
/// | aboutToSleep | 3 | 1–2 |
/// | atRisk | 1–2 | 3–4 |
/// | cantLoseThem | 1–2 | 5 |
/// | hibernating | 1–2 | 1–2 |
public enum RFMSegment: String, Codable, Sendable, Hashable, CaseIterable {
    case champions
    case loyal
    case potentialLoyalist
    case new
    case promising
    case needAttention
    case aboutToSleep
    case atRisk
    case cantLoseThem
    case hibernating

    /// The segment of a recency and a frequency score (each 1–5).
    public init(recencyScore r: Int, frequencyScore f: Int) {
        precondition((1...5).contains(r) && (1...5).contains(f), "RFM scores are 1–5")
        switch (r, f) {
        case (5, 4...5): self = .champions
        case (3...4, 4...5): self = .loyal
        case (4...5, 2...3): self = .potentialLoyalist
        case (5, 1): self = .new
        case (4, 1): self = .promising
        case (3, 3): self = .needAttention
        case (3, 1...2): self = .aboutToSleep
        case (_, 3...4): self = .atRisk
        case (_, 5): self = .cantLoseThem
        default: self = .hibernating
        }
    }

    /// The name analysts use, such as "Can't Lose Them".
    public var displayName: String {
        switch self {
        case .champions: "Champions"
        case .loyal: "Loyal"
        case .potentialLoyalist: "Potential Loyalist"
        case .new: "New"
        case .promising: "Promising"
        case .needAttention: "Need Attention"
        case .aboutToSleep: "About to Sleep"
        case .atRisk: "At Risk"
        case .cantLoseThem: "Can't Lose Them"
        case .hibernating: "Hibernating"
        }
    }
}
