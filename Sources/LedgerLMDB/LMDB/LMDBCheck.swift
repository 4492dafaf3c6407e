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
    case ENOSPC:
        return LedgerError(
            .storageFailure,
            "\(doing): the disk is full (\(reason)). Nothing of this write was committed; free space and retry.",
            systemCode: code
        )
    default:
        return LedgerError(.storageFailure, "\(doing): \(reason) (LMDB code \(code)).", systemCode: code)
    }
}
