import CLMDB
import Foundation
import LedgerCore

/// The one checker every LMDB call goes through: 0 is success, anything else becomes a
/// ``LedgerError`` that says what was being done, with LMDB's code kept in `systemCode`.
@inline(__always)
func lmdbCheck(_ code: Int32, _ doing: @autoclosure () -> String) throws {
    guard code != 0 else { return }
    throw lmdbError(code, doing())
}

/// Turns an LMDB or errno code into the ledger's error.
func lmdbError(_ code: Int32, _ doing: String) -> LedgerError {
    let reason = String(cString: mdb_strerror(code))
    switch code {
    case MDB_MAP_FULL:
        return LedgerError(.ledgerFull, "\(doing): the ledger's memory map is full (\(reason)).", systemCode: code)
    case MDB_INVALID, MDB_CORRUPTED, MDB_PAGE_NOTFOUND:
        return LedgerError(
            .corrupted,
            "\(doing): the files are not a ledger or are damaged (\(reason)). Restore from a backup.",
            systemCode: code
        )
    case MDB_VERSION_MISMATCH:
        return LedgerError(
            .unsupportedFormat,
            "\(doing): the files were written by another LMDB version (\(reason)).",
            systemCode: code
        )
    case EACCES, EPERM, EROFS:
        return LedgerError(
            .permissionDenied,
            "\(doing): permission denied (\(reason)). Check the folder's owner and mode.",
            systemCode: code
        )
    case ENOSPC, EDQUOT, EFBIG:
        // LMDB writes the data pages, syncs them, and only then the meta page that commits:
        // a write refused for space never leaves a commit behind.
        return LedgerError(
            .storageFailure,
            "\(doing): the disk is full, or a disk quota or the file size limit was reached (\(reason)). Nothing of this write was committed; free space (or raise the limit) and retry.",
            systemCode: code
        )
    case EIO:
        // LMDB reports a write the file system took only in part as EIO: what a full disk
        // or the file size limit does to a write of several pages.
        return LedgerError(
            .storageFailure,
            "\(doing): the disk took only part of a write or reported an input/output error (\(reason)): the disk is full, a disk quota or the file size limit was reached, or the disk failed. A write that fails so is not committed; free space (or raise the limit), check the disk, and retry.",
            systemCode: code
        )
    case MDB_PANIC:
        return LedgerError(
            .storageFailure,
            "\(doing): an earlier write failed in a way LMDB does not recover from in this process (\(reason)). Close the ledger and open it again; what was committed is kept.",
            systemCode: code
        )
    default:
        return LedgerError(.storageFailure, "\(doing): \(reason) (LMDB code \(code)).", systemCode: code)
    }
}

/// The facts that tell a full disk or a reached limit from a failing disk, for the message
/// of a write that failed with `code`: the free space of `path`'s file system and this
/// process's file size limit. Empty for other codes.
func spaceFacts(for code: Int32?, at path: String) -> String {
    guard let code, [ENOSPC, EDQUOT, EFBIG, EIO].contains(code) else { return "" }
    var facts: [String] = []
    var stats = statvfs()
    if statvfs(path, &stats) == 0 {
        facts.append("the ledger's file system had \(UInt64(stats.f_bavail) * UInt64(stats.f_frsize)) bytes free")
    }
    var limit = rlimit()
    if getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
        facts.append("this process may write files of up to \(limit.rlim_cur) bytes (RLIMIT_FSIZE)")
    }
    return facts.isEmpty ? "" : " When it failed, " + facts.joined(separator: " and ") + "."
}
