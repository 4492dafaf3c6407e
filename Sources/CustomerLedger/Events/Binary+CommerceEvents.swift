import LedgerCore

// Binary layouts of the commerce events (docs/format.md, "Built-in event payloads").

extension OrderLine {
    func encode(to writer: inout BinaryWriter) {
        writer.string(sku)
        writer.int(quantity)
        writer.money(amount)
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(sku: try reader.string("lines.sku"), quantity: try reader.int("lines.quantity"), amount: try reader.money("lines.amount"))
    }
}

extension PurchaseCompleted: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(channel != nil)
        writer.string(orderId)
        writer.money(amount)
        if let channel { writer.string(channel) }
        writer.count(lines.count)
        for line in lines { line.encode(to: &writer) }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 1)
        let orderId = try reader.string("orderId")
        let amount = try reader.money("amount")
        let channel = present[0] ? try reader.string("channel") : nil
        let lineCount = try reader.count("lines", minimumSize: 5)
        var lines: [OrderLine] = []
        if lineCount > 0 {
            lines.reserveCapacity(lineCount)
            for _ in 0..<lineCount { lines.append(try OrderLine(binary: &reader)) }
        }
        self.init(orderId: orderId, amount: amount, channel: channel, lines: lines)
    }
}

extension RefundIssued: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(reason != nil)
        writer.string(orderId)
        writer.money(amount)
        if let reason { writer.personal(reason) }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 1)
        self.init(
            orderId: try reader.string("orderId"),
            amount: try reader.money("amount"),
            reason: present[0] ? try reader.personal("reason") : nil
        )
    }
}

extension OrderCancelled: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(reason != nil)
        writer.string(orderId)
        if let reason { writer.personal(reason) }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 1)
        self.init(orderId: try reader.string("orderId"), reason: present[0] ? try reader.personal("reason") : nil)
    }
}

extension PurchaseCompleted {
    /// What the purchase rules read, with the checks of `init(binary:)`; the order lines
    /// are checked, not built.
    static func fact(binary reader: inout BinaryReader) throws(LedgerError) -> EventFact {
        let present = try reader.presence(fieldCount: 1)
        let orderId = try reader.string("orderId")
        let amount = try reader.money("amount")
        let channel = present[0] ? try reader.string("channel") : nil
        let lineCount = try reader.count("lines", minimumSize: 5)
        for _ in 0..<lineCount {
            try reader.skipString("lines.sku")
            _ = try reader.int("lines.quantity")
            _ = try reader.money("lines.amount")
        }
        return .purchase(orderId: orderId, amount: amount, channel: channel)
    }
}

extension RefundIssued {
    /// What the purchase rules read, with the checks of `init(binary:)`.
    static func fact(binary reader: inout BinaryReader) throws(LedgerError) -> EventFact {
        let present = try reader.presence(fieldCount: 1)
        let orderId = try reader.string("orderId")
        let amount = try reader.money("amount")
        if present[0] { try reader.skipPersonal("reason") }
        return .refund(orderId: orderId, amount: amount)
    }
}
