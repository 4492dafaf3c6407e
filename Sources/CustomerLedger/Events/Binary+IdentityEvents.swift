import LedgerCore

// Binary layouts of the identity events (docs/format.md, "Built-in event payloads").

extension CustomersMerged: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.string(survivor.rawValue)
        writer.streams(merged)
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(survivor: try reader.stream("survivor"), merged: try reader.streams("merged"))
    }
}

extension CustomersUnmerged: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.string(survivor.rawValue)
        writer.streams(restored)
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(survivor: try reader.stream("survivor"), restored: try reader.streams("restored"))
    }
}
