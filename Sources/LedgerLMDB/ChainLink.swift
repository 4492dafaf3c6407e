import Crypto
import LedgerCore

/// The hash chain over the `log` (docs/audit-chain.md): the link of the record at
/// position n is `SHA-256(link(n - 1) ‖ record(n))`, where `record(n)` is the record's
/// stored bytes without its trailing link and `link(0)` is ``ChainHash/genesis``.
enum ChainLink {
    /// The link of a record whose bytes (without the link) are `record`, following `previous`.
    @inline(__always)
    static func after(_ previous: ChainHash, record: UnsafeRawBufferPointer) -> ChainHash {
        var hasher = SHA256()
        previous.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: record)
        return hasher.finalize().withUnsafeBytes { ChainHash(unsafeBytes: $0) }
    }

    /// Writes `link` into the 32 bytes at `destination`.
    @inline(__always)
    static func store(_ link: ChainHash, into destination: UnsafeMutableRawBufferPointer) {
        link.withUnsafeBytes { destination.copyMemory(from: $0) }
    }
}
