import Foundation

/// Buffered output to standard output or a file, written with `write(2)`.
///
/// The tool writes all of its standard output through one of these (never `print`), so
/// nothing is reordered, and a big export costs one system call per 64 KiB.
final class OutputWriter {
    /// How messages name the destination.
    let name: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var isClosed = false
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 16

    private init(name: String, descriptor: Int32, ownsDescriptor: Bool) {
        self.name = name
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Standard output.
    static func standardOutput() -> OutputWriter {
        OutputWriter(name: "standard output", descriptor: STDOUT_FILENO, ownsDescriptor: false)
    }

    /// A file, created or emptied (mode 0644 before the umask).
    static func file(_ path: String) throws(CommandFailure) -> OutputWriter {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure("Cannot create \(path): \(String(cString: strerror(errno))).")
        }
        return OutputWriter(name: path, descriptor: descriptor, ownsDescriptor: true)
    }

    deinit {
        if ownsDescriptor, !isClosed { Foundation.close(descriptor) }
    }

    /// Flushes and, for a file, closes it, reporting a failure of either.
    func finish() throws(CommandFailure) {
        try flush()
        guard ownsDescriptor, !isClosed else { return }
        isClosed = true
        guard Foundation.close(descriptor) == 0 else {
            throw CommandFailure("Writing to \(name) failed: \(String(cString: strerror(errno))).")
        }
    }

    /// Writes bytes.
    func write(_ bytes: some Sequence<UInt8>) throws(CommandFailure) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Writes text followed by a line break.
    func line(_ text: String = "") throws(CommandFailure) {
        try write(text.utf8)
        try write(CollectionOfOne(UInt8(ascii: "\n")))
    }

    /// Writes bytes followed by a line break.
    func line(bytes: some Sequence<UInt8>) throws(CommandFailure) {
        try write(bytes)
        try write(CollectionOfOne(UInt8(ascii: "\n")))
    }

    /// Hands everything buffered to the operating system.
    func flush() throws(CommandFailure) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { bytes in
                Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                buffer.removeAll(keepingCapacity: true)
                throw CommandFailure("Writing to \(name) failed: \(reason).")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Diagnostics on standard error, one unbuffered line at a time.
enum StandardError {
    static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Foundation.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
