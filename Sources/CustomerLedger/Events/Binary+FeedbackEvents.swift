import LedgerCore

// Binary layouts of the feedback events (docs/format.md, "Built-in event payloads").

extension SurveyKind: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .nps: 0
        case .csat: 1
        case .ces: 2
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .nps
        case 1: self = .csat
        case 2: self = .ces
        default: return nil
        }
    }
}

extension Tier: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .potential: 0
        case .ordinary: 1
        case .key: 2
        case .core: 3
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .potential
        case 1: self = .ordinary
        case 2: self = .key
        case 3: self = .core
        default: return nil
        }
    }
}

extension LifecycleStage: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .prospect: 0
        case .new: 1
        case .growth: 2
        case .mature: 3
        case .declining: 4
        case .churned: 5
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .prospect
        case 1: self = .new
        case 2: self = .growth
        case 3: self = .mature
        case 4: self = .declining
        case 5: self = .churned
        default: return nil
        }
    }
}

extension SurveyAnswered: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(dimensions != nil, comment != nil, channel != nil, tierAtResponse != nil, stageAtResponse != nil)
        writer.string(surveyId)
        writer.code(kind)
        writer.int(score)
        if let dimensions { writer.dictionary(dimensions) { $0.int($1) } }
        if let comment { writer.personal(comment) }
        if let channel { writer.string(channel) }
        if let tierAtResponse { writer.code(tierAtResponse) }
        if let stageAtResponse { writer.code(stageAtResponse) }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 5)
        self.init(
            surveyId: try reader.string("surveyId"),
            kind: try reader.code("kind"),
            score: try reader.int("score"),
            dimensions: present[0] ? try reader.dictionary("dimensions") { reader throws(LedgerError) in try reader.int("dimensions") } : nil,
            comment: present[1] ? try reader.personal("comment") : nil,
            channel: present[2] ? try reader.string("channel") : nil,
            tierAtResponse: present[3] ? try reader.code("tierAtResponse") : nil,
            stageAtResponse: present[4] ? try reader.code("stageAtResponse") : nil
        )
    }
}

extension SurveyAnswered {
    /// Checks a payload as `init(binary:)` does, building none of its texts: the profile and
    /// the lifecycle read nothing of an answer.
    static func fact(binary reader: inout BinaryReader) throws(LedgerError) -> EventFact {
        let present = try reader.presence(fieldCount: 5)
        try reader.skipString("surveyId")
        _ = try reader.code("kind", as: SurveyKind.self)
        _ = try reader.int("score")
        if present[0] { _ = try reader.dictionary("dimensions") { reader throws(LedgerError) in try reader.int("dimensions") } }
        if present[1] { try reader.skipPersonal("comment") }
        if present[2] { try reader.skipString("channel") }
        if present[3] { _ = try reader.code("tierAtResponse", as: Tier.self) }
        if present[4] { _ = try reader.code("stageAtResponse", as: LifecycleStage.self) }
        return .unused
    }
}
