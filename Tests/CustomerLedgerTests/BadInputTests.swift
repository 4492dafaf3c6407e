import CustomerLedger
import Foundation
import Testing

/// The bad inputs of docs/errors.md that reach the library, with the exact code and message
/// each gets: appends, stored events from a newer version, and damaged, foreign or
/// inaccessible ledger folders.
@Suite struct BadInputLibraryTests {
    // MARK: Appends

    @Test(arguments: [
        ("", #"Stream id "" is empty: give a non-empty id."#),
        (String(repeating: "C", count: 129), #"Stream id "\#(String(repeating: "C", count: 129))" is 129 bytes long: ids are at most 128 bytes of UTF-8."#),
        (String(repeating: "€", count: 43), #"Stream id "\#(String(repeating: "€", count: 43))" is 129 bytes long: ids are at most 128 bytes of UTF-8."#),
        ("C1\u{0}", #"Stream id "C1\0" contains a control character: ids must be printable."#),
        ("C\n1", #"Stream id "C\n1" contains a control character: ids must be printable."#),
    ])
    func badStreamIDs(_ id: String, _ message: String) {
        let error = #expect(throws: LedgerError.self) { try StreamID(id) }
        #expect(error?.code == .invalidStreamID)
        #expect(error?.message == message)
    }

    @Test(arguments: [
        ("x y", #"Event 0 for stream C1 has type "x y", which contains a space or a control character."#),
        ("", #"Event 0 for stream C1 has type "", which is empty."#),
        (String(repeating: "t", count: 256), #"Event 0 for stream C1 has type "\#(String(repeating: "t", count: 256))", which is longer than 255 bytes."#),
    ])
    func badTypeNamesOnAppend(_ type: String, _ message: String) async throws {
        let fixture = try LedgerFixture()
        let error = await #expect(throws: LedgerError.self) {
            try await fixture.ledger.append([ProposedEvent(type: type, payload: Data("{}".utf8))], to: "C1")
        }
        #expect(error?.code == .invalidEvent)
        #expect(error?.message == message)
    }

    // MARK: Events from a newer version

    /// A built-in event stored by a newer library (schema version 2): refused as
    /// unsupported, not taken for damage.
    @Test func aBuiltInEventOfANewerSchemaVersion() throws {
        let proposed = try ProposedEvent(CustomerTagged(tag: "vip"), occurredAt: day("2024-05-01"))
        let recorded = RecordedEvent(
            position: 5, stream: "C1", version: 1, id: proposed.id, type: proposed.type, schemaVersion: 2,
            occurredAt: proposed.occurredAt, recordedAt: proposed.occurredAt, metadata: .empty,
            contentType: proposed.contentType, payload: proposed.payload
        )
        let error = #expect(throws: LedgerError.self) { try CustomerEvent(decoding: recorded) }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.message == "The customer.tagged event at position 5 does not decode: it has schema version 2, and this library's customer.tagged is version 1.")
    }

    // MARK: Damaged, foreign and inaccessible ledger folders

    /// A closed ledger of three events in a fresh folder.
    static func ledgerFolder() async throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        try await fixture.ledger.append((1...3).map { ProposedEvent(type: "x.y", payload: Data("{\"n\":\($0)}".utf8)) }, to: "C1")
        fixture.ledger.close()
        return fixture
    }

    static func damagedMessage(_ path: String) -> String {
        "Opening the ledger at \(path): the files are not a ledger or are damaged (MDB_INVALID: File is not an LMDB file). Restore from a backup."
    }

    static func replaceDataFile(in folder: String, with contents: Data) throws {
        try contents.write(to: URL(fileURLWithPath: folder + "/data.mdb"))
    }

    /// An empty data file, cut to nothing beside its lock file or alone in the folder: LMDB
    /// would start a new ledger in it, and the open refuses it instead, writing nothing.
    @Test(arguments: [true, false])
    func aDataFileCutToNothing(keepingTheLockFile: Bool) async throws {
        let fixture = try await Self.ledgerFolder()
        let path = fixture.folder.appendingPathComponent("ledger").path
        try Self.replaceDataFile(in: path, with: Data())
        if !keepingTheLockFile { try FileManager.default.removeItem(atPath: path + "/lock.mdb") }
        let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
        #expect(error?.code == .corrupted)
        #expect(error?.message == "The data file \(path)/data.mdb is empty (0 bytes): it was cut to nothing or replaced, and the ledger's events are not in it. Restore the ledger from a backup (if the folder never held a ledger, delete data.mdb to start a new one).")
        #expect(try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int == 0)
        #expect(FileManager.default.fileExists(atPath: path + "/lock.mdb") == keepingTheLockFile)
    }

    /// Cut inside LMDB's meta pages. (Cut past them but short of the last page:
    /// `TruncatedDataFileTests`.)
    @Test(arguments: [1, 100, 4_095, 4_096])
    func aTruncatedDataFile(_ length: Int) async throws {
        let fixture = try await Self.ledgerFolder()
        let path = fixture.folder.appendingPathComponent("ledger").path
        let data = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
        try Self.replaceDataFile(in: path, with: data.prefix(length))
        let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
        #expect(error?.code == .corrupted)
        #expect(error?.message == Self.damagedMessage(path))
        #expect(error?.systemCode == -30793)  // MDB_INVALID
    }

    static let pngHeader: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static let randomBytes: Data = {
        var generator = SplitMix(seed: 11)
        var bytes = Data(count: 16_384)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: generator.next()) }
        return bytes
    }()

    @Test(arguments: [
        ("text", Data("name,amount\nAda,12.30\n".utf8)),
        ("a PNG header", Data(pngHeader + [UInt8](repeating: 0, count: 8_184))),
        ("random bytes", randomBytes),
    ] as [(String, Data)])
    func aForeignFileAsTheDataFile(_ name: String, _ contents: Data) async throws {
        let fixture = try await Self.ledgerFolder()
        let path = fixture.folder.appendingPathComponent("ledger").path
        try Self.replaceDataFile(in: path, with: contents)
        let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
        #expect(error?.code == .corrupted, "\(name)")
        #expect(error?.message == Self.damagedMessage(path), "\(name)")
    }

    /// Root passes every permission check, so this runs for other users only; the command
    /// tests (BadInputCommandTests) cover root by running the tool as nobody.
    @Test(.enabled(if: geteuid() != 0, "the file system does not check root's permissions"))
    func aLedgerFolderWithoutPermission() async throws {
        let fixture = try await Self.ledgerFolder()
        let path = fixture.folder.appendingPathComponent("ledger").path
        #expect(chmod(path, 0) == 0)
        defer { chmod(path, 0o700) }
        let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
        #expect(error?.code == .permissionDenied)
        #expect(error?.message == "The ledger folder \(path) is not readable and writable by this user: fix its owner or mode (the ledger creates it as 0700).")
    }
}
