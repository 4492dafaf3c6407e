import CLMDB
import Foundation
import LedgerCore
@testable import LedgerLMDB
import Testing

/// The messages of writes the file system refuses: a full disk, a quota, the file size
/// limit, a write taken in part (which LMDB reports as EIO), and the fatal state LMDB is
/// left in when even the commit's meta page cannot be written.
@Suite struct StorageErrorTests {
    @Test(arguments: [ENOSPC, EDQUOT, EFBIG])
    func aWriteRefusedForSpaceSaysTheDiskIsFullAndNothingWasCommitted(code: Int32) {
        let error = lmdbError(code, "Committing a write transaction")
        #expect(error.code == .storageFailure)
        #expect(error.systemCode == code)
        #expect(error.message == "Committing a write transaction: the disk is full, or a disk quota or the file size limit was reached (\(String(cString: strerror(code)))). Nothing of this write was committed; free space (or raise the limit) and retry.")
    }

    @Test func aWriteTakenInPartNamesAFullDiskAsWellAsAFailingOne() {
        let error = lmdbError(EIO, "Committing a write transaction")
        #expect(error.code == .storageFailure)
        #expect(error.systemCode == EIO)
        #expect(error.message == "Committing a write transaction: the disk took only part of a write or reported an input/output error (Input/output error): the disk is full, a disk quota or the file size limit was reached, or the disk failed. A write that fails so is not committed; free space (or raise the limit), check the disk, and retry.")
    }

    @Test func lmdbsFatalStateSaysToReopen() {
        let error = lmdbError(MDB_PANIC, "Beginning a transaction")
        #expect(error.code == .storageFailure)
        #expect(error.message.hasPrefix("Beginning a transaction: an earlier write failed in a way LMDB does not recover from in this process ("))
        #expect(error.message.hasSuffix("Close the ledger and open it again; what was committed is kept."))
    }

    @Test func theSpaceFactsGiveTheFreeSpaceOnlyForSpaceErrors() throws {
        let folder = FileManager.default.temporaryDirectory.path
        let facts = spaceFacts(for: ENOSPC, at: folder)
        #expect(facts.hasPrefix(" When it failed, the ledger's file system had "))
        #expect(facts.contains(" bytes free"))
        #expect(spaceFacts(for: EIO, at: folder).contains(" bytes free"))
        #expect(spaceFacts(for: EACCES, at: folder) == "")
        #expect(spaceFacts(for: nil, at: folder) == "")
    }
}
