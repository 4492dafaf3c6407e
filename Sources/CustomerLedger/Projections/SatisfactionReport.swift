public import Foundation

/// The scores of one group of a breakdown (a tier, a lifecycle stage, a channel).
public struct SatisfactionGroup: Sendable, Hashable {
    /// The group's name: a tier, a stage or a channel as recorded, or `unknown` when the
    /// response does not say.
    public var name: String
    /// The score per kind (every kind present; empty when nobody in the group answered it).
    public var scores: [SurveyKind: SatisfactionScore]

    /// Builds the value from its parts (projections build it for you).
    public init(name: String, scores: [SurveyKind: SatisfactionScore]) {
        self.name = name
        self.scores = scores
    }

    /// The name of a group for responses that do not say.
    public static let unknown = "unknown"
}

/// The ratings of one dimension (`service`, `product`, …) of one survey kind.
public struct SatisfactionDimension: Sendable, Hashable {
    /// The survey kind whose responses carried the rating (ratings are on its scale).
    public var kind: SurveyKind
    /// The dimension's name.
    public var name: String
    /// The ratings' score: count, mean, small-sample flag, and for CSAT and CES the
    /// kind's headline (% satisfied, % agreeing). For NPS only the count and mean are
    /// meaningful: a dimension is not the recommend question the NPS formula is defined on.
    public var score: SatisfactionScore

    /// Builds the value from its parts (projections build it for you).
    public init(kind: SurveyKind, name: String, score: SatisfactionScore) {
        self.kind = kind
        self.name = name
        self.score = score
    }

    /// The kind's headline where it makes sense: % satisfied for CSAT, the mean for CES;
    /// `nil` for NPS dimensions (and without ratings).
    public var headline: Double? { kind == .nps ? nil : score.headline }
}

/// Satisfaction over the population for a period (domain.md §5). Headline scores,
/// breakdowns and dimensions use each customer's latest response of each kind in the
/// period (so the groups of a breakdown add up to the headline); each trend bucket uses
/// each customer's latest response in the bucket. Tier and stage are the response's
/// snapshot (``SurveyAnswered/tierAtResponse``, ``SurveyAnswered/stageAtResponse``).
public struct SatisfactionReport: Sendable, Hashable {
    /// The point of view.
    public var asOf: AsOf
    /// The thresholds used.
    public var policy: SatisfactionPolicy
    /// Responses whose `occurredAt` is in it count; `nil` for every response in the view.
    public var period: Range<Date>?
    /// The trend's bucket size.
    public var interval: SatisfactionInterval
    /// Every response in the period, per kind (not only the latest per customer).
    public var responses: [SurveyKind: Int]
    /// The headline score per kind (every kind present).
    public var headline: [SurveyKind: SatisfactionScore]
    /// One point per bucket from the first bucket with a response to the last, gaps
    /// included as empty points.
    public var trend: [SatisfactionTrendPoint]
    /// By the tier at response time: core, key, ordinary, potential, then unknown.
    public var byTier: [SatisfactionGroup]
    /// By the lifecycle stage at response time, in lifecycle order, then unknown.
    public var byStage: [SatisfactionGroup]
    /// By the response's channel, alphabetically, then unknown.
    public var byChannel: [SatisfactionGroup]
    /// Per kind and dimension name.
    public var byDimension: [SatisfactionDimension]
    /// The follow-ups of the detractor responses in the period.
    public var closedLoop: ClosedLoopSummary

    /// Builds the value from its parts (projections build it for you).
    public init(
        asOf: AsOf, policy: SatisfactionPolicy, period: Range<Date>?, interval: SatisfactionInterval,
        responses: [SurveyKind: Int], headline: [SurveyKind: SatisfactionScore], trend: [SatisfactionTrendPoint],
        byTier: [SatisfactionGroup], byStage: [SatisfactionGroup], byChannel: [SatisfactionGroup],
        byDimension: [SatisfactionDimension], closedLoop: ClosedLoopSummary
    ) {
        self.asOf = asOf
        self.policy = policy
        self.period = period
        self.interval = interval
        self.responses = responses
        self.headline = headline
        self.trend = trend
        self.byTier = byTier
        self.byStage = byStage
        self.byChannel = byChannel
        self.byDimension = byDimension
        self.closedLoop = closedLoop
    }
}

/// The part of a response a report keeps.
struct SatisfactionResponse: Sendable {
    var occurredAt: Date
    var position: LogPosition
    var answer: SurveyAnswered

    func isLater(than other: SatisfactionResponse) -> Bool {
        (occurredAt, position) > (other.occurredAt, other.position)
    }
}

/// Accumulates a report from responses in any order: per customer and kind the latest
/// response in the period, and per bucket the latest score; then, from contacts in any
/// order, which detractor follow-ups were closed (the responses must all be in first).
/// Customers are keyed by their population-pass slot.
struct SatisfactionAccumulator: Sendable {
    struct BucketKey: Hashable, Sendable {
        var start: Date
        var kind: SurveyKind
        var customer: Int
    }

    let period: Range<Date>?
    let interval: SatisfactionInterval
    let policy: SatisfactionPolicy
    var latest: [Int: [SurveyKind: SatisfactionResponse]] = [:]
    var buckets: [BucketKey: (occurredAt: Date, position: LogPosition, score: Int)] = [:]
    var responses: [SurveyKind: Int] = [:]
    var loop: ClosedLoopTracker
    /// The bucket start of each UTC day met: buckets are whole UTC days, weeks, months or
    /// quarters, and the calendar arithmetic costs more than the rest of a response.
    private var bucketStarts: [Int: Date] = [:]

    init(period: Range<Date>?, interval: SatisfactionInterval, policy: SatisfactionPolicy) {
        self.period = period
        self.interval = interval
        self.policy = policy
        self.loop = ClosedLoopTracker(policy: policy)
    }

    /// Takes a response, or a contact that can close a detractor's follow-up.
    mutating func consume(_ owner: PopulationOwner, _ record: CustomerEventRecord) {
        switch record.event {
        case .surveyAnswered(let answer): add(answer, record, of: owner)
        case .interactionRecorded, .followUpCompleted: loop.noteContact(record, of: owner)
        default: break
        }
    }

    private mutating func add(_ answer: SurveyAnswered, _ record: CustomerEventRecord, of owner: PopulationOwner) {
        let customer = owner.slot
        if let period, !period.contains(record.occurredAt) { return }
        responses[answer.kind, default: 0] += 1
        let response = SatisfactionResponse(occurredAt: record.occurredAt, position: record.position, answer: answer)
        if latest[customer]?[answer.kind].map({ response.isLater(than: $0) }) ?? true {
            latest[customer, default: [:]][answer.kind] = response
        }
        let key = BucketKey(start: bucketStart(of: record.occurredAt), kind: answer.kind, customer: customer)
        if buckets[key].map({ (record.occurredAt, record.position) > ($0.occurredAt, $0.position) }) ?? true {
            buckets[key] = (record.occurredAt, record.position, answer.score)
        }
        loop.noteResponse(answer, of: owner, record: record)
    }

    private mutating func bucketStart(of date: Date) -> Date {
        let day = ValueTally.dayNumber(date)
        if let start = bucketStarts[day] { return start }
        let start = interval.start(of: date)
        bucketStarts[day] = start
        return start
    }

    func report(asOf: AsOf) -> SatisfactionReport {
        let chosen = latest.values.flatMap(\.values)
        func scores(_ responses: [SatisfactionResponse]) -> [SurveyKind: SatisfactionScore] {
            var byKind: [SurveyKind: [Int]] = [:]
            for response in responses { byKind[response.answer.kind, default: []].append(response.answer.score) }
            return Dictionary(uniqueKeysWithValues: SurveyKind.allCases.map {
                ($0, SatisfactionScore(kind: $0, scores: byKind[$0] ?? [], policy: policy))
            })
        }
        func groups(_ name: (SatisfactionResponse) -> String?, order: [String]) -> [SatisfactionGroup] {
            let grouped = Dictionary(grouping: chosen) { name($0) ?? SatisfactionGroup.unknown }
            let known = order.filter { grouped[$0] != nil }
            let others = grouped.keys.filter { !order.contains($0) && $0 != SatisfactionGroup.unknown }.sorted()
            let unknown = grouped[SatisfactionGroup.unknown] == nil ? [] : [SatisfactionGroup.unknown]
            return (known + others + unknown).map { SatisfactionGroup(name: $0, scores: scores(grouped[$0]!)) }
        }
        var dimensions: [SurveyKind: [String: [Int]]] = [:]
        for response in chosen {
            for (name, rating) in response.answer.dimensions ?? [:] { dimensions[response.answer.kind, default: [:]][name, default: []].append(rating) }
        }
        let byDimension = SurveyKind.allCases.flatMap { kind in
            (dimensions[kind] ?? [:]).sorted { $0.key < $1.key }.map {
                SatisfactionDimension(kind: kind, name: $0.key, score: SatisfactionScore(kind: kind, scores: $0.value, policy: policy))
            }
        }
        return SatisfactionReport(
            asOf: asOf, policy: policy, period: period, interval: interval,
            responses: Dictionary(uniqueKeysWithValues: SurveyKind.allCases.map { ($0, responses[$0] ?? 0) }),
            headline: scores(chosen), trend: trend(),
            byTier: groups({ $0.answer.tierAtResponse?.rawValue }, order: Tier.allCases.reversed().map(\.rawValue)),
            byStage: groups({ $0.answer.stageAtResponse?.rawValue }, order: LifecycleStage.allCases.map(\.rawValue)),
            byChannel: groups({ $0.answer.channel }, order: []),
            byDimension: byDimension, closedLoop: loop.summary(at: asOf.time)
        )
    }

    /// The trend points from the first bucket with a response to the last.
    func trend() -> [SatisfactionTrendPoint] {
        guard let first = buckets.keys.map(\.start).min(), let last = buckets.keys.map(\.start).max() else { return [] }
        var scores: [Date: [SurveyKind: [Int]]] = [:]
        for (key, value) in buckets { scores[key.start, default: [:]][key.kind, default: []].append(value.score) }
        var points: [SatisfactionTrendPoint] = []
        var start = first
        while start <= last {
            let end = interval.end(ofBucketStartingAt: start)
            let bucket = scores[start] ?? [:]
            points.append(SatisfactionTrendPoint(
                start: start, end: end,
                scores: Dictionary(uniqueKeysWithValues: SurveyKind.allCases.map {
                    ($0, SatisfactionScore(kind: $0, scores: bucket[$0] ?? [], policy: policy))
                })
            ))
            start = end
        }
        return points
    }
}

extension Ledger {
    /// Satisfaction over the population: one pass over survey responses and, when any
    /// detractor answered, one over interactions and completed follow-ups.
    /// - Parameters:
    ///   - period: responses whose `occurredAt` falls in it count; `nil` for all.
    ///   - interval: the trend's bucket size (UTC).
    ///   - asOf: the point of view.
    ///   - policy: the scales' thresholds, the small-sample size and the closed loop's due time.
    public func satisfactionReport(
        period: Range<Date>? = nil, interval: SatisfactionInterval = .month, asOf: AsOf = .now(),
        policy: SatisfactionPolicy = .standard
    ) throws(LedgerError) -> SatisfactionReport {
        var pass = PopulationPass(asOf: asOf)
        pass.satisfaction = SatisfactionAccumulator(period: period, interval: interval, policy: policy)
        do {
            try pass.run(on: self)
        } catch {
            throw LedgerError.wrapping(error, while: "Reading survey responses")
        }
        return pass.satisfaction!.report(asOf: asOf)
    }
}
