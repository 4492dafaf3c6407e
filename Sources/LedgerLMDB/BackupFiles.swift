import Crypto
import Foundation
import LedgerCore

/// The file work of backups and restores: new folders (0700) and files (0600) that are
/// never overwritten, syncs, and SHA-256 digests read in pieces.
enum BackupFiles {
    /// The size of the pieces files are read and copied in.
    static let chunkSize = 1 << 20

    /// Makes `path` ready to receive a backup or a restored ledger: a folder that does not
    /// exist yet is created (mode 0700, parents as needed); one that exists must be empty
    /// and is set to mode 0700. Returns whether it created the folder, so that a failure can
    /// take it away again.
    ///
    /// - Throws: `invalidInput` when `path` is a file or a folder with anything in it:
    ///   a backup or a restore never overwrites; `permissionDenied` or `storageFailure`
    ///   when the folder cannot be made or changed.
    static func prepareEmptyFolder(_ path: String, purpose: String) throws(LedgerError) -> Bool {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw LedgerError(.invalidInput, "\(path) is a file: give a new or empty folder for the \(purpose).")
            }
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw LedgerError(.permissionDenied, "The folder \(path) cannot be read: \(error.localizedDescription) Fix its owner or mode, or give another folder.")
            }
            if entries.contains("data.mdb") {
                throw LedgerError(
                    .invalidInput,
                    "The folder \(path) already holds a ledger or a backup (data.mdb): the \(purpose) never overwrites one, so give a new or empty folder."
                )
            }
            guard entries.isEmpty else {
                throw LedgerError(
                    .invalidInput,
                    "The folder \(path) is not empty (it holds \(entries.sorted().prefix(3).joined(separator: ", "))\(entries.count > 3 ? ", …" : "")): the \(purpose) never overwrites anything, so give a new or empty folder."
                )
            }
            guard chmod(path, 0o700) == 0 else { throw failure(errno, "Setting the mode of \(path) to 0700") }
            return false
        }
        // URL, not NSString: Foundation's deletingLastPathComponent traps on one-character paths.
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: parent) {
            try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        guard mkdir(path, 0o700) == 0 else { throw failure(errno, "Creating the folder \(path) for the \(purpose)") }
        // The umask can only take permissions away; make it exactly 0700 all the same.
        guard chmod(path, 0o700) == 0 else { throw failure(errno, "Setting the mode of \(path) to 0700") }
        return true
    }

    /// Creates `path`, which must not exist, for writing with mode 0600.
    static func createFile(_ path: String) throws(LedgerError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure(errno, "Creating \(path)") }
        guard fchmod(descriptor, 0o600) == 0 else {
            let code = errno
            close(descriptor)
            throw failure(code, "Setting the mode of \(path) to 0600")
        }
        return descriptor
    }

    /// Syncs and closes a file this code created.
    static func syncAndClose(_ descriptor: Int32, _ path: String) throws(LedgerError) {
        let synced = fsync(descriptor) == 0 ? 0 : errno
        let closed = close(descriptor) == 0 ? 0 : errno
        if synced != 0 { throw failure(synced, "Syncing \(path) to disk") }
        if closed != 0 { throw failure(closed, "Closing \(path)") }
    }

    /// Syncs a folder, so that the names of files just created in it survive a crash.
    static func syncFolder(_ path: String) throws(LedgerError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(errno, "Opening the folder \(path) to sync it") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure(errno, "Syncing the folder \(path)") }
    }

    /// Writes `bytes` to a new file (mode 0600) through a temporary name, synced, so that
    /// the file appears whole or not at all.
    static func writeNewFile(_ bytes: Data, to path: String) throws(LedgerError) {
        let temporary = path + ".partial"
        let descriptor = try createFile(temporary)
        do throws(LedgerError) {
            try write(bytes, to: descriptor, path: temporary)
            try syncAndClose(descriptor, temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        guard link(temporary, path) == 0 else {
            // link, unlike rename, refuses to replace a file that appeared meanwhile.
            let code = errno
            unlink(temporary)
            throw failure(code, "Naming \(path)")
        }
        unlink(temporary)
    }

    /// The size and SHA-256 (lower-case hex) of the file at `path`.
    static func digest(of path: String) throws(LedgerError) -> (byteCount: Int, sha256: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(errno, "Opening \(path)") }
        defer { close(descriptor) }
        var hasher = SHA256()
        let count = try forEachChunk(of: descriptor, path: path) { hasher.update(bufferPointer: $0) }
        return (count, hex(hasher.finalize()))
    }

    /// Copies the file at `source` to `destination`, which must not exist (created 0600 and
    /// synced), and returns the size and SHA-256 of what it copied.
    static func copyFile(from source: String, to destination: String) throws(LedgerError) -> (byteCount: Int, sha256: String) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure(errno, "Opening \(source)") }
        defer { close(input) }
        let output = try createFile(destination)
        var hasher = SHA256()
        let count: Int
        do throws(LedgerError) {
            count = try forEachChunk(of: input, path: source) { (chunk) throws(LedgerError) in
                hasher.update(bufferPointer: chunk)
                try write(chunk, to: output, path: destination)
            }
            try syncAndClose(output, destination)
        } catch {
            close(output)
            unlink(destination)
            throw error
        }
        return (count, hex(hasher.finalize()))
    }

    /// Calls `body` with the file's bytes in order, a piece at a time; returns the total.
    private static func forEachChunk(
        of descriptor: Int32, path: String, _ body: (UnsafeRawBufferPointer) throws(LedgerError) -> Void
    ) throws(LedgerError) -> Int {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            let count = read(descriptor, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno, "Reading \(path)")
            }
            if count == 0 { return total }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += count
        }
    }

    private static func write(_ bytes: some ContiguousBytes, to descriptor: Int32, path: String) throws(LedgerError) {
        let code: Int32 = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
        if code != 0 { throw failure(code, "Writing \(path)") }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// A failed system call as the ledger's error: permissions, a full disk or otherwise.
    static func failure(_ code: Int32, _ doing: String) -> LedgerError {
        let reason = String(cString: strerror(code))
        switch code {
        case EACCES, EPERM, EROFS:
            return LedgerError(.permissionDenied, "\(doing) failed: \(reason). Check the folder's owner and mode.", systemCode: code)
        case ENOSPC:
            return LedgerError(.storageFailure, "\(doing) failed: the disk is full (\(reason)). Free space and try again.", systemCode: code)
        case EEXIST:
            return LedgerError(.invalidInput, "\(doing) failed: it already exists, and nothing is overwritten.", systemCode: code)
        default:
            return LedgerError(.storageFailure, "\(doing) failed: \(reason).", systemCode: code)
        }
    }
}
