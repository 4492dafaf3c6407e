import ArgumentParser
import CustomerLedger
import Foundation
import LedgerJSONLines

/// `ledger timeline ID`: every event of a customer, newest first, with its channel mix,
/// last contact per channel and follow-ups.
struct TimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Show a customer's events newest first, with the channel mix, the last contact per channel and the follow-ups.",
        discussion: "Kinds: \(CustomerEventKind.allCases.map(\.rawValue).joined(separator: ", ")). Channels: \(Channel.allCases.map(\.rawValue).joined(separator: ", "))."
    )

    @OptionGroup var view: ViewOptions

    @Argument(help: ArgumentHelp("The customer.", valueName: "id"))
    var customer: String

    @Option(name: .customLong("kind"), help: ArgumentHelp("Only events of this kind (repeat for several).", valueName: "kind"))
    var kinds: [String] = []

    @Option(name: .customLong("channel"), help: ArgumentHelp("Only events on this channel (repeat for several).", valueName: "channel"))
    var channels: [String] = []

    @Option(help: ArgumentHelp("Show at most this many events.", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative.") }
    }

    mutating func run() async throws {
        let filter = TimelineFilter(kinds: try Self.parse(kinds, "--kind", CustomerEventKind.self), channels: try Self.parse(channels, "--channel", Channel.self))
        let ledger = try view.openLedger()
        defer { ledger.close() }
        let asOf = try view.asOf()
        let id = try view.customer(customer, in: ledger)
        guard var timeline = try ledger.timeline(of: id, asOf: asOf, filter: filter),
              let interactions = try ledger.interactions(of: id, asOf: asOf)
        else { throw view.unknownAsOf(id, asOf) }
        let total = timeline.entries.count
        if let limit { timeline.entries = Array(timeline.entries.prefix(limit)) }
        let output = OutputWriter.standardOutput()
        if view.json {
            try output.document(try Self.json(timeline, interactions: interactions, total: total))
        } else {
            try Self.printTimeline(timeline, interactions: interactions, total: total, to: output)
        }
        try output.finish()
    }

    static func parse<Value: RawRepresentable & CaseIterable>(_ texts: [String], _ option: String, _: Value.Type) throws(CommandFailure) -> Set<Value>? where Value.RawValue == String {
        guard !texts.isEmpty else { return nil }
        var values: Set<Value> = []
        for text in texts {
            guard let value = Value(rawValue: text.lowercased()) else {
                throw CommandFailure("\(option) \(text.debugDescription) is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            values.insert(value)
        }
        return values
    }

    static func printTimeline(_ timeline: CustomerTimeline, interactions: CustomerInteractions, total: Int, to output: OutputWriter) throws(CommandFailure) {
        let shown = timeline.entries.count == total ? "\(total) events" : "\(timeline.entries.count) of \(total) events"
        try output.line("Timeline of \(timeline.customer) as of \(Show.date(timeline.asOf.time))\(ViewOptions.describe(timeline.asOf.knownAt)), newest first (\(shown))\(timeline.personalDataErased ? "; personal data erased" : ""):")
        try output.line()
        let table = TextTable([.left("OCCURRED AT"), .right("POSITION"), .left("KIND"), .left("TYPE"), .left("SUMMARY")], output: output)
        for record in timeline.entries {
            try table.add([Show.date(record.occurredAt), String(record.position.rawValue), record.event.kind.rawValue, record.event.typeName, EventSummary.text(record.event)])
        }
        try table.finish()

        let mix = interactions.channelMix
        try output.line()
        try output.line("Channels (\(mix.total) interactions: \(mix.byDirection[.inbound] ?? 0) inbound, \(mix.byDirection[.outbound] ?? 0) outbound):")
        let channels = TextTable([.left("CHANNEL"), .right("INTERACTIONS"), .right("SHARE"), .left("LAST CONTACT")], output: output)
        for channel in Channel.allCases where (mix.byChannel[channel] ?? 0) > 0 {
            try channels.add([channel.rawValue, String(mix.byChannel[channel] ?? 0), Show.percent(100 * mix.share(of: channel)), Show.date(interactions.lastContact[channel])])
        }
        try channels.finish()

        let open = interactions.openFollowUps
        let overdue = interactions.overdueFollowUps.count
        try output.line()
        try output.line("Follow-ups: \(interactions.followUps.count), \(open.count) open, \(overdue) overdue.")
        if !open.isEmpty {
            let table = TextTable([.left("INTERACTION"), .left("ACTION"), .left("DUE"), .left("STATE")], output: output)
            for followUp in open.sorted(by: { $0.dueAt < $1.dueAt }) {
                try table.add([followUp.interactionId, followUp.action.revealed ?? (followUp.action.isLocked ? "(locked)" : "(erased)"), Show.date(followUp.dueAt), followUp.isOverdue(at: interactions.asOf.time) ? "overdue" : "open"])
            }
            try table.finish()
        }
    }

    static func json(_ timeline: CustomerTimeline, interactions: CustomerInteractions, total: Int) throws -> JSONValue {
        let mix = interactions.channelMix
        return .object([
            ("customer", .string(timeline.customer.rawValue)),
            ("asOf", .asOf(timeline.asOf)),
            ("personalDataErased", .bool(timeline.personalDataErased)),
            ("total", .integer(total)),
            ("events", .array(try timeline.entries.map(EventSummary.json))),
            ("channelMix", .object([
                ("total", .integer(mix.total)),
                ("byChannel", .object(Channel.allCases.map { ($0.rawValue, .integer(mix.byChannel[$0] ?? 0)) })),
                ("byDirection", .object(Direction.allCases.map { ($0.rawValue, .integer(mix.byDirection[$0] ?? 0)) })),
            ])),
            ("lastContact", .object(Channel.allCases.compactMap { channel in interactions.lastContact[channel].map { (channel.rawValue, .date($0)) } })),
            ("followUps", .array(interactions.followUps.map(followUp(at: interactions.asOf.time)))),
        ])
    }

    static func followUp(at time: Date) -> (FollowUp) -> JSONValue {
        { followUp in
            .object([
                ("interactionId", .string(followUp.interactionId)),
                ("customer", .string(followUp.customer.rawValue)),
                ("action", .optional(followUp.action.revealed)),
                ("channel", .string(followUp.channel.rawValue)),
                ("openedAt", .date(followUp.openedAt)),
                ("dueAt", .date(followUp.dueAt)),
                ("completedAt", .date(followUp.completedAt)),
                ("outcome", .optional(followUp.outcome)),
                ("overdue", .bool(followUp.isOverdue(at: time))),
            ])
        }
    }
}

/// One line about a typed event, and the event as JSON, for timelines.
enum EventSummary {
    static func text(_ event: CustomerEvent) -> String {
        switch event {
        case .registered(let e): "\(e.traits.kind?.rawValue ?? "customer") \(e.traits.name ?? "")" + (e.owner.map { ", owner \($0)" } ?? "")
        case .updated(let e): "updated " + fields(e.traits).joined(separator: ", ")
        case .contactAdded(let e): "\(e.contact.kind.rawValue) \(e.contact.value)"
        case .contactRemoved(let e): "\(e.kind.rawValue) \(e.value) removed"
        case .ownerAssigned(let e): "owner \(e.owner)"
        case .tagged(let e): "+\(e.tag)"
        case .untagged(let e): "-\(e.tag)"
        case .consentChanged(let e): "\(e.channel) \(e.status.rawValue) (\(e.lawfulBasis.rawValue))"
        case .merged(let e): "\(e.merged.map(\.rawValue).joined(separator: ", ")) merged into \(e.survivor)"
        case .unmerged(let e): "\(e.restored.map(\.rawValue).joined(separator: ", ")) separated from \(e.survivor)"
        case .forgotten: "forgotten"
        case .interactionRecorded(let e):
            "\(e.channel.rawValue) \(e.direction.rawValue)" + (e.subject.map { ": \($0)" } ?? "") + (e.outcome.map { " → \($0)" } ?? "")
                + (e.nextAction.map { "; next: \($0.description) by \(Show.date($0.dueAt))" } ?? "")
        case .followUpCompleted(let e): "follow-up of \(e.interactionId) done" + (e.outcome.map { ": \($0)" } ?? "")
        case .purchaseCompleted(let e): "\(e.orderId) \(e.amount)" + (e.channel.map { " (\($0))" } ?? "")
        case .refundIssued(let e): "\(e.orderId) −\(e.amount)" + (e.reason.map { " (\($0))" } ?? "")
        case .orderCancelled(let e): "\(e.orderId) cancelled" + (e.reason.map { " (\($0))" } ?? "")
        case .complaintOpened(let e): "\(e.complaintId) \(e.severity.rawValue) \(e.category)"
        case .complaintResolved(let e): "\(e.complaintId) resolved: \(e.resolution)"
        case .surveyAnswered(let e): "\(e.kind.rawValue.uppercased()) \(e.score)" + (e.comment.map { " “\($0)”" } ?? "")
        case .other(let recorded): "(\(recorded.contentType), \(recorded.payload.count) bytes)"
        }
    }

    static func fields(_ traits: CustomerTraits) -> [String] {
        var names: [String] = []
        if traits.kind != nil { names.append("kind") }
        if traits.name != nil { names.append("name") }
        if traits.industry != nil { names.append("industry") }
        if traits.contactPerson != nil { names.append("contact person") }
        if traits.address != nil { names.append("address") }
        if traits.city != nil { names.append("city") }
        if traits.country != nil { names.append("country") }
        if traits.firstContact != nil { names.append("first contact") }
        if traits.contractValue != nil { names.append("contract value") }
        if let dates = traits.dates { names += dates.keys.sorted() }
        return names
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    static func json(_ record: CustomerEventRecord) throws -> JSONValue {
        let data: JSONValue
        if let payload = record.event.payload {
            data = .raw(Array(try encoder.encode(payload)))
        } else if case .other(let recorded) = record.event, recorded.contentType == .json {
            data = .raw(Array(recorded.payload))
        } else {
            data = .null
        }
        return .object([
            ("position", .integer(record.position.rawValue)),
            ("customer", .string(record.customer.rawValue)),
            ("version", .integer(record.version.rawValue)),
            ("id", .string(record.id.description)),
            ("occurredAt", .date(record.occurredAt)),
            ("recordedAt", .date(record.recordedAt)),
            ("type", .string(record.event.typeName)),
            ("kind", .string(record.event.kind.rawValue)),
            ("data", data),
        ])
    }
}

extension CustomerEvent {
    /// The wire name of the event's type.
    var typeName: String {
        if let payload { return type(of: payload).eventType }
        if case .other(let recorded) = self { return recorded.type }
        return "?"
    }
}
