/// The thresholds of the satisfaction projections (domain.md §5,
/// docs/domain-rules/satisfaction.md). Every satisfaction result carries the policy that
/// produced it.
public struct SatisfactionPolicy: Sendable, Hashable, Codable {
    /// NPS promoters score at least this. Default 9.
    public var npsPromoterMinimum: Int
    /// NPS detractors score at most this; they open a follow-up. Default 6.
    public var npsDetractorMaximum: Int
    /// CSAT satisfied responses score at least this. Default 4.
    public var csatSatisfiedMinimum: Int
    /// CSAT responses at most this are detractors and open a follow-up. Default 2.
    public var csatDetractorMaximum: Int
    /// CES responses at least this agree that it was easy. Default 5.
    public var cesAgreeMinimum: Int
    /// A score from fewer responses than this is flagged as a small sample. Default 30.
    public var smallSampleBelow: Int
    /// A detractor's follow-up is due this many hours after the response. Default 48.
    public var followUpHours: Int

    /// A policy; every argument defaults to the documented default.
    public init(
        npsPromoterMinimum: Int = 9,
        npsDetractorMaximum: Int = 6,
        csatSatisfiedMinimum: Int = 4,
        csatDetractorMaximum: Int = 2,
        cesAgreeMinimum: Int = 5,
        smallSampleBelow: Int = 30,
        followUpHours: Int = 48
    ) {
        precondition(npsDetractorMaximum < npsPromoterMinimum, "NPS detractors score below promoters")
        precondition(csatDetractorMaximum < csatSatisfiedMinimum, "CSAT detractors score below satisfied customers")
        precondition(smallSampleBelow >= 0 && followUpHours >= 0, "Counts and hours are not negative")
        self.npsPromoterMinimum = npsPromoterMinimum
        self.npsDetractorMaximum = npsDetractorMaximum
        self.csatSatisfiedMinimum = csatSatisfiedMinimum
        self.csatDetractorMaximum = csatDetractorMaximum
        self.cesAgreeMinimum = cesAgreeMinimum
        self.smallSampleBelow = smallSampleBelow
        self.followUpHours = followUpHours
    }

    /// The defaults of domain.md §5.
    public static let standard = SatisfactionPolicy()

    /// Whether a score of `kind` is a detractor's, which opens a follow-up: NPS 0–6,
    /// CSAT 1–2; CES has none.
    public func isDetractor(_ score: Int, kind: SurveyKind) -> Bool {
        switch kind {
        case .nps: score <= npsDetractorMaximum
        case .csat: score <= csatDetractorMaximum
        case .ces: false
        }
    }

    /// Whether a score of `kind` is favourable: an NPS promoter, a satisfied CSAT, an
    /// agreeing CES.
    public func isFavourable(_ score: Int, kind: SurveyKind) -> Bool {
        switch kind {
        case .nps: score >= npsPromoterMinimum
        case .csat: score >= csatSatisfiedMinimum
        case .ces: score >= cesAgreeMinimum
        }
    }
}
