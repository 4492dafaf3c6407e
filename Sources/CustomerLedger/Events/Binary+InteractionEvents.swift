import Foundation
import LedgerCore

// Binary layouts of the interaction events (docs/format.md, "Built-in event payloads").

extension Channel: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .phone: 0
        case .email: 1
        case .sms: 2
        case .chat: 3
        case .social: 4
        case .visit: 5
        case .meeting: 6
        case .event: 7
        case .other: 8
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .phone
        case 1: self = .email
        case 2: self = .sms
        case 3: self = .chat
        case 4: self = .social
        case 5: self = .visit
        case 6: self = .meeting
        case 7: self = .event
        case 8: self = .other
        default: return nil
        }
    }
}

extension Direction: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .inbound: 0
        case .outbound: 1
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .inbound
        case 1: self = .outbound
        default: return nil
        }
    }
}

extension InteractionRecorded: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(subject != nil, notes != nil, agent != nil, outcome != nil, nextAction != nil)
        writer.string(interactionId)
        writer.code(channel)
        writer.code(direction)
        if let subject { writer.personal(subject) }
        if let notes { writer.personal(notes) }
        if let agent { writer.string(agent) }
        if let outcome { writer.personal(outcome) }
        if let nextAction {
            writer.personal(nextAction.description)
            writer.date(nextAction.dueAt)
        }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 5)
        self.init(
            interactionId: try reader.string("interactionId"),
            channel: try reader.code("channel"),
            direction: try reader.code("direction"),
            subject: present[0] ? try reader.personal("subject") : nil,
            notes: present[1] ? try reader.personal("notes") : nil,
            agent: present[2] ? try reader.string("agent") : nil,
            outcome: present[3] ? try reader.personal("outcome") : nil,
            nextAction: present[4]
                ? NextAction(description: try reader.personal("nextAction.description"), dueAt: try reader.date("nextAction.dueAt"))
                : nil
        )
    }
}

extension InteractionRecorded {
    /// What the profile reads, from the layout `init(binary:)` reads and with the same
    /// checks, without building the texts it does not need.
    static func fact(binary reader: inout BinaryReader) throws(LedgerError) -> EventFact {
        let present = try reader.presence(fieldCount: 5)
        let interactionId = try reader.string("interactionId")
        let channel: Channel = try reader.code("channel")
        let direction: Direction = try reader.code("direction")
        if present[0] { try reader.skipPersonal("subject") }
        if present[1] { try reader.skipPersonal("notes") }
        if present[2] { try reader.skipString("agent") }
        if present[3] { try reader.skipPersonal("outcome") }
        if present[4] {
            try reader.skipPersonal("nextAction.description")
            _ = try reader.date("nextAction.dueAt")
        }
        return .interaction(id: interactionId, channel: channel, direction: direction, opensFollowUp: present[4])
    }
}

extension FollowUpCompleted: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(outcome != nil, notes != nil)
        writer.string(interactionId)
        if let outcome { writer.personal(outcome) }
        if let notes { writer.personal(notes) }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 2)
        self.init(
            interactionId: try reader.string("interactionId"),
            outcome: present[0] ? try reader.personal("outcome") : nil,
            notes: present[1] ? try reader.personal("notes") : nil
        )
    }
}

extension FollowUpCompleted {
    /// What the profile reads, with the checks of `init(binary:)`.
    static func fact(binary reader: inout BinaryReader) throws(LedgerError) -> EventFact {
        let present = try reader.presence(fieldCount: 2)
        let interactionId = try reader.string("interactionId")
        if present[0] { try reader.skipPersonal("outcome") }
        if present[1] { try reader.skipPersonal("notes") }
        return .followUpCompleted(interactionId: interactionId)
    }
}
