import CustomerLedger
import Foundation
import Testing

@testable import ledger
@testable import LedgerJSONLines

/// The line codec on its own: times, payload canonical form, encode → decode.
@Suite struct CodecTests {
    @Test(arguments: [
        ("2024-05-01T10:00:00Z", 1_714_557_600_000_000),
        ("2024-05-01T12:00:00+02:00", 1_714_557_600_000_000),
        ("2024-05-01T05:30:00-04:30", 1_714_557_600_000_000),
        ("2024-05-01T10:00:00.5Z", 1_714_557_600_500_000),
        ("2024-05-01T10:00:00.123456Z", 1_714_557_600_123_456),
        ("2024-05-01T10:00:00.1234565Z", 1_714_557_600_123_457),
        ("2024-05-01T10:00:00.999999999Z", 1_714_557_601_000_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999999Z", -1),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000_000),
    ] as [(String, Int64)])
    func readsTimes(text: String, microseconds: Int64) throws {
        #expect(try Timestamp.microseconds(text) == microseconds)
    }

    @Test(arguments: [
        ("2024-05-01T10:00:00", "has no time zone"),
        ("2024-05-01 10:00:00Z", "has a space between date and time"),
        ("2024-05-01", "has no time of day"),
        ("2024-05-01T10:00Z", "where it expected ':' and seconds"),
        ("2024-05-01T24:00:00Z", "has hour 24"),
        ("2024-05-01T23:59:60Z", "leap seconds are not supported"),
        ("2023-02-29T10:00:00Z", "has day 29, but that month has 28 days"),
        ("2024-00-01T10:00:00Z", "has month 0"),
        ("2024-05-01T10:00:00+0200", "a zone offset like +02:00 (with a colon)"),
        ("2024-05-01T10:00:00z", "where a time zone (Z or an offset like +02:00) belongs"),
        ("2024-05-01t10:00:00Z", "where it expected 'T'"),
        ("24-05-01T10:00:00Z", "a four-digit year"),
        ("2024-05-01T10:00:00.Z", "no fractional digits"),
        ("2024-05-01T10:00:00Z ", "extra characters"),
        ("", "ends early"),
    ])
    func refusesOtherTimes(text: String, reason: String) {
        #expect {
            try Timestamp.parse(text)
        } throws: { error in
            (error as? Timestamp.Problem)?.reason.contains(reason) == true
        }
    }

    @Test(arguments: [0, 1, -1, 1_714_557_600_123_456, -14_182_939_500_000, 4_102_444_799_999_999] as [Int64])
    func writesTimesThatReadBackExactly(microseconds: Int64) throws {
        let date = Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
        let text = Timestamp.format(date)
        #expect(text.count == 27)
        #expect(try Timestamp.microseconds(text) == microseconds)
    }

    @Test func writesUTCWithSixDigits() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_714_557_600.25)) == "2024-05-01T10:00:00.250000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_714_557_600.25), fractionDigits: false) == "2024-05-01T10:00:00Z")
    }

    /// What the canonical form does to numbers: the table in docs/jsonl-format.md.
    @Test(arguments: [
        (#"{"amount":"12.30"}"#, #"{"amount":"12.30"}"#),
        ("12.30", "12.3"),
        ("1.0", "1"),
        ("1e3", "1000"),
        ("1E+2", "100"),
        ("1.5e300", "1.5e+300"),
        ("2.5e-7", "2.5e-07"),
        ("0.1", "0.1"),
        ("0.30000000000000004", "0.30000000000000004"),
        ("9007199254740993", "9007199254740993"),
        ("10000000000000000001", "10000000000000000001"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("18446744073709551616", "18446744073709551616"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("1234567890123456789012345678901234567890123", "1234567890123456789012345678901234567890000"),
        ("-0.0", "-0"),
        ("-0", "0"),
        ("-1e-400", "-0"),
        (#"{ "b" : [true, false, null], "a10": 1, "a9": 2, "B": 3, "\/": "\u00e9" }"#, #"{"\/":"é","a9":2,"a10":1,"b":[true,false,null],"B":3}"#.replacingOccurrences(of: #"\/"#, with: "/")),
    ])
    func canonicalPayloads(input: String, stored: String) throws {
        let bytes = try JSONPayload.canonical(text: Data(input.utf8))
        #expect(String(decoding: bytes, as: UTF8.self) == stored)
    }

    @Test func refusesNumbersBeyondDouble() {
        #expect(throws: JSONPayload.Problem.self) { try JSONPayload.canonical(text: Data("1e400".utf8)) }
    }

    @Test func canonicalIsStableExceptNegativeZero() throws {
        #expect(JSONPayload.isCanonical(Data(#"{"a":[1.5,"x/y"],"b":{"c":null}}"#.utf8)))
        #expect(!JSONPayload.isCanonical(Data(#"{"b":1,"a":2}"#.utf8)))
        #expect(!JSONPayload.isCanonical(Data(#"{"a": 2}"#.utf8)))
        #expect(!JSONPayload.isCanonical(Data(#"{"a":12.30}"#.utf8)))
        #expect(!JSONPayload.isCanonical(Data("-0".utf8)))
        #expect(!JSONPayload.isCanonical(Data("not json".utf8)))
    }

    @Test func encodedLinesDecodeToTheSameEvent() throws {
        let recorded = RecordedEvent(
            position: 7, stream: "C1", version: 3, id: EventID(uuidString: fixedID(1))!, type: "shop.purchase",
            schemaVersion: 2, occurredAt: Date(timeIntervalSince1970: 1_714_557_600.123456),
            recordedAt: Date(timeIntervalSince1970: 1_714_557_601), metadata: EventMetadata(correlationID: "r", custom: ["tenant": "eu\n"]),
            contentType: .json, payload: Data(#"{"amount":"12.30"}"#.utf8)
        )
        for event in [recorded, modified(recorded) { $0.contentType = .binary }, modified(recorded) { $0.contentType = ContentType(rawValue: 9) }] {
            let line = try JSONLines.encode(event)
            let decoded = try JSONLines.decode(Data(line), maximumPayloadSize: 1 << 20)
            #expect(decoded.customer == event.stream)
            #expect(decoded.event.id == event.id)
            #expect(decoded.event.type == event.type)
            #expect(decoded.event.schemaVersion == event.schemaVersion)
            #expect(decoded.event.occurredAt == event.occurredAt)
            #expect(decoded.event.recordedAt == event.recordedAt)
            #expect(decoded.event.metadata == event.metadata)
            #expect(decoded.event.contentType == event.contentType)
            #expect(decoded.event.payload == event.payload)
        }
    }

    /// A time beyond what 64 bits of microseconds hold (which no append stores, but a
    /// `RecordedEvent` built by a host may have) is written as the nearest they hold.
    @Test func aTimeBeyond64BitsOfMicrosecondsIsWrittenNotATrap() throws {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1e20)) == "294247-01-10T04:00:54.775807Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1e20)) == "-290308-12-21T19:59:05.224192Z")
        let event = RecordedEvent(
            position: 1, stream: "C1", version: 1, id: EventID(uuidString: fixedID(1))!, type: "x.y", schemaVersion: 1,
            occurredAt: Date(timeIntervalSince1970: 1e20), recordedAt: Date(timeIntervalSince1970: 0), metadata: .empty,
            contentType: .json, payload: Data("{}".utf8)
        )
        #expect(String(decoding: try JSONLines.encode(event), as: UTF8.self).contains(#""occurredAt":"294247-01-10T04:00:54.775807Z""#))
    }

    @Test func reservedCustomMetadataKeysCannotBeExported() {
        let event = RecordedEvent(
            position: 1, stream: "C1", version: 1, id: EventID(), type: "x.y", schemaVersion: 1, occurredAt: Date(),
            recordedAt: Date(), metadata: EventMetadata(custom: ["actor": "shadow"]), contentType: .json, payload: Data("{}".utf8)
        )
        #expect(throws: LineProblem.self) { try JSONLines.encode(event) }
    }

    @Test func readsLinesWithAnyBreaksAndAByteOrderMark() async throws {
        try await withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("lines")
            let long = String(repeating: "x", count: 200_000)
            try Data([0xEF, 0xBB, 0xBF] + Array("one\r\ntwo\n\n\(long)\nlast".utf8)).write(to: url)
            let reader = try LineReader(path: url.path)
            var lines: [(Int, String)] = []
            while let line = try reader.nextLine() { lines.append((line.number, String(decoding: line.text, as: UTF8.self))) }
            #expect(lines.map(\.0) == [1, 2, 3, 4, 5])
            #expect(lines.map(\.1) == ["one", "two", "", long, "last"])
        }
    }

    private func modified(_ event: RecordedEvent, _ change: (inout RecordedEvent) -> Void) -> RecordedEvent {
        var event = event
        change(&event)
        return event
    }
}
