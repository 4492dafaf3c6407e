public import CustomerLedger
import Foundation

/// The events and the projection that the fault tests and `ledger-worker` share: a
/// process that is killed and the test that checks what it left must agree on both.
public enum FaultWorkload {
    /// Customers the batches are spread over.
    public static let customers = 500

    /// Event `index` of batch `batch`: an id derived from both (so a test can tell which
    /// batches are stored), on one of `customers` customers.
    public static func event(batch: Int, index: Int) throws -> (customer: StreamID, event: ProposedEvent) {
        let number = batch &* 1_000 &+ index
        let customer = try StreamID("F\(number % customers)")
        let channel: Channel = [.phone, .email, .chat, .visit][number % 4]
        let interaction = InteractionRecorded(interactionId: "B\(batch)-\(index)", channel: channel, direction: .inbound)
        let proposed = try ProposedEvent(interaction, occurredAt: Date(timeIntervalSince1970: 1_714_521_600 + Double(number)), id: eventID(batch: batch, index: index))
        return (customer, proposed)
    }

    /// One atomic append of `size` events (several customers' streams).
    public static func batch(_ batch: Int, size: Int) throws -> [StreamAppend] {
        var byCustomer: [(StreamID, [ProposedEvent])] = []
        for index in 0..<size {
            let (customer, event) = try event(batch: batch, index: index)
            if let at = byCustomer.firstIndex(where: { $0.0 == customer }) {
                byCustomer[at].1.append(event)
            } else {
                byCustomer.append((customer, [event]))
            }
        }
        return byCustomer.map { StreamAppend(stream: $0.0, events: $0.1) }
    }

    /// A deterministic id: batch and index in the last bytes of a version-7-shaped UUID.
    public static func eventID(batch: Int, index: Int) -> EventID {
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes[0] = 0x01
        bytes[6] = 0x70
        bytes[8] = 0x80
        withUnsafeBytes(of: UInt32(batch).bigEndian) { bytes.replaceSubrange(9..<13, with: $0) }
        withUnsafeBytes(of: UInt16(index).bigEndian) { bytes.replaceSubrange(13..<15, with: $0) }
        let uuid = bytes.withUnsafeBytes { $0.load(as: uuid_t.self) }
        return EventID(UUID(uuid: uuid))
    }

    /// The index within its batch of an id of ``eventID(batch:index:)``.
    public static func index(of id: EventID) -> Int {
        withUnsafeBytes(of: id.uuid.uuid) { Int(UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: 13, as: UInt16.self))) }
    }

    /// The batch an id of ``eventID(batch:index:)`` belongs to.
    public static func batch(of id: EventID) -> Int {
        withUnsafeBytes(of: id.uuid.uuid) { Int(UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: 9, as: UInt32.self))) }
    }
}

/// Per customer: how many events, the sum and list of their positions. Any event skipped
/// or folded twice changes it.
public struct PositionsFolded: Projection {
    public struct State: Codable, Sendable, Hashable {
        public var count = 0
        public var positionSum: UInt64 = 0
        public var last: UInt64 = 0
    }

    public let name = "fault.positionsFolded"
    public let version: UInt32 = 1

    public init() {}

    public func initialState() -> State { State() }

    public func apply(_ event: ProjectedEvent, to state: inout State) throws {
        let position = event.record.position.rawValue
        guard position > state.last else { throw OutOfOrder(position: position, last: state.last) }
        state.count += 1
        state.positionSum += position
        state.last = position
    }

    struct OutOfOrder: Error { var position: UInt64, last: UInt64 }
}
