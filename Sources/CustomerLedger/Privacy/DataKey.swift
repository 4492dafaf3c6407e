import Crypto
import Foundation
import LedgerCore

/// One customer's data key, ready to use: the AES-256-GCM key that seals the personal
/// section of its events, and the key that derives each section's nonce. Both are derived
/// (HKDF-SHA256) from the 32 random bytes that the `keys` database stores wrapped. A class,
/// so that a read handing it along with each event retains one object.
final class DataKey: Sendable {
    private let encryption: SymmetricKey
    private let nonceKey: SymmetricKey

    /// The size of a sealed section beyond its plaintext: nonce and tag.
    static let overhead = 12 + 16

    init(_ raw: SymmetricKey) {
        encryption = HKDF<SHA256>.deriveKey(inputKeyMaterial: raw, info: Array("CustomerLedger personal data encryption".utf8), outputByteCount: 32)
        nonceKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: raw, info: Array("CustomerLedger personal data nonce".utf8), outputByteCount: 32)
    }

    /// A new random data key's raw bytes.
    static func randomRaw() -> SymmetricKey { SymmetricKey(size: .bits256) }

    /// Seals `plaintext` bound to `aad`: nonce (12) ‖ ciphertext ‖ tag (16).
    ///
    /// The nonce is synthetic: the first 12 bytes of HMAC-SHA256(nonce key, aad ‖
    /// plaintext). The same event (same id, type and personal values) therefore seals to
    /// the same bytes, which keeps a retried append idempotent (the store compares
    /// bytes); two different messages get the same nonce only with negligible probability.
    func seal(_ plaintext: [UInt8], aad: [UInt8]) throws(LedgerError) -> [UInt8] {
        var mac = HMAC<SHA256>(key: nonceKey)
        mac.update(data: aad)
        mac.update(data: plaintext)
        let nonceBytes = Array(mac.finalize()).prefix(12)
        do {
            let nonce = try AES.GCM.Nonce(data: nonceBytes)
            let box = try AES.GCM.seal(plaintext, using: encryption, nonce: nonce, authenticating: aad)
            var sealed = Array(nonceBytes)
            sealed.reserveCapacity(plaintext.count + Self.overhead)
            sealed.append(contentsOf: box.ciphertext)
            sealed.append(contentsOf: box.tag)
            return sealed
        } catch {
            throw LedgerError(.storageFailure, "Encrypting personal data failed: \(error).")
        }
    }

    /// Opens a sealed section; `nil` when it does not authenticate (a wrong key, or bytes
    /// that were changed or moved from another event).
    func open(_ sealed: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer) -> Data? {
        guard sealed.count >= Self.overhead else { return nil }
        do {
            // One copy: the combined form is the stored form (nonce ‖ ciphertext ‖ tag).
            let box = try AES.GCM.SealedBox(combined: sealed)
            return try AES.GCM.open(box, using: encryption, authenticating: aad)
        } catch {
            return nil
        }
    }

    /// Opens the sealed section of the event `id` of `type`, with its additional data built
    /// on the stack.
    func open(_ sealed: UnsafeRawBufferPointer, id: EventID, type: String) -> Data? {
        var type = type
        return type.withUTF8 { typeBytes in
            let count = PersonalSectionAAD.label.count + 16 + typeBytes.count
            return withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { buffer in
                PersonalSectionAAD.write(id: id, type: UnsafeRawBufferPointer(typeBytes), into: buffer)
                return open(sealed, aad: UnsafeRawBufferPointer(buffer))
            }
        }
    }
}

/// The additional authenticated data of an event's personal section: a label, the event's
/// id and its type name. A section opens only in the event it was sealed for, so sealed
/// bytes cannot be moved to another event or type; which field each value is follows from
/// the type's layout, and the section is sealed as a whole, so no value can be moved
/// between fields either.
enum PersonalSectionAAD {
    static let label = Array("CLPD1".utf8)

    /// Writes the additional data into `buffer`, which is exactly its size.
    static func write(id: EventID, type: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) {
        buffer.copyBytes(from: label)
        withUnsafeBytes(of: id.uuid.uuid) { UnsafeMutableRawBufferPointer(rebasing: buffer[label.count..<(label.count + 16)]).copyMemory(from: $0) }
        UnsafeMutableRawBufferPointer(rebasing: buffer[(label.count + 16)...]).copyMemory(from: type)
    }

    static func bytes(id: EventID, type: String) -> [UInt8] {
        var bytes = label
        bytes.reserveCapacity(label.count + 16 + type.utf8.count)
        withUnsafeBytes(of: id.uuid.uuid) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: type.utf8)
        return bytes
    }
}
