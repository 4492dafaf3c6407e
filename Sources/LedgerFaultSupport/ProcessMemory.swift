import Foundation

/// This process's memory, from `/proc/self/statm` (Linux).
public struct ProcessMemory: Sendable, Hashable {
    /// Resident set size in bytes: everything in RAM, including the pages of the ledger's
    /// memory-mapped file that this process has touched.
    public var resident: Int
    /// Resident anonymous memory in bytes (resident minus file-backed and shared pages):
    /// the heap and stacks, what a leak makes grow. The mapped ledger file is not in it.
    public var anonymous: Int

    /// The current figures, or `nil` where `/proc/self/statm` cannot be read.
    public static func current() -> ProcessMemory? {
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // size resident shared text lib data dt, in pages
        let fields = String(decoding: buffer[..<count], as: UTF8.self).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard fields.count >= 3 else { return nil }
        let page = sysconf(Int32(_SC_PAGESIZE))
        return ProcessMemory(resident: fields[1] * page, anonymous: (fields[1] - fields[2]) * page)
    }
}
