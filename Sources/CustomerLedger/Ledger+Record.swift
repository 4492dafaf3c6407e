public import Foundation
public import LedgerCore

extension Ledger {
    /// Records one typed event on a customer's stream.
    ///
    /// ```swift
    /// try await ledger.record(
    ///     PurchaseCompleted(orderId: "O-17", amount: try Money("12.30", .usd)),
    ///     for: "C20240501001",
    ///     occurredAt: Date()
    /// )
    /// ```
    /// A `survey.answered` response gets the customer's tier and lifecycle stage at
    /// `occurredAt` snapshotted into it (``snapshot(_:of:at:)``), unless it carries them.
    ///
    /// - Throws: `LedgerError.Code.invalidEvent` when the event fails its
    ///   checks (a score off its scale, an empty order id, …); nothing is written.
    @discardableResult
    public func record(
        _ event: some CustomerEventPayload,
        for customer: StreamID,
        occurredAt: Date,
        id: EventID = EventID(),
        metadata: EventMetadata = .empty,
        expecting expectedVersion: ExpectedVersion = .any
    ) async throws(LedgerError) -> AppendResult {
        let proposed: ProposedEvent
        if let response = event as? SurveyAnswered {
            proposed = try ProposedEvent(try snapshot(response, of: customer, at: occurredAt), occurredAt: occurredAt, id: id, metadata: metadata)
        } else {
            proposed = try ProposedEvent(event, occurredAt: occurredAt, id: id, metadata: metadata)
        }
        return try await append([proposed], to: customer, expecting: expectedVersion)
    }

    /// A survey response with the customer's tier and lifecycle stage at `time` filled in
    /// where the caller left them out (domain.md §2: the response snapshots both, so
    /// breakdowns use what was true when the customer answered).
    public func snapshot(_ response: SurveyAnswered, of customer: StreamID, at time: Date) throws(LedgerError) -> SurveyAnswered {
        guard response.tierAtResponse == nil || response.stageAtResponse == nil else { return response }
        let history = try history(of: customer, asOf: AsOf(time: time))
        var response = response
        if response.tierAtResponse == nil {
            response.tierAtResponse = TierRules.evaluate(history: history, policy: policies.tier).tier
        }
        if response.stageAtResponse == nil {
            response.stageAtResponse = LifecycleRules.evaluate(history: history, policy: policies.lifecycle).stage
        }
        return response
    }

    /// Merges customers into a survivor: one atomic append of `customers.merged` to the
    /// survivor's stream and to each merged customer's stream.
    @discardableResult
    public func merge(
        _ merged: [StreamID],
        into survivor: StreamID,
        occurredAt: Date,
        metadata: EventMetadata = .empty
    ) async throws(LedgerError) -> [AppendResult] {
        let event = CustomersMerged(survivor: survivor, merged: merged)
        return try await append(identityEvent(event, streams: [survivor] + merged, occurredAt: occurredAt, metadata: metadata))
    }

    /// Undoes a merge: one atomic append of `customers.unmerged` to the survivor's stream
    /// and to each restored customer's stream.
    @discardableResult
    public func unmerge(
        _ restored: [StreamID],
        from survivor: StreamID,
        occurredAt: Date,
        metadata: EventMetadata = .empty
    ) async throws(LedgerError) -> [AppendResult] {
        let event = CustomersUnmerged(survivor: survivor, restored: restored)
        return try await append(identityEvent(event, streams: [survivor] + restored, occurredAt: occurredAt, metadata: metadata))
    }

    private func identityEvent(
        _ event: some CustomerEventPayload,
        streams: [StreamID],
        occurredAt: Date,
        metadata: EventMetadata
    ) throws(LedgerError) -> [StreamAppend] {
        var appends: [StreamAppend] = []
        for stream in streams {
            appends.append(StreamAppend(stream: stream, events: [try ProposedEvent(event, occurredAt: occurredAt, metadata: metadata)]))
        }
        return appends
    }

    /// A customer's own stream as typed events, oldest first (merged customers' streams
    /// are not included; see ``CustomerHistory``), personal fields opened with the
    /// customer's data key.
    public func customerEvents(of customer: StreamID) throws(LedgerError) -> [CustomerEventRecord] {
        var records: [CustomerEventRecord] = []
        do {
            var personal: PersonalRead?
            try readStream(customer) { recorded in
                if Self.isSealed(recorded), personal == nil { personal = try personalKeys.read(customer) }
                records.append(try CustomerEventRecord(recorded, personal: Self.isSealed(recorded) ? personal! : .withheld(.locked)))
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading customer \(customer)")
        }
        return records
    }
}
