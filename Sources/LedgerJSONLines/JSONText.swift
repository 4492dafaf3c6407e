/// Writes JSON text byte by byte where the exact output matters: the key order of an
/// exported line, and payload bytes embedded as they are stored.
package struct JSONObjectWriter {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isEmpty = true

    package init() {}

    /// Adds `"key":"value"`; a `nil` value adds nothing.
    package mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        addKey(key)
        Self.appendString(value, to: &bytes)
    }

    /// Adds `"key":123`.
    package mutating func add(_ key: String, _ value: some BinaryInteger) {
        addKey(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Adds `"key":true` or `false`.
    package mutating func add(_ key: String, _ value: Bool) {
        addKey(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Adds `"key":null`.
    package mutating func addNull(_ key: String) {
        addKey(key)
        bytes.append(contentsOf: "null".utf8)
    }

    /// Adds `"key":<json>`, where `json` is already one JSON value.
    package mutating func add(_ key: String, json: some Sequence<UInt8>) {
        addKey(key)
        bytes.append(contentsOf: json)
    }

    /// The finished object.
    package func finished() -> [UInt8] {
        bytes + [UInt8(ascii: "}")]
    }

    /// The finished object as text.
    package func text() -> String {
        String(decoding: finished(), as: UTF8.self)
    }

    private mutating func addKey(_ key: String) {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends `string` as a JSON string: `"` and `\` escaped, control characters as
    /// `\n`, `\t`… or `\u00XX`, everything else (including non-ASCII) as UTF-8.
    package static func appendString(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
