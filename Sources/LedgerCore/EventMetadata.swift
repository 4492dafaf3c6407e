/// Who and what caused an event, carried beside its payload.
///
/// All fields are optional. `custom` holds the host's own key-values (a tenant, a
/// request id); the ledger stores them as they are.
public struct EventMetadata: Hashable, Sendable, Codable {
    /// Groups the events of one business operation (often a request id).
    public var correlationID: String?
    /// The event or command that caused this one.
    public var causationID: String?
    /// Who made the change: a user, an agent, a system.
    public var actor: String?
    /// The host's own key-values.
    public var custom: [String: String]

    public init(
        correlationID: String? = nil,
        causationID: String? = nil,
        actor: String? = nil,
        custom: [String: String] = [:]
    ) {
        self.correlationID = correlationID
        self.causationID = causationID
        self.actor = actor
        self.custom = custom
    }

    /// No metadata at all.
    public static let empty = EventMetadata()

    /// Whether every field is empty.
    public var isEmpty: Bool {
        correlationID == nil && causationID == nil && actor == nil && custom.isEmpty
    }
}

/// How an event's payload bytes are encoded, so readers and exporters can tell JSON
/// from a compact binary layout.
public struct ContentType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Bytes the ledger does not interpret.
    public static let binary = ContentType(rawValue: 0)
    /// UTF-8 JSON.
    public static let json = ContentType(rawValue: 1)
    /// The customer ledger's compact binary layout of a built-in event payload
    /// (docs/format.md, "Built-in event payloads (content type 2)").
    public static let ledgerBinary = ContentType(rawValue: 2)

    public var description: String {
        switch self {
        case .binary: "binary"
        case .json: "json"
        case .ledgerBinary: "ledger binary"
        default: "content type \(rawValue)"
        }
    }
}
