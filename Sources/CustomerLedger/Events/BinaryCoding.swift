import Foundation
import LedgerCore

// The compact binary layout of the built-in event payloads (content type 2). The
// layout is specified in docs/format.md, "Built-in event payloads (content type 2)";
// keep the two in step. It is hand-written rather than Codable-driven because replay
// speed depends on it: a purchase decodes in a few hundred nanoseconds.

/// A built-in payload with a hand-written binary layout. Internal: host types are JSON.
protocol BinaryPayload: CustomerEventPayload {
    /// Writes the fields after the layout byte.
    func encode(to writer: inout BinaryWriter)
    /// Reads the fields after the layout byte.
    init(binary reader: inout BinaryReader) throws(LedgerError)
}

/// The first byte of every built-in binary payload whose personal values are in place.
let binaryLayoutVersion: UInt8 = 1
/// The first byte of a payload whose personal values are sealed in a section of their own
/// (docs/format.md, "Sealed personal data").
let sealedBinaryLayoutVersion: UInt8 = 2

extension BinaryPayload {
    /// The whole payload: the layout byte, then the fields.
    func binaryEncoded() -> Data {
        var writer = BinaryWriter()
        writer.byte(binaryLayoutVersion)
        encode(to: &writer)
        return Data(writer.bytes)
    }

    /// The fields with the personal values set apart: `main` holds every other field
    /// (without a layout byte), `personal` the personal values in field order, each a
    /// `string`. An event without personal values has an empty `personal`.
    func binaryParts() -> (main: [UInt8], personal: [UInt8]) {
        var writer = BinaryWriter()
        writer.separatesPersonal = true
        encode(to: &writer)
        return (writer.bytes, writer.personalBytes)
    }

    /// Decodes a whole payload, checking the layout byte and that nothing is left over.
    /// A sealed section is withheld (read as locked).
    static func binaryDecoded(_ payload: Data) throws(LedgerError) -> Self {
        let result: Result<Self, LedgerError> = payload.withUnsafeBytes { raw in
            do throws(LedgerError) {
                return .success(try binaryDecoded(bytes: raw, personal: .withheld(.locked)).value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes a whole payload from bytes in place (for example in the map, during a read),
    /// opening a sealed personal section with `personal`'s key when it has one.
    static func binaryDecoded(bytes raw: UnsafeRawBufferPointer, personal: PersonalRead) throws(LedgerError) -> (value: Self, status: PersonalDataStatus) {
        var reader = BinaryReader(raw)
        let layout = try reader.byte("layout")
        if layout == binaryLayoutVersion {
            let value = try Self(binary: &reader)
            try reader.finish()
            return (value, .readable)
        }
        guard layout == sealedBinaryLayoutVersion else {
            throw reader.layoutProblem(layout)
        }
        let sealed = try reader.section("personal")
        guard let key = personal.key else {
            reader.withholdPersonal(personal.withheldText)
            let value = try Self(binary: &reader)
            try reader.finish()
            return (value, personal.withheld)
        }
        guard let plaintext = key.open(sealed, id: personal.eventID, type: personal.type) else {
            throw LedgerError(.corrupted, "its personal data does not authenticate with the customer's data key: the bytes were changed, or moved from another event")
        }
        let result: Result<Self, LedgerError> = plaintext.withUnsafeBytes { opened in
            do throws(LedgerError) {
                reader.openPersonal(opened)
                let value = try Self(binary: &reader)
                try reader.finish()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return (try result.get(), .readable)
    }
}

extension BinaryPayload {
    /// Reads a clear payload (layout 1) with `read`, checking the layout byte and that
    /// nothing is left over, as ``binaryDecoded(bytes:personal:)`` does.
    static func binaryRead<Value>(clear raw: UnsafeRawBufferPointer, _ read: (inout BinaryReader) throws(LedgerError) -> Value) throws(LedgerError) -> Value {
        var reader = BinaryReader(raw)
        let layout = try reader.byte("layout")
        guard layout == binaryLayoutVersion else { throw reader.layoutProblem(layout) }
        let value = try read(&reader)
        try reader.finish()
        return value
    }
}

/// How a read treats a payload's sealed personal section: open it with the customer's data
/// key, or withhold it (every recorded personal value then reads as `withheldText`).
struct PersonalRead: Sendable {
    /// The customer's data key; `nil` withholds the section.
    var key: DataKey?
    /// Why the section is withheld when there is no key.
    var withheld: PersonalDataStatus
    /// What a withheld value reads as.
    var withheldText = ""
    /// The event the payload belongs to, which its section is bound to.
    var eventID = EventID(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
    var type = ""

    /// Withholds every sealed section as `status`.
    static func withheld(_ status: PersonalDataStatus) -> PersonalRead {
        PersonalRead(key: nil, withheld: status)
    }

    /// The same access for the event `id` of `type`.
    func `for`(_ id: EventID, _ type: String) -> PersonalRead {
        var read = self
        read.eventID = id
        read.type = type
        return read
    }
}

/// Appends the binary layout's primitives to a byte array.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []
    /// Where ``personal(_:)`` writes when ``separatesPersonal`` is set.
    private(set) var personalBytes: [UInt8] = []
    /// Whether personal values go to ``personalBytes`` rather than in place.
    var separatesPersonal = false

    init() { bytes.reserveCapacity(64) }

    /// A personal value (docs/privacy.md): a `string`, in place or in the personal section.
    mutating func personal(_ value: String) {
        guard separatesPersonal else { return string(value) }
        swap(&bytes, &personalBytes)
        string(value)
        swap(&bytes, &personalBytes)
    }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Unsigned LEB128: 7 bits per byte, low bits first, high bit set on all but the last.
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// A signed integer, zigzag-mapped (0, -1, 1, -2… → 0, 1, 2, 3…) then as a varint.
    mutating func int(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func int(_ value: Int) { int(Int64(value)) }

    /// A count of elements, or a presence mask.
    mutating func count(_ value: Int) { varint(UInt64(value)) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// A varint byte length, then the UTF-8 bytes.
    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Microseconds since 1970 as a fixed 8-byte little-endian integer. The payload's
    /// `validate()` has checked that the time is in the years 1 to 9999.
    mutating func date(_ value: Date) {
        withUnsafeBytes(of: value.microsecondsSince1970.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Minor units (zigzag varint), then the three ASCII letters of the currency code.
    mutating func money(_ value: Money) {
        int(value.minorUnits)
        let code = value.currency.packedCode
        bytes.append(UInt8(truncatingIfNeeded: code >> 16))
        bytes.append(UInt8(truncatingIfNeeded: code >> 8))
        bytes.append(UInt8(truncatingIfNeeded: code))
    }

    /// One byte: the value's index in its table (docs/format.md).
    mutating func code(_ value: some BinaryEnum) { bytes.append(value.binaryCode) }

    /// Presence bits, one per optional field, bit 0 first.
    mutating func presence(_ fields: Bool...) {
        var mask: UInt64 = 0
        for (bit, present) in fields.enumerated() where present { mask |= 1 << UInt64(bit) }
        varint(mask)
    }

    mutating func strings(_ values: [String]) {
        count(values.count)
        for value in values { string(value) }
    }

    mutating func streams(_ values: [StreamID]) {
        count(values.count)
        for value in values { string(value.rawValue) }
    }

    /// A dictionary as a count and pairs in byte order of the keys, so equal values give
    /// equal bytes.
    mutating func dictionary<Value>(_ values: [String: Value], _ writeValue: (inout BinaryWriter, Value) -> Void) {
        count(values.count)
        for key in values.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            string(key)
            writeValue(&self, values[key]!)
        }
    }
}

/// Reads the binary layout's primitives, checking every bound: bad bytes throw a
/// `LedgerError.Code.corrupted` that names the field and the byte offset,
/// never trap.
struct BinaryReader {
    private var bytes: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    private(set) var offset = 0
    /// Where personal values come from.
    private var personalSource = PersonalSource.inPlace
    /// The opened personal section, and the offset of its next byte.
    private var personalBytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private var personalOffset = 0
    /// What a withheld personal value reads as.
    private var withheldText = ""

    private enum PersonalSource { case inPlace, opened, withheld }

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Reads personal values from an opened section from now on.
    mutating func openPersonal(_ section: UnsafeRawBufferPointer) {
        personalSource = .opened
        personalBytes = section
        personalOffset = 0
    }

    /// Reads every personal value as `text` from now on (its section is sealed).
    mutating func withholdPersonal(_ text: String) {
        personalSource = .withheld
        withheldText = text
    }

    /// A personal value (docs/privacy.md): a `string` in place, in the opened section, or
    /// withheld.
    mutating func personal(_ field: StaticString) throws(LedgerError) -> String {
        try fromPersonalSource { reader throws(LedgerError) in try reader.string(field) } ?? withheldText
    }

    /// Runs `read` where personal values are: in place, or in the opened section (then
    /// back); `nil` when they are withheld.
    @inline(__always)
    private mutating func fromPersonalSource<Value>(_ read: (inout BinaryReader) throws(LedgerError) -> Value) throws(LedgerError) -> Value? {
        switch personalSource {
        case .inPlace:
            return try read(&self)
        case .withheld:
            return nil
        case .opened:
            swap(&bytes, &personalBytes)
            swap(&offset, &personalOffset)
            defer {
                swap(&bytes, &personalBytes)
                swap(&offset, &personalOffset)
            }
            return try read(&self)
        }
    }

    /// A `varint` length, then that many bytes, in place.
    mutating func section(_ field: StaticString) throws(LedgerError) -> UnsafeRawBufferPointer {
        let start = offset
        let length = try varint(field)
        guard length <= UInt64(remaining) else {
            throw problem(field, at: start, "a section of \(length) bytes runs past the end (\(remaining) bytes left)")
        }
        let section = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)])
        offset += Int(length)
        return section
    }

    private var remaining: Int { bytes.count - offset }

    @inline(never)
    func problem(_ field: StaticString, at offset: Int, _ text: String) -> LedgerError {
        LedgerError(.corrupted, "\(field) at byte \(offset) of \(bytes.count): \(text)")
    }

    @inline(never)
    func layoutProblem(_ layout: UInt8) -> LedgerError {
        if layout > sealedBinaryLayoutVersion {
            return LedgerError(
                .unsupportedFormat,
                "the payload has binary layout \(layout), newer than this library's \(sealedBinaryLayoutVersion): open the ledger with a newer version of the library"
            )
        }
        return problem("layout", at: 0, "layout \(layout) is not a binary layout (they start at 1)")
    }

    @inline(__always)
    mutating func byte(_ field: StaticString) throws(LedgerError) -> UInt8 {
        guard offset < bytes.count else { throw problem(field, at: offset, "the payload ends here") }
        let value = bytes[offset]
        offset += 1
        return value
    }

    @inline(__always)
    mutating func varint(_ field: StaticString) throws(LedgerError) -> UInt64 {
        // Most numbers (lengths, counts, small amounts) are one byte.
        if offset < bytes.count, bytes[offset] < 0x80 {
            offset += 1
            return UInt64(bytes[offset - 1])
        }
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw problem(field, at: start, "the payload ends inside a number") }
            let byte = bytes[offset]
            offset += 1
            if shift == 63, byte > 1 { throw problem(field, at: start, "the number is larger than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                if byte == 0, shift > 0 { throw problem(field, at: start, "the number is not in its shortest form") }
                return result
            }
            shift += 7
        }
    }

    @inline(__always)
    mutating func int64(_ field: StaticString) throws(LedgerError) -> Int64 {
        let raw = try varint(field)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func int(_ field: StaticString) throws(LedgerError) -> Int {
        let start = offset
        let value = try int64(field)
        guard let result = Int(exactly: value) else { throw problem(field, at: start, "\(value) does not fit in an Int") }
        return result
    }

    /// A count of elements, each at least `minimumSize` bytes, so a damaged count cannot
    /// make the reader reserve memory the payload cannot hold.
    mutating func count(_ field: StaticString, minimumSize: Int = 1) throws(LedgerError) -> Int {
        let start = offset
        let value = try varint(field)
        guard value <= UInt64(remaining / max(minimumSize, 1)) else {
            throw problem(field, at: start, "a count of \(value) cannot fit in the \(remaining) bytes left")
        }
        return Int(value)
    }

    mutating func bool(_ field: StaticString) throws(LedgerError) -> Bool {
        let start = offset
        switch try byte(field) {
        case 0: return false
        case 1: return true
        case let other: throw problem(field, at: start, "\(other) is not a boolean (0 or 1)")
        }
    }

    @inline(__always)
    mutating func string(_ field: StaticString) throws(LedgerError) -> String {
        let start = offset
        let utf8 = try textBytes(field)
        // ASCII needs no validation, and String(decoding:) is much faster than the
        // generic String(validating:), which the rest of the text needs.
        if Self.isASCII(utf8) { return String(decoding: utf8, as: UTF8.self) }
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw problem(field, at: start, "the text is not valid UTF-8")
        }
        return text
    }

    /// Reads past a `string`, checking it as ``string(_:)`` does, without building it.
    @inline(__always)
    mutating func skipString(_ field: StaticString) throws(LedgerError) {
        let start = offset
        let utf8 = try textBytes(field)
        guard Self.isASCII(utf8) || String(validating: utf8, as: UTF8.self) != nil else {
            throw problem(field, at: start, "the text is not valid UTF-8")
        }
    }

    /// Reads past a personal value, checking it as ``personal(_:)`` does, without building it.
    @inline(__always)
    mutating func skipPersonal(_ field: StaticString) throws(LedgerError) {
        _ = try fromPersonalSource { reader throws(LedgerError) in try reader.skipString(field) }
    }

    /// The bytes of a `string`: a varint length, then that many bytes.
    @inline(__always)
    private mutating func textBytes(_ field: StaticString) throws(LedgerError) -> UnsafeBufferPointer<UInt8> {
        let start = offset
        let length = try varint(field)
        guard length <= UInt64(remaining) else {
            throw problem(field, at: start, "a text of \(length) bytes runs past the end (\(remaining) bytes left)")
        }
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)]).assumingMemoryBound(to: UInt8.self)
        offset += Int(length)
        return utf8
    }

    @inline(__always)
    private static func isASCII(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return true }
        // Eight bytes at a time, then the rest.
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index + 8 <= utf8.count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < utf8.count {
            if base[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    mutating func stream(_ field: StaticString) throws(LedgerError) -> StreamID {
        let start = offset
        let text = try string(field)
        do {
            return try StreamID(text)
        } catch {
            throw problem(field, at: start, error.message)
        }
    }

    /// A time, which appends keep in the years 1 to 9999: any other is damage. The check is
    /// of the `Date` read, whose `Double` holds some 30 µs at the year 9999: the last few
    /// microseconds of that year read as the year 10000, and no append writes them.
    mutating func date(_ field: StaticString) throws(LedgerError) -> Date {
        guard remaining >= 8 else { throw problem(field, at: offset, "a time needs 8 bytes, \(remaining) left") }
        let micros = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
        let date = Date(microsecondsSince1970: micros)
        // The stored count itself, not a date made from it, so a read converts once; but in
        // the last second of 9999 a `Date` is too coarse (about 30 µs) and can round into
        // the year 10000, which no export could write back.
        guard Date.storableMicroseconds.contains(micros),
              micros < Date.storableMicroseconds.upperBound - 1_000_000 || date.isStorable else {
            throw problem(field, at: offset, "the time \(micros) µs since 1970 is outside the years 1–9999 the ledger stores")
        }
        offset += 8
        return date
    }

    @inline(__always)
    mutating func money(_ field: StaticString) throws(LedgerError) -> Money {
        let minorUnits = try int64(field)
        guard remaining >= 3 else { throw problem(field, at: offset, "a currency code needs 3 bytes, \(remaining) left") }
        let packed = UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2])
        guard let currency = Currency(packedCode: packed) else {
            throw problem(field, at: offset, "the currency code is not three upper-case letters")
        }
        offset += 3
        return Money(minorUnits: minorUnits, currency: currency)
    }

    @inline(__always)
    mutating func code<Value: BinaryEnum>(_ field: StaticString, as type: Value.Type = Value.self) throws(LedgerError) -> Value {
        let start = offset
        let raw = try byte(field)
        guard let value = Value(binaryCode: raw) else {
            throw problem(field, at: start, "\(raw) is not a known \(Value.self) code")
        }
        return value
    }

    /// Presence bits for `fieldCount` optional fields; any other bit set is corruption.
    @inline(__always)
    mutating func presence(fieldCount: Int) throws(LedgerError) -> Presence {
        let start = offset
        let mask = try varint("presence")
        guard mask >> UInt64(fieldCount) == 0 else {
            throw problem("presence", at: start, "the bits \(String(mask, radix: 2)) name a field beyond the \(fieldCount) optional ones")
        }
        return Presence(mask: mask)
    }

    mutating func strings(_ field: StaticString) throws(LedgerError) -> [String] {
        let count = try count(field)
        var values: [String] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try string(field)) }
        return values
    }

    mutating func streams(_ field: StaticString) throws(LedgerError) -> [StreamID] {
        let count = try count(field)
        var values: [StreamID] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try stream(field)) }
        return values
    }

    mutating func dictionary<Value>(
        _ field: StaticString,
        minimumSize: Int = 2,
        _ readValue: (inout BinaryReader) throws(LedgerError) -> Value
    ) throws(LedgerError) -> [String: Value] {
        let count = try count(field, minimumSize: minimumSize)
        var values: [String: Value] = [:]
        values.reserveCapacity(count)
        for _ in 0..<count {
            let start = offset
            let key = try string(field)
            guard values.updateValue(try readValue(&self), forKey: key) == nil else {
                throw problem(field, at: start, "the key \(key.debugDescription) appears twice")
            }
        }
        return values
    }

    /// Checks that every byte was read, of the payload and of an opened personal section.
    func finish() throws(LedgerError) {
        guard remaining == 0 else { throw problem("end", at: offset, "\(remaining) bytes are left over after the last field") }
        if personalSource == .opened, personalOffset != personalBytes.count {
            throw LedgerError(.corrupted, "end of the personal section at byte \(personalOffset) of \(personalBytes.count): \(personalBytes.count - personalOffset) bytes are left over after the last personal value")
        }
    }
}

/// An enum stored as one byte: its index in a table fixed by docs/format.md. The
/// switches are written out (never `allCases` order), so adding a case cannot shift the
/// codes of stored events; an added case fails to compile here until it gets its code.
protocol BinaryEnum {
    var binaryCode: UInt8 { get }
    init?(binaryCode: UInt8)
}

/// Which optional fields a payload holds: bit 0 is the first optional field.
struct Presence {
    let mask: UInt64
    subscript(bit: Int) -> Bool { mask & (1 << UInt64(bit)) != 0 }
}
