package import Foundation

/// The payload bytes of a JSON event, in the one form the tool writes: compact JSON
/// with sorted keys, as `JSONSerialization` produces it with `.sortedKeys` and
/// `.withoutEscapingSlashes` (see docs/jsonl-format.md for what that does to numbers).
///
/// One canonical form makes a re-import of the same line store the same bytes (so it
/// is recognised as already present), however the line spaced or ordered its keys.
package enum JSONPayload {
    /// Why a value is not usable JSON.
    package struct Problem: Error, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }
    }

    static let writingOptions: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]

    /// The canonical bytes of a value `JSONSerialization` parsed.
    package static func canonical(_ value: Any) throws(Problem) -> Data {
        do {
            return try JSONSerialization.data(withJSONObject: value, options: writingOptions)
        } catch {
            throw Problem(reason: "cannot be written as JSON: \(reason(of: error))")
        }
    }

    /// Parses JSON text (any value, not only objects) and returns its canonical bytes.
    package static func canonical(text: Data) throws(Problem) -> Data {
        try canonical(try parse(text))
    }

    /// Parses one JSON value; a failure says why in `JSONSerialization`'s words.
    static func parse(_ text: Data) throws(Problem) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: text, options: [.fragmentsAllowed])
        } catch {
            throw Problem(reason: "is not valid JSON (\(reason(of: error)))")
        }
    }

    /// Whether `bytes` are JSON already in canonical form, so that an export can embed
    /// them as they are and an import stores exactly them again.
    static func isCanonical(_ bytes: Data) -> Bool {
        guard let value = try? JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed]),
              let again = try? JSONSerialization.data(withJSONObject: value, options: writingOptions)
        else { return false }
        return again == bytes
    }

    /// The useful part of a Foundation JSON error.
    static func reason(of error: any Error) -> String {
        let error = error as NSError
        if let detail = error.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return error.localizedDescription
    }
}
