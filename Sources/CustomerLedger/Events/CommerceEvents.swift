public import LedgerCore

/// One line of an order.
public struct OrderLine: Codable, Sendable, Hashable {
    public var sku: String
    public var quantity: Int
    public var amount: Money

    public init(sku: String, quantity: Int, amount: Money) {
        self.sku = sku
        self.quantity = quantity
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey { case sku, quantity, amount, currency }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sku = try container.decode(String.self, forKey: .sku)
        quantity = try container.decode(Int.self, forKey: .quantity)
        amount = try container.decodeMoney(amount: .amount, currency: .currency)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sku, forKey: .sku)
        try container.encode(quantity, forKey: .quantity)
        try container.encodeMoney(amount, amount: .amount, currency: .currency)
    }
}

/// `purchase.completed`: an order paid for.
public struct PurchaseCompleted: CustomerEventPayload {
    public static let eventType = "purchase.completed"
    public var orderId: String
    public var amount: Money
    /// Where it was bought: `web`, `store`, `sales`, … (free text).
    public var channel: String?
    public var lines: [OrderLine]

    public init(orderId: String, amount: Money, channel: String? = nil, lines: [OrderLine] = []) {
        self.orderId = orderId
        self.amount = amount
        self.channel = channel
        self.lines = lines
    }

    enum CodingKeys: String, CodingKey { case orderId, amount, currency, channel, lines }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        orderId = try container.decode(String.self, forKey: .orderId)
        amount = try container.decodeMoney(amount: .amount, currency: .currency)
        channel = try container.decodeIfPresent(String.self, forKey: .channel)
        lines = try container.decodeIfPresent([OrderLine].self, forKey: .lines) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orderId, forKey: .orderId)
        try container.encodeMoney(amount, amount: .amount, currency: .currency)
        try container.encodeIfPresent(channel, forKey: .channel)
        if !lines.isEmpty { try container.encode(lines, forKey: .lines) }
    }

    public func validate() throws(LedgerError) {
        try requireText(orderId, Self.eventType, "orderId")
        guard amount.minorUnits >= 0 else { throw invalidField(Self.eventType, "amount", "is negative: record a refund instead") }
        for line in lines where line.amount.currency != amount.currency {
            throw invalidField(Self.eventType, "lines", "mix currencies (\(line.amount.currency) in a \(amount.currency) order)")
        }
    }
}

/// `refund.issued`: money returned for an order (it may exceed what the order cost).
public struct RefundIssued: CustomerEventPayload {
    public static let eventType = "refund.issued"
    public var orderId: String
    public var amount: Money
    public var reason: String?

    public init(orderId: String, amount: Money, reason: String? = nil) {
        self.orderId = orderId
        self.amount = amount
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case orderId, amount, currency, reason }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        orderId = try container.decode(String.self, forKey: .orderId)
        amount = try container.decodeMoney(amount: .amount, currency: .currency)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orderId, forKey: .orderId)
        try container.encodeMoney(amount, amount: .amount, currency: .currency)
        try container.encodeIfPresent(reason, forKey: .reason)
    }

    public func validate() throws(LedgerError) {
        try requireText(orderId, Self.eventType, "orderId")
        guard amount.minorUnits > 0 else { throw invalidField(Self.eventType, "amount", "must be more than zero") }
    }
}

/// `order.cancelled`: an order is void. A cancelled purchase does not count as a
/// purchase (frequency, spend, lifecycle); see docs/domain-rules.md.
public struct OrderCancelled: CustomerEventPayload {
    public static let eventType = "order.cancelled"
    public var orderId: String
    public var reason: String?

    public init(orderId: String, reason: String? = nil) {
        self.orderId = orderId
        self.reason = reason
    }

    public func validate() throws(LedgerError) { try requireText(orderId, Self.eventType, "orderId") }
}
