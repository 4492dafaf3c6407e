import Crypto
import Foundation
import LedgerCore

/// The entries of the `keys` database (docs/format.md, docs/privacy.md).
///
/// - key: a customer id (UTF-8, never starting with a 0 byte) → value: ``KeyEntry``.
/// - key: 0 ‖ `check` → `01` ‖ the master key's 32-byte check value.
/// - key: 0 ‖ `rotation` → `01` ‖ the new master key's check value, while a rotation runs.
enum KeyEntry: Equatable {
    /// `01` ‖ the wrapping master key's identifier (8 bytes) ‖ the data key wrapped with
    /// AES key wrap (RFC 3394, 40 bytes).
    case wrapped(masterKey: [UInt8], wrappedKey: [UInt8])
    /// `02` ‖ when it was erased, µs since 1970 (i64 LE): the key is destroyed, and no key
    /// is ever made for the customer again.
    case erased(at: Int64)

    static let wrappedTag: UInt8 = 1
    static let erasedTag: UInt8 = 2

    init?(_ bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        switch bytes.first {
        case Self.wrappedTag? where bytes.count == 1 + 8 + 40:
            self = .wrapped(masterKey: Array(bytes[1..<9]), wrappedKey: Array(bytes[9...]))
        case Self.erasedTag? where bytes.count == 9:
            var micros: Int64 = 0
            withUnsafeMutableBytes(of: &micros) { $0.copyBytes(from: bytes[1...]) }
            self = .erased(at: Int64(littleEndian: micros))
        default:
            return nil
        }
    }

    var bytes: [UInt8] {
        switch self {
        case .wrapped(let masterKey, let wrappedKey):
            return [Self.wrappedTag] + masterKey + wrappedKey
        case .erased(let at):
            return [Self.erasedTag] + withUnsafeBytes(of: at.littleEndian) { Array($0) }
        }
    }

    /// A new data key wrapped by `master`, and the key ready to use.
    static func newKey(wrappedBy master: MasterKey) throws(LedgerError) -> (entry: KeyEntry, key: DataKey) {
        let raw = DataKey.randomRaw()
        return (try wrap(raw, with: master), DataKey(raw))
    }

    static func wrap(_ raw: SymmetricKey, with master: MasterKey) throws(LedgerError) -> KeyEntry {
        do {
            return .wrapped(masterKey: master.identifier, wrappedKey: Array(try AES.KeyWrap.wrap(raw, using: master.key)))
        } catch {
            throw LedgerError(.storageFailure, "Wrapping a data key failed: \(error).")
        }
    }

    /// The raw data key of a wrapped entry, unwrapped with `master` (which must be the key
    /// that wrapped it).
    static func unwrap(_ wrappedKey: [UInt8], with master: MasterKey, customer: String) throws(LedgerError) -> SymmetricKey {
        do {
            return try AES.KeyWrap.unwrap(wrappedKey, using: master.key)
        } catch {
            throw LedgerError(.corrupted, "The data key of customer \(customer) does not unwrap with the master key that its entry names: the keys database is damaged.")
        }
    }

    /// The `keys` database key of a customer.
    static func key(of customer: StreamID) -> [UInt8] { Array(customer.rawValue.utf8) }
}

/// The settings entries of the `keys` database: a 0 byte, then the name.
enum KeySetting {
    static let check: [UInt8] = [0] + Array("check".utf8)
    static let rotation: [UInt8] = [0] + Array("rotation".utf8)

    /// A check value entry: `01` ‖ 32 bytes.
    static func checkValue(_ bytes: [UInt8]?) -> [UInt8]? {
        guard let bytes, bytes.count == 33, bytes[0] == 1 else { return nil }
        return Array(bytes[1...])
    }

    static func entry(_ checkValue: [UInt8]) -> [UInt8] { [1] + checkValue }
}
