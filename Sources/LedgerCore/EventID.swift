public import Foundation
import Synchronization

/// The unique id of an event.
///
/// New ids are UUID version 7 (RFC 9562): they start with the time in milliseconds and
/// grow within a process, so the id index stays append-mostly. Callers that need
/// idempotent retries give their own id; any UUID is accepted.
public struct EventID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The id as a UUID.
    public let uuid: UUID

    /// Wraps an existing UUID.
    public init(_ uuid: UUID) { self.uuid = uuid }

    /// Parses the canonical text form (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`).
    public init?(uuidString: String) {
        guard let uuid = UUID(uuidString: uuidString) else { return nil }
        self.uuid = uuid
    }

    /// A new time-ordered UUIDv7.
    public init() {
        self.uuid = UUIDv7Generator.shared.next()
    }

    public var description: String { uuid.uuidString.lowercased() }

    /// Byte order, which for UUIDv7 is time order.
    public static func < (lhs: EventID, rhs: EventID) -> Bool {
        lhs.orderKey < rhs.orderKey
    }

    /// The 16 bytes as two big-endian halves, which compare like the bytes.
    private var orderKey: (UInt64, UInt64) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            (UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
             UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let uuid = UUID(uuidString: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\(text.debugDescription) is not a UUID")
            )
        }
        self.uuid = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Makes UUIDv7 values that strictly increase within the process: the 12 bits after
/// the version hold a counter that restarts each millisecond (RFC 9562, method 1).
final class UUIDv7Generator: Sendable {
    static let shared = UUIDv7Generator()

    private struct State {
        var milliseconds: UInt64 = 0
        var counter: UInt16 = 0
    }

    private let state = Mutex(State())

    func next() -> UUID {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let (milliseconds, counter) = state.withLock { state -> (UInt64, UInt16) in
            if now > state.milliseconds {
                state.milliseconds = now
                state.counter = UInt16.random(in: 0..<0x400)  // leave room to count up
            } else if state.counter < 0xFFF {
                state.counter += 1
            } else {
                state.milliseconds += 1  // borrow from the next millisecond
                state.counter = 0
            }
            return (state.milliseconds, state.counter)
        }
        var random = SystemRandomNumberGenerator()
        let tail = random.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: tail >> 58)
        for index in 9..<16 { bytes[index] = UInt8(truncatingIfNeeded: tail >> (8 * UInt64(15 - index))) }
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }
}
