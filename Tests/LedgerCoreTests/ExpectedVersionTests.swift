import LedgerCore
import Testing

@Suite struct ExpectedVersionTests {
    @Test(arguments: [
        (ExpectedVersion.any, StreamVersion(0), true),
        (.any, 7, true),
        (.noStream, 0, true),
        (.noStream, 1, false),
        (.streamExists, 0, false),
        (.streamExists, 3, true),
        (.exactly(0), 0, true),
        (.exactly(3), 3, true),
        (.exactly(3), 4, false),
        (.exactly(3), 2, false),
    ])
    func checksAgainstActualVersion(expected: ExpectedVersion, actual: StreamVersion, satisfied: Bool) {
        #expect(expected.isSatisfied(by: actual) == satisfied)
    }
}
