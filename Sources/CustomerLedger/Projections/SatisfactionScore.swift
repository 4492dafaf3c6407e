/// The score of a set of responses of one survey kind (domain.md §5), with the number of
/// responses beside it.
///
/// - NPS (0–10): ``nps`` = % promoters (9–10) − % detractors (0–6), −100…+100; passives
///   (7–8) count in the total.
/// - CSAT (1–5): ``percentFavourable`` = % of 4s and 5s, with the ``mean`` beside it.
/// - CES (1–7, higher is easier): the ``mean``, with ``percentFavourable`` = % agreeing (5–7).
///
/// Percentages are 0–100 and not rounded.
public struct SatisfactionScore: Sendable, Hashable {
    /// The survey kind.
    public var kind: SurveyKind
    /// Responses per point of the scale, lowest score first (NPS: 11 counts for 0…10).
    public var distribution: [Int]
    /// Responses counted.
    public var responses: Int
    /// The mean score; `nil` without responses.
    public var mean: Double?
    /// NPS promoters, CSAT satisfied (4–5), CES agreeing (5–7).
    public var favourable: Int
    /// NPS passives (7–8); CSAT neutral answers (3); CES: 0.
    public var passives: Int
    /// NPS detractors (0–6); CSAT detractors (1–2); CES: 0.
    public var detractors: Int
    /// Whether ``responses`` is below the policy's small-sample threshold.
    public var isSmallSample: Bool

    /// The score of `scores` (each on `kind`'s scale; others are a programmer error).
    public init(kind: SurveyKind, scores: some Sequence<Int>, policy: SatisfactionPolicy = .standard) {
        var distribution = Array(repeating: 0, count: kind.scale.count)
        for score in scores {
            precondition(kind.scale.contains(score), "\(score) is off the \(kind.rawValue) scale")
            distribution[score - kind.scale.lowerBound] += 1
        }
        self.init(kind: kind, distribution: distribution, policy: policy)
    }

    /// The score of a distribution (responses per scale point, lowest first).
    public init(kind: SurveyKind, distribution: [Int], policy: SatisfactionPolicy = .standard) {
        precondition(distribution.count == kind.scale.count, "A \(kind.rawValue) distribution has \(kind.scale.count) counts")
        self.kind = kind
        self.distribution = distribution
        var responses = 0, sum = 0, favourable = 0, detractors = 0
        for (offset, count) in distribution.enumerated() {
            let score = kind.scale.lowerBound + offset
            responses += count
            sum += score * count
            if policy.isFavourable(score, kind: kind) { favourable += count }
            if policy.isDetractor(score, kind: kind) { detractors += count }
        }
        self.responses = responses
        self.mean = responses == 0 ? nil : Double(sum) / Double(responses)
        self.favourable = favourable
        self.detractors = detractors
        self.passives = kind == .ces ? 0 : responses - favourable - detractors
        self.isSmallSample = responses < policy.smallSampleBelow
    }

    /// An empty score.
    public static func empty(_ kind: SurveyKind, policy: SatisfactionPolicy = .standard) -> SatisfactionScore {
        SatisfactionScore(kind: kind, distribution: Array(repeating: 0, count: kind.scale.count), policy: policy)
    }

    /// Favourable responses as a percentage of all; `nil` without responses.
    public var percentFavourable: Double? { percent(favourable) }

    /// Detractors as a percentage of all; `nil` without responses.
    public var percentDetractors: Double? { percent(detractors) }

    /// The Net Promoter Score, −100…+100: `nil` for other kinds or without responses.
    public var nps: Double? {
        guard kind == .nps, responses > 0 else { return nil }
        return 100 * Double(favourable - detractors) / Double(responses)
    }

    /// The figure a dashboard leads with: NPS for NPS, % satisfied for CSAT, the mean
    /// for CES; `nil` without responses.
    public var headline: Double? {
        switch kind {
        case .nps: nps
        case .csat: percentFavourable
        case .ces: mean
        }
    }

    private func percent(_ count: Int) -> Double? {
        responses == 0 ? nil : 100 * Double(count) / Double(responses)
    }
}
