import CustomerLedger
import Foundation
import LedgerJSONLines

/// A JSON value with keys in the order they were given, for the one document each domain
/// view prints with `--json`. Money is an exact decimal string with its currency, times
/// are ISO 8601 in UTC with microseconds, and a number that is not finite becomes `null`.
indirect enum JSONValue {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// Bytes that already are one JSON value, embedded as they are.
    case raw([UInt8])

    static func integer(_ value: some BinaryInteger) -> JSONValue { .int(Int64(value)) }

    static func date(_ date: Date?) -> JSONValue {
        date.map { .string(Timestamp.format($0)) } ?? .null
    }

    static func money(_ money: Money?) -> JSONValue {
        guard let money else { return .null }
        return .object([("amount", .string(money.amountText)), ("currency", .string(money.currency.code))])
    }

    static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
    static func optional(_ value: Int?) -> JSONValue { value.map { JSONValue.int(Int64($0)) } ?? .null }

    /// The value as compact JSON text.
    var text: String {
        var bytes: [UInt8] = []
        write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func write(to bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): bytes.append(contentsOf: String(value).utf8)
        case .double(let value):
            guard value.isFinite else {
                bytes.append(contentsOf: "null".utf8)
                return
            }
            if value == value.rounded(), abs(value) < 1e15 {
                bytes.append(contentsOf: String(Int64(value)).utf8)
            } else {
                bytes.append(contentsOf: String(value).utf8)
            }
        case .string(let value): JSONObjectWriter.appendString(value, to: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                value.write(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .raw(let json): bytes.append(contentsOf: json)
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONObjectWriter.appendString(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                value.write(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

extension OutputWriter {
    /// Writes one JSON document and a line break.
    func document(_ value: JSONValue) throws(CommandFailure) {
        var bytes: [UInt8] = []
        value.write(to: &bytes)
        try line(bytes: bytes)
    }
}

/// How the human tables show numbers, times and money.
enum Show {
    static func date(_ date: Date?) -> String {
        guard let date else { return "-" }
        return Timestamp.format(date, fractionDigits: false)
    }

    static func day(_ date: Date?) -> String {
        guard let date else { return "-" }
        return String(Timestamp.format(date, fractionDigits: false).prefix(10))
    }

    static func money(_ money: Money?) -> String {
        money.map(\.description) ?? "-"
    }

    static func number(_ value: Double?, digits: Int = 1) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.\(digits)f", value)
    }

    static func percent(_ value: Double?, digits: Int = 1) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.\(digits)f%%", value)
    }

    static func days(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.0f d", value.rounded(.down))
    }
}
