import Foundation
import LedgerCore
import Synchronization

// A history read keeps, per event, only what the profile and the lifecycle read (a
// `HistoryEvent`) and the payload's bytes; the full records are decoded the first time
// someone asks for `CustomerHistory.records`. Decoding 50 whole records (every text of
// every interaction, metadata, one large enum each) was most of a one-customer lookup.

/// What the built-in profile and lifecycle read of one event, besides its stamp.
enum EventFact: Sendable, Equatable {
    /// An interaction: the profile keeps the latest and counts the follow-ups it opens.
    case interaction(id: String, channel: Channel, direction: Direction, opensFollowUp: Bool)
    case followUpCompleted(interactionId: String)
    case purchase(orderId: String, amount: Money, channel: String?)
    case refund(orderId: String, amount: Money)
    case cancellation(orderId: String)
    case complaintOpened(complaintId: String)
    case complaintResolved(complaintId: String)
    /// An event the profile reads in full (traits, contacts, tags, consent, identity,
    /// forgetting): its record, decoded during the read, is `eager[index]` of its source.
    case decoded(index: Int)
    /// Nothing the profile or lifecycle read (a survey answer, a host's own event).
    case unused
}

/// One event of a history as the read left it: its stamp and fact, and where its full
/// record comes from.
struct HistoryEvent: Sendable {
    var occurredAt: Date
    var position: LogPosition
    var id: EventID
    var fact: EventFact
    /// The index of the event's stream in the history's sources.
    var source: Int
    /// Its type number, its index in the source's `kinds`.
    var kind: Int
    /// Where the full record is.
    var record: RecordSource
    // Last: a one-byte field before `fact` left it at an odd offset, and copying it then
    // stalled on every append.
    var personalData: PersonalDataStatus

    enum RecordSource: Sendable {
        /// `eager[index]` of the source.
        case eager(index: Int)
        /// A clear binary payload without metadata, at `bytes[start..<end]` of the source.
        case payload(start: Int, end: Int, version: StreamVersion, recordedAt: Date)
    }

    /// Order of events in a history: by `occurredAt`, then by position.
    static func happenedBefore(_ lhs: HistoryEvent, _ rhs: HistoryEvent) -> Bool {
        (lhs.occurredAt, lhs.position) < (rhs.occurredAt, rhs.position)
    }
}

/// How many facts of each kind the views keep lists of, counted as the read keeps them,
/// so that each list is allocated once without another pass over the events.
struct FactCounts: Sendable {
    var purchases = 0
    var refunds = 0
    var followUpsOpened = 0
    var followUpsCompleted = 0

    init() {}

    init(_ events: [HistoryEvent]) {
        for index in events.indices { count(events[index].fact) }
    }

    @inline(__always)
    mutating func count(_ fact: borrowing EventFact) {
        switch fact {
        case .purchase: purchases += 1
        case .refund: refunds += 1
        case .interaction(_, _, _, true): followUpsOpened += 1
        case .followUpCompleted: followUpsCompleted += 1
        default: break
        }
    }
}

/// What one stream read copied out of the map for the records of its events.
struct HistorySource: Sendable {
    struct Kind: Sendable {
        var type: String
        var entry: BuiltInEventType?
    }

    var customer: StreamID
    /// By type number (the ledger's ``HistoryKinds``, as the read knew them).
    var kinds: [Kind?] = []
    /// Payloads decoded lazily, one after the other.
    var bytes: [UInt8] = []
    /// Records decoded during the read.
    var eager: [CustomerEventRecord] = []

    /// The full record of `event`, which this source read.
    func record(of event: HistoryEvent) -> CustomerEventRecord {
        switch event.record {
        case .eager(let index):
            return eager[index]
        case let .payload(start, end, version, recordedAt):
            let entry = kinds[event.kind]!.entry!
            let decoded: CustomerEvent = bytes.withUnsafeBytes { raw in
                do throws(LedgerError) {
                    return try entry.decodeBinaryBytes(UnsafeRawBufferPointer(rebasing: raw[start..<end]), .withheld(.locked)).0
                } catch {
                    // The read decoded these very bytes with the same decoder and kept only
                    // those that decoded.
                    preconditionFailure("a payload that decoded during the read no longer does: \(error.message)")
                }
            }
            return CustomerEventRecord(
                customer: customer, position: event.position, version: version, id: event.id,
                occurredAt: event.occurredAt, recordedAt: recordedAt, metadata: .empty, event: decoded,
                personalData: event.personalData
            )
        }
    }
}

/// A history's events: read from a ledger (facts now, records on first use), or given as
/// records. Shared by copies of the history; its value is its records.
final class HistoryContents: Sendable, Hashable {
    /// The events in history order, when read from a ledger; empty when given as records.
    let events: [HistoryEvent]
    let sources: [HistorySource]
    /// The facts among `events`, by kind.
    let counts: FactCounts
    private let decoded: Mutex<[CustomerEventRecord]?>
    private let activity = Mutex<PurchaseActivity?>(nil)

    init(events: [HistoryEvent], sources: [HistorySource], counts: FactCounts) {
        self.events = events
        self.sources = sources
        self.counts = counts
        decoded = Mutex(events.isEmpty ? [] : nil)
    }

    init(records: [CustomerEventRecord]) {
        events = []
        sources = []
        counts = FactCounts()
        decoded = Mutex(records)
    }

    /// Whether the views can fold `events` rather than the records.
    var hasFacts: Bool { !events.isEmpty }

    var isEmpty: Bool { events.isEmpty && records.isEmpty }

    /// The records, decoded once.
    var records: [CustomerEventRecord] {
        if let known = decoded.withLock({ $0 }) { return known }
        var records: [CustomerEventRecord] = []
        records.reserveCapacity(events.count)
        for event in events { records.append(sources[event.source].record(of: event)) }
        decoded.withLock { $0 = records }
        return records
    }

    /// The purchases and refunds that count, folded once.
    var purchaseActivity: PurchaseActivity {
        if let known = activity.withLock({ $0 }) { return known }
        let folded = hasFacts ? PurchaseActivity(events: events, counts: counts) : PurchaseActivity(records: records)
        activity.withLock { $0 = folded }
        return folded
    }

    /// The wire name of `event`'s type.
    func type(of event: HistoryEvent) -> String { sources[event.source].kinds[event.kind]!.type }

    static func == (lhs: HistoryContents, rhs: HistoryContents) -> Bool { lhs === rhs || lhs.records == rhs.records }
    func hash(into hasher: inout Hasher) { hasher.combine(records) }
}

extension EventFact {
    /// The fact of a record decoded in full (`index`: where its source keeps it).
    init(_ event: borrowing CustomerEvent, index: Int) {
        switch event {
        case .interactionRecorded(let interaction):
            self = .interaction(
                id: interaction.interactionId, channel: interaction.channel, direction: interaction.direction,
                opensFollowUp: interaction.nextAction != nil
            )
        case .followUpCompleted(let completion): self = .followUpCompleted(interactionId: completion.interactionId)
        case .purchaseCompleted(let purchase): self = .purchase(orderId: purchase.orderId, amount: purchase.amount, channel: purchase.channel)
        case .refundIssued(let refund): self = .refund(orderId: refund.orderId, amount: refund.amount)
        case .orderCancelled(let cancellation): self = .cancellation(orderId: cancellation.orderId)
        case .complaintOpened(let complaint): self = .complaintOpened(complaintId: complaint.complaintId)
        case .complaintResolved(let resolution): self = .complaintResolved(complaintId: resolution.complaintId)
        case .surveyAnswered, .other: self = .unused
        default: self = .decoded(index: index)
        }
    }
}
