public import Foundation
public import LedgerCore

extension Ledger {
    // MARK: Forgetting

    /// Forgets a customer (domain.md §8): destroys its data key, then records
    /// `customer.forgotten` on its stream. From then on every read, projection and export
    /// shows its personal fields as ``PersonalDataStatus/erased``; its events stay in the
    /// log (the hash chain still verifies), and the non-personal facts (purchases, scores,
    /// dates) still count.
    ///
    /// The keys of every customer merged with it (its survivor and the survivor's merged
    /// customers) are destroyed too: they are the same person. The key goes first, and an
    /// erasure mark takes its place so that no key is ever made for the customer again; a
    /// crash in between leaves the data erased and the event not yet recorded, and calling
    /// `forget` again records it. A repeated `forget` of a recorded erasure returns the
    /// first one's result with `wasAlreadyStored` set.
    ///
    /// ```swift
    /// try await ledger.forget("C20240501001", reason: "GDPR Art. 17 request")
    /// ```
    /// - Parameters:
    ///   - customer: the customer to forget.
    ///   - occurredAt: when the request was made.
    ///   - reason: why, stored in clear for the audit trail: no personal data here.
    ///   - metadata: the event's metadata (who asked, …), stored in clear.
    /// - Throws: `LedgerError.Code.erasureUnavailable` on a ledger created without a master
    ///   key: its personal data is stored in clear, so there is no key to destroy.
    @discardableResult
    public func forget(
        _ customer: StreamID,
        occurredAt: Date = Date(),
        reason: String? = nil,
        metadata: EventMetadata = .empty
    ) async throws(LedgerError) -> AppendResult {
        guard try await personalKeys.decide() == .sealed else {
            throw LedgerError(
                .erasureUnavailable,
                "This ledger was created without a master key, so its personal data is stored in clear and there is no key to destroy: forgetting \(customer) cannot erase it (a customer.forgotten event would only hide the data from reads, while it stays in the data file and its backups). Create ledgers with a master key (Ledger.open(…, masterKey:); ledger: --master-key-file or LEDGER_MASTER_KEY_FILE) so that forgetting erases; to move this one, export it and import the export into a new ledger created with a master key.",
                stream: customer
            )
        }
        var recorded: AppendResult?
        do {
            try readStream(customer) { event in
                if recorded == nil, event.type == CustomerForgotten.eventType {
                    recorded = AppendResult(
                        stream: customer, positions: event.position...event.position, versions: event.version...event.version,
                        wasAlreadyStored: true
                    )
                }
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading customer \(customer)")
        }
        if let recorded {
            // The key may have been recreated by nothing (an erasure mark stays), but make
            // sure the group is erased, as a repeat after a crash expects.
            try await personalKeys.erase(try identityGroup(of: customer), at: Date())
            return recorded
        }
        return try await record(CustomerForgotten(reason: reason), for: customer, occurredAt: occurredAt, metadata: metadata)
    }

    /// The customer, its survivor and the survivor's merged customers, as of now.
    func identityGroup(of customer: StreamID) throws(LedgerError) -> [StreamID] {
        let history = try history(of: customer, asOf: AsOf(time: .distantFuture))
        var group = [customer]
        for member in [history.customer] + history.mergedCustomers where !group.contains(member) { group.append(member) }
        return group
    }

    // MARK: The master key

    /// Rewraps every customer's data key with `newKey` and makes it the ledger's master key;
    /// no event changes. The ledger must be open with its current master key.
    ///
    /// The rotation first stores `newKey`'s check value beside the current one, then
    /// rewraps the data keys in batches of `batchSize`, each batch one transaction, and
    /// last switches the check value. Until that switch either key opens the ledger, so a
    /// crash at any point loses nothing: open with the old key and call this again with the
    /// same new key to finish (a rotation to a different key is refused until then).
    /// Afterwards only `newKey` opens the ledger.
    ///
    /// - Throws: `personalDataLocked` when the ledger was opened without its master key;
    ///   `wrongMasterKey` when another rotation is unfinished; `erasureUnavailable` on a
    ///   ledger created without a master key.
    public func rotateMasterKey(to newKey: MasterKey, batchSize: Int = 1_000) async throws(LedgerError) {
        guard batchSize > 0 else { throw LedgerError(.invalidInput, "The rotation's batch size must be at least 1.") }
        try await personalKeys.rotate(to: newKey, batchSize: batchSize)
    }

    /// Whether and how this ledger protects personal data, with counts of data keys and
    /// forgotten customers (what `ledger stats` shows).
    public func personalDataProtection() throws(LedgerError) -> PersonalDataProtection {
        try personalKeys.protection()
    }

    // MARK: Reading stored events

    /// A recorded event (from ``readLog(from:direction:filter:limit:_:)``,
    /// ``readStream(_:from:direction:limit:_:)``, a subscription) with its typed payload and
    /// its personal fields opened with the customer's data key.
    ///
    /// The raw reads give events as stored, with personal fields sealed; a host type's
    /// sealed JSON comes back here as plain JSON in ``CustomerEvent/other(_:)``.
    public func customerEventRecord(_ recorded: RecordedEvent) throws(LedgerError) -> CustomerEventRecord {
        try CustomerEventRecord(recorded, personal: try personalRead(for: recorded))
    }

    /// A recorded event in its readable form, for export: an event whose personal fields
    /// are sealed comes back as its JSON form (content type JSON) with them opened, or with
    /// each withheld value `null` when they cannot be; any other event as stored.
    public func revealed(_ recorded: RecordedEvent) throws(LedgerError) -> RevealedEvent {
        guard Self.isSealed(recorded) else { return RevealedEvent(event: recorded, personalData: .readable) }
        var personal = try personalRead(for: recorded)
        if recorded.contentType == .sealedJSON {
            let (opened, status) = try SealedJSON.open(recorded, personal: personal.for(recorded.id, recorded.type), withheldAsNull: true)
            return RevealedEvent(event: opened, personalData: status)
        }
        personal.withheldText = Self.withheldMarker
        let (event, status) = try EventCoding.decode(recorded, personal: personal)
        guard let payload = event.payload else { return RevealedEvent(event: recorded, personalData: status) }
        // In the canonical form of `ledger export` (sorted keys, as JSONSerialization sorts).
        let json = try Self.canonicalJSON(try payload.jsonData(), type: recorded.type)
        var revealed = recorded
        revealed.contentType = .json
        revealed.payload = json
        return RevealedEvent(event: revealed, personalData: status)
    }

    /// Stands for a withheld value while a payload is turned into JSON, then becomes
    /// `null`. A noncharacter, so no recorded text is mistaken for it.
    static let withheldMarker = "\u{FFFF}withheld\u{FFFF}"

    /// `json` with keys sorted as JSONSerialization sorts them and every withheld value
    /// `null`.
    private static func canonicalJSON(_ json: Data, type: String) throws(LedgerError) -> Data {
        func walk(_ value: Any) -> Any {
            switch value {
            case let text as String where text == withheldMarker: NSNull()
            case let object as [String: Any]: object.mapValues(walk)
            case let array as [Any]: array.map(walk)
            default: value
            }
        }
        guard let object = try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]),
              let data = try? SealedJSON.serialize(walk(object))
        else { throw LedgerError(.corrupted, "The JSON form of a \(type) event does not read back.") }
        return data
    }

    /// Whether a recorded event holds a sealed personal section.
    static func isSealed(_ recorded: RecordedEvent) -> Bool {
        recorded.contentType == .sealedJSON
            || (recorded.contentType == .ledgerBinary && recorded.payload.first == sealedBinaryLayoutVersion)
    }

    /// How to read the personal section of `recorded`: looked up only when it has one.
    func personalRead(for recorded: RecordedEvent) throws(LedgerError) -> PersonalRead {
        guard Self.isSealed(recorded) else { return .withheld(.locked) }
        return try personalKeys.read(recorded.stream)
    }
}

/// A recorded event in its readable form (``Ledger/revealed(_:)``).
public struct RevealedEvent: Sendable, Hashable {
    /// The event; its payload is JSON when it held sealed personal data.
    public var event: RecordedEvent
    /// Whether its personal fields could be read; when not, each withheld value is `null`
    /// in the JSON.
    public var personalData: PersonalDataStatus
}
