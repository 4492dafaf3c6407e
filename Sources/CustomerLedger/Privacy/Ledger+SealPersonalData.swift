import Foundation
import LedgerCore

extension Ledger {
    /// One event of an append whose personal fields are to be sealed.
    private struct Candidate {
        var append: Int
        var event: Int
        /// The other fields and the personal values of a built-in event.
        var parts: (main: [UInt8], personal: [UInt8])?
        /// The split JSON of a host event.
        var json: (names: [String], personal: Data, rest: Data)?
    }

    /// The appends as the ledger stores them (docs/privacy.md): on a ledger created with a
    /// master key, personal values sealed with their customer's data key, and the keys of
    /// customers that get a `customer.forgotten` destroyed first. On any other ledger, the
    /// appends unchanged.
    func sealingPersonalData(_ appends: [StreamAppend]) async throws(LedgerError) -> [StreamAppend] {
        // A ledger is decided at its first append, whatever it holds: with a master key it
        // stores the key's check value then, so that it is known as encrypted from its
        // first event on.
        var mode = personalKeys.mode
        if mode == .undecided { mode = try await personalKeys.decide() }
        guard mode == .sealed else { return appends }
        // Which events concern the personal-data layer; most appends hold none.
        var forgotten: [StreamID] = []
        var candidates: [(append: Int, event: Int)] = []
        for (appendIndex, append) in appends.enumerated() {
            for (eventIndex, event) in append.events.enumerated() {
                if event.type == CustomerForgotten.eventType {
                    if !forgotten.contains(append.stream) { forgotten.append(append.stream) }
                } else if let entry = EventCoding.builtIn[event.type] {
                    guard entry.hasPersonalFields, event.schemaVersion == entry.schemaVersion else { continue }
                    if event.contentType == .json || (event.contentType == .ledgerBinary && event.payload.first == binaryLayoutVersion) {
                        candidates.append((appendIndex, eventIndex))
                    }
                } else if event.contentType == .json, HostPersonalFields.fields(of: event.type) != nil {
                    candidates.append((appendIndex, eventIndex))
                }
            }
        }
        guard !candidates.isEmpty || !forgotten.isEmpty else { return appends }

        // Set each candidate's personal values apart; those without any stay as they are.
        var work: [Candidate] = []
        var streams: Set<StreamID> = []
        for (appendIndex, eventIndex) in candidates {
            let event = appends[appendIndex].events[eventIndex]
            var candidate = Candidate(append: appendIndex, event: eventIndex)
            if let entry = EventCoding.builtIn[event.type] {
                let typed: CustomerEvent
                do throws(LedgerError) {
                    typed = try EventCoding.decode(
                        type: event.type, schemaVersion: event.schemaVersion, contentType: event.contentType, payload: event.payload, as: entry
                    )
                } catch {
                    throw LedgerError(.invalidEvent, "The \(event.type) event \(event.id) for \(appends[appendIndex].stream) does not decode: \(error.message)", stream: appends[appendIndex].stream)
                }
                guard let parts = entry.parts(typed), !parts.personal.isEmpty else { continue }
                candidate.parts = parts
            } else {
                guard let split = SealedJSON.split(event.payload, fields: HostPersonalFields.fields(of: event.type) ?? []) else { continue }
                candidate.json = split
            }
            work.append(candidate)
            streams.insert(appends[appendIndex].stream)
        }

        // Personal data after a customer.forgotten of the same append is refused.
        for candidate in work {
            let append = appends[candidate.append]
            if append.events[..<candidate.event].contains(where: { $0.type == CustomerForgotten.eventType }) {
                throw LedgerError(
                    .personalDataErased,
                    "Customer \(append.stream) is forgotten earlier in this append, so its \(append.events[candidate.event].type) cannot carry personal data.",
                    stream: append.stream
                )
            }
        }

        // The data keys (made for new customers), before any key is destroyed: events
        // before a customer.forgotten in the same append are sealed with the key it destroys.
        let keys = streams.isEmpty ? [:] : try await personalKeys.sealingKeys(for: streams) { stream in
            work.first { appends[$0.append].stream == stream }.map { appends[$0.append].events[$0.event].type } ?? "the event"
        }
        var sealed = appends
        for candidate in work {
            let stream = appends[candidate.append].stream
            let event = appends[candidate.append].events[candidate.event]
            guard let key = keys[stream] else { continue }
            let aad = PersonalSectionAAD.bytes(id: event.id, type: event.type)
            if let parts = candidate.parts {
                let section = try key.seal(parts.personal, aad: aad)
                var writer = BinaryWriter()
                writer.byte(sealedBinaryLayoutVersion)
                writer.count(section.count)
                var payload = writer.bytes
                payload.reserveCapacity(payload.count + section.count + parts.main.count)
                payload.append(contentsOf: section)
                payload.append(contentsOf: parts.main)
                sealed[candidate.append].events[candidate.event].contentType = .ledgerBinary
                sealed[candidate.append].events[candidate.event].payload = Data(payload)
            } else if let json = candidate.json {
                let section = try key.seal(Array(json.personal), aad: aad)
                sealed[candidate.append].events[candidate.event].contentType = .sealedJSON
                sealed[candidate.append].events[candidate.event].payload = SealedJSON.payload(names: json.names, sealed: section, rest: json.rest)
            }
        }

        // Destroy the keys of the forgotten, committed before the event is appended.
        if !forgotten.isEmpty {
            var group: [StreamID] = []
            for customer in forgotten {
                for member in try identityGroup(of: customer) where !group.contains(member) { group.append(member) }
            }
            try await personalKeys.erase(group, at: Date())
        }
        return sealed
    }
}
