public import CustomerLedger
public import Foundation

/// The input of FuzzBinaryDecoder: one byte that picks the built-in type (its index in
/// ``EventTypeRegistry/builtInTypeNames``, sorted, modulo their count), then the payload in
/// the binary layout of content type 2 (docs/format.md).
///
/// The byte rather than the type's name keeps the fuzzer on payload bytes; the price is that
/// adding a built-in type renumbers the later ones, so the seed corpus is written again then
/// (`swift run FuzzSeeds` in Fuzz/).
public enum BinaryInput {
    public static let typeNames = EventTypeRegistry.builtInTypeNames

    /// The type and payload of one input, or `nil` for an empty one.
    public static func split(_ bytes: UnsafeRawBufferPointer) -> (type: String, payload: Data)? {
        guard let selector = bytes.first else { return nil }
        return (typeNames[Int(selector) % typeNames.count], Data(bytes.dropFirst()))
    }

    /// The input that decodes `payload` as `type`.
    public static func make(type: String, payload: Data) -> Data {
        guard let index = typeNames.firstIndex(of: type) else { preconditionFailure("\(type) is not a built-in type") }
        return Data([UInt8(index)]) + payload
    }
}

/// The input of FuzzImportLine: text split into lines the way `ledger import`'s LineReader
/// splits a file (Sources/ledger/LineReader.swift, which reads a file descriptor and so is not
/// reused here): lines end with `\n`, a `\r` before it is dropped, a UTF-8 byte order mark at
/// the start is dropped, the last line needs no line break, and lines of only spaces and tabs
/// are skipped (as ImportCommand skips them).
public enum ImportInput {
    public static func lines(_ bytes: UnsafeRawBufferPointer) -> [Data] {
        var lines: [Data] = []
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var lineEnd = end
            if lineEnd > start, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let line = bytes[start..<lineEnd]
            if !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                lines.append(Data(line))
            }
            start = end + 1
        }
        return lines
    }
}

/// What a fuzz target does when a check fails: stop with the reason, so that libFuzzer keeps
/// the input in Fuzz/artifacts/ like any other crash.
public func fuzzCheckFailed(_ reason: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("fuzz check failed: \(reason)", file: file, line: line)
}

/// The fixed parts of a recorded event the fuzz targets build around a payload.
public enum FuzzEvent {
    public static let occurredAt = Date(timeIntervalSince1970: 1_714_557_600)
    public static let recordedAt = Date(timeIntervalSince1970: 1_714_557_601)
    public static let id = EventID(uuidString: "0190a5e0-0000-7000-8000-000000000001")!

    /// A recorded event of the built-in `type` with `payload` in the binary layout.
    public static func recorded(type: String, payload: Data, contentType: ContentType = .ledgerBinary) -> RecordedEvent {
        RecordedEvent(
            position: LogPosition(1), stream: "C1", version: StreamVersion(1), id: id, type: type,
            schemaVersion: 1, occurredAt: occurredAt, recordedAt: recordedAt, metadata: .empty,
            contentType: contentType, payload: payload
        )
    }
}

/// Findings that lie outside the fuzz package (reported, not fixed here). The fuzz targets
/// step around them by default, so that one known finding does not stop every later run;
/// `FUZZ_SKIP_KNOWN=0` turns the skips off to reproduce them (see Fuzz/README.md).
public enum KnownIssues {
    public static let skip = ProcessInfo.processInfo.environment["FUZZ_SKIP_KNOWN"] != "0"

    /// Every `Date` inside a value (its stored properties, optionals, arrays and dictionaries).
    public static func dates(in value: Any) -> [Date] {
        if let date = value as? Date { return [date] }
        var dates: [Date] = []
        for child in Mirror(reflecting: value).children {
            dates += Self.dates(in: child.value)
        }
        return dates
    }

    /// Whether `date` is beyond ±2^63 microseconds from 1970 (about ±292,000 years), where
    /// `Date.microsecondsSince1970` (LedgerCore/Timestamps.swift) traps on the conversion to
    /// Int64: the binary layout stores any Int64 of microseconds, so a payload holding
    /// Int64.max decodes, and its JSON form (export, `events`) then traps.
    public static func trapsAsMicroseconds(_ date: Date) -> Bool {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        return !(micros > -9.223_372_036_854_775_808e18 && micros < 9.223_372_036_854_775_808e18)
    }

    /// Whether `date` is outside the years 0001–9999, whose JSON form (`-4712-01-01T…`,
    /// `+10000-…`) the importer's time parser (EventCoding.date(fromJSONText:)) refuses:
    /// such an event exports to a line that does not import.
    public static func outsideFourDigitYears(_ date: Date) -> Bool {
        let seconds = date.timeIntervalSince1970
        return !(seconds >= -62_135_596_800 && seconds < 253_402_300_800)
    }
}
