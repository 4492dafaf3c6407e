import Foundation
import LedgerCore

/// Where an event stands in a customer's history, for the states that keep the newest
/// change: the newest `occurredAt` wins, ties going to the higher position (and, within
/// one event, to the later item).
struct EventStamp: Sendable, Hashable, Codable, Comparable {
    var occurredAt: Date
    var position: LogPosition
    var item: Int = 0

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.occurredAt, lhs.position, lhs.item) < (rhs.occurredAt, rhs.position, rhs.item)
    }
}
