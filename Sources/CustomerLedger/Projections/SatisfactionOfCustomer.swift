public import Foundation

/// One customer's answers to one kind of survey.
public struct CustomerSurveySummary: Sendable, Hashable {
    /// The survey kind.
    public var kind: SurveyKind
    /// Responses of this kind.
    public var count: Int
    /// Their mean score.
    public var mean: Double
    /// The latest response's score, survey and time (latest by `occurredAt`, ties by
    /// position).
    public var latest: Int
    /// The survey of the latest response.
    public var latestSurveyId: String
    /// When the latest response happened.
    public var latestAt: Date
    /// The response before the latest one, if any.
    public var previous: Int?
    /// ``latest`` − ``previous``: positive when the customer answered better; `nil` with
    /// one response.
    public var trend: Int? { previous.map { latest - $0 } }

    /// Builds the value from its parts (projections build it for you).
    public init(kind: SurveyKind, count: Int, mean: Double, latest: Int, latestSurveyId: String, latestAt: Date, previous: Int?) {
        self.kind = kind
        self.count = count
        self.mean = mean
        self.latest = latest
        self.latestSurveyId = latestSurveyId
        self.latestAt = latestAt
        self.previous = previous
    }
}

/// One customer's satisfaction as of a point of view (domain.md §5): per survey kind the
/// latest score, the mean, the count and the trend, and the closed loop on the
/// customer's detractor responses.
public struct CustomerSatisfaction: Sendable, Hashable {
    /// The customer (the survivor when customers were merged).
    public var customer: StreamID
    /// The point of view.
    public var asOf: AsOf
    /// The thresholds used.
    public var policy: SatisfactionPolicy
    /// Per kind answered.
    public var surveys: [SurveyKind: CustomerSurveySummary]
    /// The follow-ups the customer's detractor responses opened.
    public var closedLoop: ClosedLoopSummary

    /// Builds the value from its parts (projections build it for you).
    public init(customer: StreamID, asOf: AsOf, policy: SatisfactionPolicy, surveys: [SurveyKind: CustomerSurveySummary], closedLoop: ClosedLoopSummary) {
        self.customer = customer
        self.asOf = asOf
        self.policy = policy
        self.surveys = surveys
        self.closedLoop = closedLoop
    }

    /// One customer's satisfaction from its history.
    public init(history: CustomerHistory, policy: SatisfactionPolicy = .standard) {
        var state = SatisfactionState()
        let records = history.records  // decoded once (the getter is not free)
        for index in records.indices { state.add(records[index]) }
        self.init(state: state, customer: history.customer, asOf: history.asOf, policy: policy)
    }

    /// One customer's satisfaction from the state of ``SatisfactionProjection``: the
    /// answers judged by `policy`, follow-ups' status at `asOf.time`.
    public init(state: SatisfactionState, customer: StreamID, asOf: AsOf = .now(), policy: SatisfactionPolicy = .standard) {
        var byKind: [SurveyKind: [SatisfactionState.Answer]] = [:]
        var followUps: [DetractorFollowUp] = []
        for answer in state.answers {
            byKind[answer.kind, default: []].append(answer)
            guard policy.isDetractor(answer.score, kind: answer.kind) else { continue }
            let closing = state.firstContact(atOrAfter: answer.occurredAt)
            followUps.append(ClosedLoopTracker.followUp(
                customer: customer, surveyId: answer.surveyId, kind: answer.kind, score: answer.score,
                respondedAt: answer.occurredAt, responseID: answer.id,
                closedAt: closing?.occurredAt, closedBy: closing?.id, policy: policy, at: asOf.time
            ))
        }
        var surveys: [SurveyKind: CustomerSurveySummary] = [:]
        for (kind, list) in byKind {
            let latest = list[list.count - 1]
            surveys[kind] = CustomerSurveySummary(
                kind: kind, count: list.count, mean: Double(list.reduce(0) { $0 + $1.score }) / Double(list.count),
                latest: latest.score, latestSurveyId: latest.surveyId, latestAt: latest.occurredAt,
                previous: list.count > 1 ? list[list.count - 2].score : nil
            )
        }
        self.init(customer: customer, asOf: asOf, policy: policy, surveys: surveys, closedLoop: ClosedLoopSummary(followUps: followUps))
    }
}

extension Ledger {
    /// A customer's satisfaction as of a point of view, merged customers folded in.
    public func satisfaction(of customer: StreamID, asOf: AsOf = .now(), policy: SatisfactionPolicy = .standard) throws(LedgerError) -> CustomerSatisfaction {
        CustomerSatisfaction(history: try history(of: customer, asOf: asOf), policy: policy)
    }
}
