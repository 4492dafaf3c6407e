import LedgerCore
import Testing

@Suite struct StreamIDTests {
    @Test(arguments: ["C20240501001", "a", String(repeating: "x", count: 128), "Zoë-Ü"])
    func acceptsValidIDs(_ id: String) throws {
        #expect(try StreamID(id).rawValue == id)
    }

    @Test(arguments: ["", String(repeating: "x", count: 129), "tab\there", "line\nbreak", "\u{7F}"])
    func rejectsInvalidIDs(_ id: String) {
        #expect(throws: LedgerError.self) { try StreamID(id) }
        do {
            _ = try StreamID(id)
        } catch {
            #expect(error.code == .invalidStreamID)
        }
    }

    @Test func ordersByUTF8Bytes() {
        let upper: StreamID = "B", lower: StreamID = "a", longer: StreamID = "ab"
        #expect(upper < lower)
        #expect(lower < longer)
    }
}
