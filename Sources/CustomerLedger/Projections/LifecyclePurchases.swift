public import Foundation
public import LedgerCore

/// The purchases and refunds of one customer that count, from a set of events (usually a
/// ``CustomerHistory``'s records): the input of the lifecycle rules and of every
/// spend figure.
///
/// The rules (docs/domain-rules/profile.md, "Purchases"):
/// - each `purchase.completed` is one order and counts, unless an `order.cancelled`
///   with the same order id is among the events: then the order counts for nothing,
///   from the start (its refunds too);
/// - a `refund.issued` reduces net spend at its own `occurredAt`, even when it is
///   larger than the order (net spend can be negative) or names an order the events
///   do not hold.
public struct PurchaseActivity: Sendable, Hashable, Codable {
    /// A purchase that counts.
    public struct Purchase: Sendable, Hashable, Codable {
        /// The order it belongs to.
        public var orderId: String
        /// When it happened.
        public var occurredAt: Date
        /// The amount, in the order's currency.
        public var amount: Money
        /// Where it was bought (`web`, `store`, …), as recorded.
        public var channel: String?
        /// The event's global position.
        public var position: LogPosition
        /// The event's id.
        public var eventID: EventID

        /// A purchase that counts.
        public init(orderId: String, occurredAt: Date, amount: Money, channel: String? = nil, position: LogPosition, eventID: EventID) {
            self.orderId = orderId
            self.occurredAt = occurredAt
            self.amount = amount
            self.channel = channel
            self.position = position
            self.eventID = eventID
        }
    }

    /// A refund that counts.
    public struct Refund: Sendable, Hashable, Codable {
        /// The order it belongs to.
        public var orderId: String
        /// When it happened.
        public var occurredAt: Date
        /// The amount, in the order's currency.
        public var amount: Money
        /// The event's global position.
        public var position: LogPosition
        /// The event's id.
        public var eventID: EventID

        /// A refund that counts.
        public init(orderId: String, occurredAt: Date, amount: Money, position: LogPosition, eventID: EventID) {
            self.orderId = orderId
            self.occurredAt = occurredAt
            self.amount = amount
            self.position = position
            self.eventID = eventID
        }
    }

    /// Purchases that count, by `occurredAt` (ties by position).
    public private(set) var purchases: [Purchase]
    /// Refunds that count, by `occurredAt` (ties by position).
    public private(set) var refunds: [Refund]
    /// Order ids voided by an `order.cancelled`.
    public private(set) var cancelledOrders: Set<String>

    /// The purchases and refunds that count among `records`.
    public init(_ records: some Sequence<CustomerEventRecord>) {
        self.init(records: Array(records))
    }

    /// The same from an array, read in place: only the payloads of purchases, refunds
    /// and cancellations are copied, never a whole record.
    init(records: [CustomerEventRecord]) {
        self.init(purchases: [])
        // Through a buffer: an array's subscript would copy each record (a retain per field).
        records.withUnsafeBufferPointer { buffer in
            for index in buffer.indices { fold(buffer[index]) }
        }
    }

    /// Takes in one event, in any order: a purchase or refund of an order cancelled
    /// earlier or later counts for nothing, and the lists stay in (occurredAt, position)
    /// order. ``PurchaseActivityProjection`` folds with it.
    public mutating func add(_ record: borrowing CustomerEventRecord) {
        fold(record)
    }

    /// ``add(_:)``, inlined into the loops over a history's records: a call copied each
    /// record (a retain per field) to switch over its event.
    @inline(__always)
    private mutating func fold(_ record: borrowing CustomerEventRecord) {
        switch record.event {
        case .purchaseCompleted(let purchase):
            addPurchase(purchase.orderId, purchase.amount, purchase.channel, record.occurredAt, record.position, record.id)
        case .refundIssued(let refund):
            addRefund(refund.orderId, refund.amount, record.occurredAt, record.position, record.id)
        case .orderCancelled(let cancellation):
            cancel(cancellation.orderId)
        default:
            break
        }
    }

    /// The same from the facts a history read took (``HistoryContents``).
    init(events: [HistoryEvent], counts: FactCounts) {
        self.init(purchases: [])
        purchases.reserveCapacity(counts.purchases)
        refunds.reserveCapacity(counts.refunds)
        events.withUnsafeBufferPointer { buffer in
            guard let first = buffer.baseAddress else { return }
            for index in buffer.indices {
                // Through a pointer: the element itself would be copied (a retain per text).
                let event = first + index
                switch event.pointee.fact {
                case let .purchase(orderId, amount, channel):
                    addPurchase(orderId, amount, channel, event.pointee.occurredAt, event.pointee.position, event.pointee.id)
                case let .refund(orderId, amount):
                    addRefund(orderId, amount, event.pointee.occurredAt, event.pointee.position, event.pointee.id)
                case .cancellation(let orderId):
                    cancel(orderId)
                default:
                    break
                }
            }
        }
    }

    // The rules, one per kind of event.

    @inline(__always)
    private mutating func addPurchase(_ orderId: String, _ amount: Money, _ channel: String?, _ occurredAt: Date, _ position: LogPosition, _ id: EventID) {
        guard cancelledOrders.isEmpty || !cancelledOrders.contains(orderId) else { return }
        purchases.insert(Purchase(
            orderId: orderId, occurredAt: occurredAt, amount: amount, channel: channel, position: position, eventID: id
        ), inOrderOf: { ($0.occurredAt, $0.position) })
    }

    @inline(__always)
    private mutating func addRefund(_ orderId: String, _ amount: Money, _ occurredAt: Date, _ position: LogPosition, _ id: EventID) {
        guard cancelledOrders.isEmpty || !cancelledOrders.contains(orderId) else { return }
        refunds.insert(Refund(
            orderId: orderId, occurredAt: occurredAt, amount: amount, position: position, eventID: id
        ), inOrderOf: { ($0.occurredAt, $0.position) })
    }

    private mutating func cancel(_ orderId: String) {
        guard cancelledOrders.insert(orderId).inserted else { return }
        purchases.removeAll { $0.orderId == orderId }
        refunds.removeAll { $0.orderId == orderId }
    }

    /// Activity from purchases and refunds already known to count (any order; they are
    /// sorted here).
    public init(purchases: [Purchase], refunds: [Refund] = [], cancelledOrders: Set<String> = []) {
        self.purchases = Self.inTimeOrder(purchases) { ($0.occurredAt, $0.position) }
        self.refunds = Self.inTimeOrder(refunds) { ($0.occurredAt, $0.position) }
        self.cancelledOrders = cancelledOrders
    }

    /// `items` by (occurredAt, position); a history's are usually in order already.
    private static func inTimeOrder<Item>(_ items: [Item], _ key: (Item) -> (Date, LogPosition)) -> [Item] {
        for index in items.indices.dropFirst() where key(items[index]) < key(items[index - 1]) {
            return items.sorted { key($0) < key($1) }
        }
        return items
    }

    /// The activity up to and including `time`.
    public func through(_ time: Date) -> PurchaseActivity {
        var copy = self
        copy.purchases = purchases.filter { $0.occurredAt <= time }
        copy.refunds = refunds.filter { $0.occurredAt <= time }
        return copy
    }

    /// Purchases minus refunds, per currency (currencies with no activity are absent).
    public var netSpend: [Currency: Money] { totals(purchases: true, refunds: true) }

    /// The refunds, per currency (currencies without a refund are absent).
    var refundTotal: [Currency: Money] { totals(purchases: false, refunds: true) }

    /// Purchases (if asked) minus refunds (if asked), per currency.
    private func totals(purchases countPurchases: Bool, refunds countRefunds: Bool) -> [Currency: Money] {
        var totals = CurrencyTotals()
        if countPurchases {
            for item in purchases.indices { totals.add(purchases[item].amount.minorUnits, purchases[item].amount.currency) }
        }
        if countRefunds {
            let sign: Int64 = countPurchases ? -1 : 1
            for item in refunds.indices { totals.add(sign * refunds[item].amount.minorUnits, refunds[item].amount.currency) }
        }
        return totals.byCurrency
    }
}
