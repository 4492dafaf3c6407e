public import LedgerCore

/// The standard satisfaction surveys and their scales.
public enum SurveyKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Net Promoter Score: 0–10.
    case nps
    /// Customer satisfaction: 1–5.
    case csat
    /// Customer effort score: 1–7, higher is easier.
    case ces

    /// The valid scores.
    public var scale: ClosedRange<Int> {
        switch self {
        case .nps: 0...10
        case .csat: 1...5
        case .ces: 1...7
        }
    }
}

/// `survey.answered`: one response to a survey.
public struct SurveyAnswered: CustomerEventPayload {
    public static let eventType = "survey.answered"
    public var surveyId: String
    public var kind: SurveyKind
    public var score: Int
    /// Per-dimension ratings such as `service`, `product`, `responseSpeed`, on the
    /// survey's own scale.
    public var dimensions: [String: Int]?
    public var comment: String?
    /// The channel the response came through (`email`, `sms`, `web`, …).
    public var channel: String?
    /// The customer's tier when answering. ``Ledger/record(_:for:occurredAt:id:metadata:expecting:)``
    /// fills it from the ledger when not given, so breakdowns use what was true then.
    public var tierAtResponse: Tier?
    /// The customer's lifecycle stage when answering, filled like ``tierAtResponse``.
    public var stageAtResponse: LifecycleStage?

    public init(
        surveyId: String, kind: SurveyKind, score: Int, dimensions: [String: Int]? = nil,
        comment: String? = nil, channel: String? = nil, tierAtResponse: Tier? = nil,
        stageAtResponse: LifecycleStage? = nil
    ) {
        self.surveyId = surveyId
        self.kind = kind
        self.score = score
        self.dimensions = dimensions
        self.comment = comment
        self.channel = channel
        self.tierAtResponse = tierAtResponse
        self.stageAtResponse = stageAtResponse
    }

    public func validate() throws(LedgerError) {
        try requireText(surveyId, Self.eventType, "surveyId")
        guard kind.scale.contains(score) else {
            throw invalidField(Self.eventType, "score", "is \(score), outside the \(kind.rawValue) scale \(kind.scale.lowerBound)–\(kind.scale.upperBound)")
        }
        for (name, rating) in dimensions ?? [:] where !kind.scale.contains(rating) {
            throw invalidField(Self.eventType, "dimensions.\(name)", "is \(rating), outside the \(kind.rawValue) scale \(kind.scale.lowerBound)–\(kind.scale.upperBound)")
        }
    }
}
