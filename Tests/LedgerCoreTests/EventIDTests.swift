import Foundation
@testable import LedgerCore
import Testing

@Suite struct EventIDTests {
    @Test func newIDsAreVersion7AndIncrease() {
        let ids = (0..<10_000).map { _ in EventID() }
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
        for id in ids.prefix(10) {
            #expect(id.uuid.uuid.6 >> 4 == 7, "version nibble")
            #expect(id.uuid.uuid.8 >> 6 == 0b10, "RFC 9562 variant")
        }
    }

    @Test func carriesTheCurrentTimeInItsFirst48Bits() {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let id = EventID()
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        let bytes = withUnsafeBytes(of: id.uuid.uuid) { Array($0) }
        let millis = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(millis >= before && millis <= after + 1)
    }

    @Test func roundTripsThroughText() throws {
        let id = EventID()
        #expect(EventID(uuidString: id.description) == id)
        #expect(EventID(uuidString: "not a uuid") == nil)
    }
}

@Suite struct TimestampTextTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"),
        (1_714_557_600_123_456, "2024-05-01T10:00:00.123456Z"),
        (1_714_557_600_000_001, "2024-05-01T10:00:00.000001Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
    ])
    func formatsMicroseconds(_ value: Int64, _ text: String) {
        #expect(iso8601Microseconds(value) == text)
    }
}
