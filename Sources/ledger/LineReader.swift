import Foundation

/// Reads a file, or standard input for `-`, one line at a time with bounded memory:
/// only the current chunk and the current line are held.
///
/// Lines end with `\n`; a `\r` before it is dropped, and so is a UTF-8 byte order mark
/// at the start. The last line needs no line break.
final class LineReader {
    /// How messages name the input: the path, or `<stdin>`.
    let name: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var isAtEnd = false
    private var lineNumber = 0

    /// Opens `path`, or standard input for `-`.
    init(path: String) throws(CommandFailure) {
        if path == "-" {
            name = "<stdin>"
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            name = path
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw CommandFailure("Cannot open \(path): \(String(cString: strerror(errno))).")
            }
            ownsDescriptor = true
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// The next line and its number (counting from 1), or `nil` at the end.
    func nextLine() throws(CommandFailure) -> (number: Int, text: Data)? {
        var scanned = 0  // bytes after `start` known to hold no line break
        while true {
            if let end = buffer[(start + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                return takeLine(upTo: end, skipping: 1)
            }
            if isAtEnd {
                return start < buffer.count ? takeLine(upTo: buffer.count, skipping: 0) : nil
            }
            scanned = buffer.count - start
            try fill()
        }
    }

    /// Whether a line holds only spaces and tabs; such lines are skipped.
    static func isBlank(_ line: Data) -> Bool {
        line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    private func takeLine(upTo end: Int, skipping separator: Int) -> (number: Int, text: Data) {
        var lineEnd = end
        if lineEnd > start, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        var lineStart = start
        if lineNumber == 0, buffer[lineStart..<lineEnd].starts(with: [0xEF, 0xBB, 0xBF]) { lineStart += 3 }
        let text = Data(buffer[lineStart..<lineEnd])
        start = end + separator
        lineNumber += 1
        return (lineNumber, text)
    }

    /// Reads the next chunk, first dropping the lines already handed out.
    private func fill() throws(CommandFailure) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let chunkSize = 1 << 16
        let oldCount = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunkSize))
        var count = 0
        repeat {
            count = buffer.withUnsafeMutableBytes { bytes in
                read(descriptor, bytes.baseAddress! + oldCount, chunkSize)
            }
        } while count < 0 && errno == EINTR
        guard count >= 0 else {
            let reason = String(cString: strerror(errno))
            buffer.removeSubrange(oldCount...)
            throw CommandFailure("Reading \(name) failed: \(reason).")
        }
        buffer.removeSubrange((oldCount + count)...)
        if count == 0 { isAtEnd = true }
    }
}
