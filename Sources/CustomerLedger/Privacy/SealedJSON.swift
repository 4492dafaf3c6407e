import Foundation
public import LedgerCore
import Synchronization

extension ContentType {
    /// A host event type's JSON payload with its personal fields sealed (docs/format.md,
    /// "Sealed personal data"). Reads through the ledger give it back as plain JSON.
    public static let sealedJSON = ContentType(rawValue: 3)
}

/// The personal fields of host event types by wire name, as their Swift types declare
/// them (``CustomerEventPayload/personalFields``). Filled when a payload of the type is
/// encoded (`ProposedEvent(_:occurredAt:…)`) or the type is registered, so that an append
/// of its JSON seals those fields whichever way the event was built.
enum HostPersonalFields {
    private static let table = Mutex<[String: Set<String>]>([:])

    static func note(_ type: any CustomerEventPayload.Type) {
        let fields = type.personalFields
        guard !fields.isEmpty, EventCoding.builtIn[type.eventType] == nil else { return }
        table.withLock { $0[type.eventType] = fields }
    }

    static func fields(of type: String) -> Set<String>? {
        table.withLock { $0[type] }
    }
}

/// Content type 3: `01` (layout) ‖ `[string]` the sealed fields' names, sorted ‖ `varint`
/// length and the sealed section (nonce ‖ ciphertext ‖ tag; its plaintext is a JSON object
/// of the personal fields) ‖ the JSON object of the other fields.
enum SealedJSON {
    static let layout: UInt8 = 1

    /// The JSON object of `payload` split into its other fields and its personal ones;
    /// `nil` when it is not an object or holds none of `fields`.
    static func split(_ payload: Data, fields: Set<String>) -> (names: [String], personal: Data, rest: Data)? {
        guard let object = try? JSONSerialization.jsonObject(with: payload, options: [.fragmentsAllowed]) as? [String: Any] else { return nil }
        let names = object.keys.filter { fields.contains($0) && !(object[$0] is NSNull) }.sorted()
        guard !names.isEmpty else { return nil }
        var rest = object
        var personal: [String: Any] = [:]
        for name in names {
            personal[name] = object[name]
            rest[name] = nil
        }
        guard let personalData = try? serialize(personal), let restData = try? serialize(rest) else { return nil }
        return (names, personalData, restData)
    }

    static func serialize(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
    }

    /// The payload of content type 3.
    static func payload(names: [String], sealed: [UInt8], rest: Data) -> Data {
        var writer = BinaryWriter()
        writer.byte(layout)
        writer.strings(names)
        writer.count(sealed.count)
        var bytes = writer.bytes
        bytes.append(contentsOf: sealed)
        bytes.append(contentsOf: rest)
        return Data(bytes)
    }

    /// The recorded event with its payload as plain JSON: the personal fields opened and
    /// merged back, or, when withheld, absent (`withheldAsNull`: present as `null`).
    static func open(_ recorded: RecordedEvent, personal: PersonalRead, withheldAsNull: Bool = false) throws(LedgerError) -> (RecordedEvent, PersonalDataStatus) {
        let result: Result<(Data, PersonalDataStatus), LedgerError> = recorded.payload.withUnsafeBytes { raw in
            do throws(LedgerError) {
                var reader = BinaryReader(raw)
                let layout = try reader.byte("layout")
                guard layout == Self.layout else { throw reader.layoutProblem(layout) }
                let names = try reader.strings("names")
                let sealed = try reader.section("personal")
                let rest = UnsafeRawBufferPointer(rebasing: raw[reader.offset...])
                guard var object = try? JSONSerialization.jsonObject(with: Data(rest), options: [.fragmentsAllowed]) as? [String: Any] else {
                    throw LedgerError(.corrupted, "its JSON part is not a JSON object")
                }
                var status = PersonalDataStatus.readable
                if let key = personal.key {
                    let aad = PersonalSectionAAD.bytes(id: recorded.id, type: recorded.type)
                    guard let plaintext = aad.withUnsafeBytes({ key.open(sealed, aad: $0) }),
                          let fields = try? JSONSerialization.jsonObject(with: plaintext, options: [.fragmentsAllowed]) as? [String: Any]
                    else {
                        throw LedgerError(.corrupted, "its personal data does not authenticate with the customer's data key: the bytes were changed, or moved from another event")
                    }
                    for (name, value) in fields { object[name] = value }
                } else {
                    status = personal.withheld
                    if withheldAsNull { for name in names { object[name] = NSNull() } }
                }
                guard let json = try? serialize(object) else { throw LedgerError(.corrupted, "its JSON does not serialize") }
                return .success((json, status))
            } catch {
                return .failure(LedgerError(error.code, "The \(recorded.type) event at position \(recorded.position) does not decode: \(error.message)"))
            }
        }
        let (json, status) = try result.get()
        var opened = recorded
        opened.contentType = .json
        opened.payload = json
        return (opened, status)
    }
}
