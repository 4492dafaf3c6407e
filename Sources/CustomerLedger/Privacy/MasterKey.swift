import Crypto
public import Foundation
public import LedgerCore

/// The key a host supplies to open a ledger that encrypts personal data: 32 random bytes
/// (AES-256). It never touches the ledger's files: the ledger stores only the customers'
/// data keys wrapped by it and a check value that tells a wrong key at open
/// (docs/privacy.md).
///
/// ```swift
/// let key = try MasterKey(contentsOfFile: "/run/secrets/ledger-master-key")
/// let ledger = try Ledger.open(at: "./ledger-data", masterKey: key)
/// ```
///
/// Make a key file with `head -c 32 /dev/urandom > master.key` (mode 0600), and keep it
/// apart from the ledger's folder and its backups.
public struct MasterKey: Sendable {
    /// The key's size in bytes.
    public static let byteCount = 32

    let key: SymmetricKey
    /// HMAC-SHA256 of a fixed label under the key: stored in the ledger to recognise the key.
    let checkValue: [UInt8]

    /// A master key from its 32 raw bytes.
    /// - Throws: `LedgerError.Code.wrongMasterKey` when `bytes` is not 32 bytes long.
    public init(bytes: some ContiguousBytes) throws(LedgerError) {
        let raw = bytes.withUnsafeBytes { Array($0) }
        guard raw.count == Self.byteCount else {
            throw LedgerError(
                .wrongMasterKey,
                "A master key is \(Self.byteCount) raw bytes (AES-256), and this one is \(raw.count) bytes: make one with 'head -c 32 /dev/urandom > master.key'."
            )
        }
        self.init(SymmetricKey(data: raw))
    }

    /// The master key in a file of exactly 32 raw bytes.
    /// - Throws: `LedgerError.Code.wrongMasterKey` when the file is missing, unreadable or
    ///   not 32 bytes long (a key written as hex or base64 text is 64 or 44 bytes: write the
    ///   raw bytes).
    public init(contentsOfFile path: String) throws(LedgerError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw LedgerError(
                .wrongMasterKey,
                exists
                    ? "The master key file \(path) cannot be read: check its permissions."
                    : "There is no master key file at \(path)."
            )
        }
        guard data.count == Self.byteCount else {
            var hint = ""
            if data.count == 64 || data.count == 65 { hint = " (it looks like hex text: write the raw bytes, e.g. 'xxd -r -p key.hex > master.key')" }
            if data.count == 44 || data.count == 45 { hint = " (it looks like base64 text: write the raw bytes, e.g. 'base64 -d key.b64 > master.key')" }
            throw LedgerError(
                .wrongMasterKey,
                "The master key file \(path) holds \(data.count) bytes, and a master key is exactly \(Self.byteCount) raw bytes\(hint): make one with 'head -c 32 /dev/urandom > master.key'."
            )
        }
        try self.init(bytes: data)
    }

    /// A new random key (for tests and for hosts that keep keys in a vault of their own).
    public static func random() -> MasterKey {
        MasterKey(SymmetricKey(size: .bits256))
    }

    /// The key's 32 raw bytes, to store in the host's secret store.
    public var rawBytes: [UInt8] { key.withUnsafeBytes { Array($0) } }

    init(_ key: SymmetricKey) {
        self.key = key
        checkValue = Array(HMAC<SHA256>.authenticationCode(for: Array("CustomerLedger master key check, version 1".utf8), using: key))
    }

    /// The first 8 bytes of the check value: which master key wrapped a data key.
    var identifier: [UInt8] { Array(checkValue.prefix(8)) }
}
