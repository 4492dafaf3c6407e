public import Foundation
public import LedgerCore

/// The fold behind ``CustomerLifecycle``, as a ``Projection`` like any host's. The stage
/// depends on the time it is read at, so the state keeps the facts and
/// ``CustomerLifecycle/init(state:customer:asOf:policy:)`` evaluates the rules at any
/// instant, without a scheduler.
///
/// ```swift
/// let state = try ledger.project(LifecycleProjection(), for: "C20240501001")
/// let stage = CustomerLifecycle(state: state, customer: "C20240501001")?.stage
/// ```
public struct LifecycleProjection: Projection {
    public let name = "ledger.lifecycle"
    public let version: UInt32 = 1

    public init() {}

    public func initialState() -> LifecycleState { LifecycleState() }

    public func apply(_ event: ProjectedEvent, to state: inout LifecycleState) {
        state.add(event.record)
    }
}

/// What the lifecycle rules read about one customer, folded one event at a time in any
/// order: the earliest event (the customer is a prospect from then) and the purchases and
/// refunds that count.
public struct LifecycleState: Sendable, Hashable, Codable {
    /// The customer's earliest event: the cause of its first stage.
    public struct FirstEvent: Sendable, Hashable, Codable {
        /// When it happened.
        public var occurredAt: Date
        /// Its position in the log.
        public var position: LogPosition
        /// Its id.
        public var id: EventID
        /// Its type's wire name.
        public var type: String

        /// The first event as a record holds it.
        init(_ record: borrowing CustomerEventRecord) {
            self.init(occurredAt: record.occurredAt, position: record.position, id: record.id, type: record.recordedType)
        }

        init(occurredAt: Date, position: LogPosition, id: EventID, type: String) {
            self.occurredAt = occurredAt
            self.position = position
            self.id = id
            self.type = type
        }
    }

    /// The earliest event (by `occurredAt`, ties by position); `nil` before any.
    public private(set) var firstEvent: FirstEvent?
    /// The purchases and refunds that count.
    public private(set) var purchases: PurchaseActivity

    /// The state before any event.
    public init() {
        purchases = PurchaseActivity(purchases: [])
    }

    init(firstEvent: FirstEvent?, purchases: PurchaseActivity) {
        self.firstEvent = firstEvent
        self.purchases = purchases
    }

    /// Takes in one event of the customer (or of a customer merged into it), in any order.
    public mutating func add(_ record: borrowing CustomerEventRecord) {
        if firstEvent.map({ (record.occurredAt, record.position) < ($0.occurredAt, $0.position) }) ?? true {
            firstEvent = FirstEvent(record)
        }
        purchases.add(record)
    }
}
