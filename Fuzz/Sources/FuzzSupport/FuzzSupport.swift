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
