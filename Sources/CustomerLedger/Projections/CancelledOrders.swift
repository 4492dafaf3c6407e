import Foundation

/// The cancelled orders of every customer in a point of view, by owner (after merges):
/// read first, in a pre-pass over `order.cancelled` events alone, so the pass over
/// purchases can leave cancelled orders out whatever order the log holds them in (a
/// cancellation can come after its purchase). Memory grows with the number of
/// cancellations only. The tier review and the KPIs share it.
struct CancelledOrders: Sendable {
    private var orders: [StreamID: Set<String>] = [:]

    init() {}

    /// The cancellations in `asOf`'s view.
    init(ledger: Ledger, asOf: AsOf) throws(LedgerError) {
        var orders: [StreamID: Set<String>] = [:]
        do {
            try ledger.forEachCustomerEvent(asOf: asOf, filter: .only([OrderCancelled.eventType])) { owner, record in
                if case .orderCancelled(let cancellation) = record.event { orders[owner, default: []].insert(cancellation.orderId) }
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading cancelled orders")
        }
        self.orders = orders
    }

    /// Whether `owner`'s order `orderId` is cancelled.
    func isCancelled(_ orderId: String, of owner: StreamID) -> Bool {
        orders[owner]?.contains(orderId) ?? false
    }
}
