extension Ledger {
    /// Recomputes the hash chain over the log and reports the first place where it does
    /// not hold; with a digest, also proves the log up to the digest's position unchanged
    /// and only grown since. See `LMDBEventStore/verify(against:incrementally:recordsPerTransaction:progress:)`
    /// and docs/audit-chain.md.
    public func verify(
        against digest: LedgerDigest? = nil,
        incrementally: Bool = false,
        recordsPerTransaction: Int = 100_000,
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(LedgerError) -> VerificationReport {
        try store.verify(against: digest, incrementally: incrementally, recordsPerTransaction: recordsPerTransaction, progress: progress)
    }

    /// The chain's head now (position, hash, time), to keep where the ledger's host cannot
    /// change it and verify against later. See `LMDBEventStore/digest()`.
    public func digest() throws(LedgerError) -> LedgerDigest {
        try store.digest()
    }
}
