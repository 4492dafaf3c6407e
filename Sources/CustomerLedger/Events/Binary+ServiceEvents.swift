import LedgerCore

// Binary layouts of the service events (docs/format.md, "Built-in event payloads").

extension ComplaintSeverity: BinaryEnum {
    var binaryCode: UInt8 {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }

    init?(binaryCode: UInt8) {
        switch binaryCode {
        case 0: self = .low
        case 1: self = .medium
        case 2: self = .high
        case 3: self = .critical
        default: return nil
        }
    }
}

extension ComplaintOpened: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.presence(description != nil)
        writer.string(complaintId)
        writer.string(category)
        writer.code(severity)
        if let description { writer.personal(description) }
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        let present = try reader.presence(fieldCount: 1)
        self.init(
            complaintId: try reader.string("complaintId"),
            category: try reader.string("category"),
            severity: try reader.code("severity"),
            description: present[0] ? try reader.personal("description") : nil
        )
    }
}

extension ComplaintResolved: BinaryPayload {
    func encode(to writer: inout BinaryWriter) {
        writer.string(complaintId)
        writer.personal(resolution)
    }

    init(binary reader: inout BinaryReader) throws(LedgerError) {
        self.init(complaintId: try reader.string("complaintId"), resolution: try reader.personal("resolution"))
    }
}
