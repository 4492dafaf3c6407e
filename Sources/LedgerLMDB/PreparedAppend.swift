import Foundation
import LedgerCore

/// One stream's part of an append, checked and encoded by the calling task before it
/// reaches the writer, so the writer only looks things up, patches and puts. A class,
/// so that the writer passes it around without copying its arrays.
/// A whole atomic append, checked and encoded.
struct PreparedRequest: Sendable {
    let appends: [PreparedAppend]
    /// Whether some stream has more than one part, so the writer must track the versions
    /// the earlier parts will leave.
    let streamsRepeat: Bool
}

final class PreparedAppend: Sendable {
    let stream: StreamID
    let expectedVersion: ExpectedVersion
    let ids: [EventID]
    let typeNames: [String]
    /// The recordedAt each event gives, or `nil` when none gives one (the usual case).
    let recordedAt: [Int64?]?
    /// Every event's record, one after the other.
    private let recordBytes: [UInt8]
    /// Where each record ends in ``recordBytes``.
    private let recordEnds: [Int]

    var count: Int { ids.count }

    /// Checks one `StreamAppend` and encodes its events.
    init(_ append: StreamAppend, maximumEventSize: Int) throws(LedgerError) {
        let stream = append.stream
        guard !append.events.isEmpty else {
            throw LedgerError(.invalidEvent, "The append to stream \(stream) has no events: give at least one.", stream: stream)
        }
        var totalSize = 0
        let events = append.events
        for index in events.indices {
            if let problem = Self.typeNameProblem(events[index].type) {
                throw LedgerError(.invalidEvent, "Event \(index) for stream \(stream) has type \(events[index].type.debugDescription), which \(problem).", stream: stream)
            }
            if !events[index].occurredAt.isStorable {
                throw LedgerError(
                    .invalidEvent,
                    "Event \(index) for stream \(stream) has occurredAt \(events[index].occurredAt.timeIntervalSince1970) s since 1970, outside the years 1–9999 the ledger stores. Nothing was written.",
                    stream: stream
                )
            }
            if let problem = EventRecord.sizeProblem(events[index], maximumEventSize: maximumEventSize) {
                throw LedgerError(.eventTooLarge, "Event \(index) for stream \(stream) \(problem). Nothing was written.", stream: stream)
            }
            totalSize += EventRecord.headerSize + events[index].payload.count + 64
        }
        self.stream = stream
        self.expectedVersion = append.expectedVersion
        self.ids = append.events.map(\.id)
        self.typeNames = append.events.map(\.type)
        self.recordedAt = append.events.contains { $0.recordedAt != nil }
            ? append.events.map { $0.recordedAt?.microsecondsSince1970 }
            : nil
        var bytes: [UInt8] = []
        bytes.reserveCapacity(totalSize)
        var ends: [Int] = []
        ends.reserveCapacity(append.events.count)
        for event in append.events {
            EventRecord.encode(event, stream: stream, into: &bytes)
            ends.append(bytes.count)
        }
        self.recordBytes = bytes
        self.recordEnds = ends
    }

    /// Calls `body` with the encoded record of event `index`.
    func withRecord<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = index == 0 ? 0 : recordEnds[index - 1]
        return try recordBytes.withUnsafeBytes { bytes in
            try body(UnsafeRawBufferPointer(rebasing: bytes[start..<recordEnds[index]]))
        }
    }

    /// Checks a whole atomic append: at least one stream, each part valid.
    static func prepare(_ appends: [StreamAppend], maximumEventSize: Int) throws(LedgerError) -> PreparedRequest {
        guard !appends.isEmpty else {
            throw LedgerError(.invalidEvent, "The append names no stream: give at least one.")
        }
        var prepared: [PreparedAppend] = []
        prepared.reserveCapacity(appends.count)
        for append in appends {
            prepared.append(try PreparedAppend(append, maximumEventSize: maximumEventSize))
        }
        if let duplicate = duplicateID(in: prepared) {
            throw LedgerError(.duplicateEventID, "Event id \(duplicate) appears twice in one append. Nothing was written.")
        }
        var streamsRepeat = false
        if prepared.count > 1 {
            var streams = Set<StreamID>(minimumCapacity: prepared.count)
            streamsRepeat = prepared.contains { !streams.insert($0.stream).inserted }
        }
        return PreparedRequest(appends: prepared, streamsRepeat: streamsRepeat)
    }

    /// An id that appears twice, or `nil`. New ids increase, so a strictly increasing run
    /// needs no set.
    private static func duplicateID(in prepared: [PreparedAppend]) -> EventID? {
        var previous: EventID?
        var increasing = true
        for part in prepared {
            for id in part.ids {
                if let previous, !(previous < id) {
                    increasing = false
                    break
                }
                previous = id
            }
            if !increasing { break }
        }
        if increasing { return nil }
        var seen = Set<EventID>()
        for part in prepared {
            for id in part.ids where !seen.insert(id).inserted { return id }
        }
        return nil
    }

    /// The longest event type name, in UTF-8 bytes.
    static let maximumTypeNameLength = 255

    static func typeNameProblem(_ name: String) -> String? {
        let length = name.utf8.count
        if length == 0 { return "is empty" }
        if length > maximumTypeNameLength { return "is longer than \(maximumTypeNameLength) bytes" }
        if hasControlCharacter(name, orSpace: true) {
            return "contains a space or a control character"
        }
        return nil
    }
}
