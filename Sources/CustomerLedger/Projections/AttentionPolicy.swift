/// The thresholds of the "needs attention" view (domain.md §6), with the defaults of
/// docs/domain-rules/interactions.md. Every attention result carries the policy.
public struct AttentionPolicy: Sendable, Hashable, Codable {
    /// A customer whose last interaction (any channel, either direction) is more than
    /// this many days ago, or who was never contacted, needs contact. Default 30.
    public var notContactedDays: Int
    /// A complaint open for more than this many days needs attention. Default 14.
    public var complaintOpenDays: Int
    /// NPS scores up to this one are detractors. Default 6 (0–6).
    public var npsDetractorMaximum: Int
    /// CSAT scores up to this one are detractors. Default 2 (1–2).
    public var csatDetractorMaximum: Int

    /// A policy; every argument defaults to the documented default.
    public init(notContactedDays: Int = 30, complaintOpenDays: Int = 14, npsDetractorMaximum: Int = 6, csatDetractorMaximum: Int = 2) {
        precondition(notContactedDays >= 0 && complaintOpenDays >= 0, "Attention windows are day counts")
        self.notContactedDays = notContactedDays
        self.complaintOpenDays = complaintOpenDays
        self.npsDetractorMaximum = npsDetractorMaximum
        self.csatDetractorMaximum = csatDetractorMaximum
    }

    /// The defaults.
    public static let standard = AttentionPolicy()

    /// Whether a survey answer is a detractor's (CES answers never are).
    public func isDetractor(_ answer: SurveyAnswered) -> Bool {
        isDetractor(score: answer.score, kind: answer.kind)
    }

    /// Whether `score` on a survey of `kind` is a detractor's (CES answers never are).
    public func isDetractor(score: Int, kind: SurveyKind) -> Bool {
        switch kind {
        case .nps: score <= npsDetractorMaximum
        case .csat: score <= csatDetractorMaximum
        case .ces: false
        }
    }
}
