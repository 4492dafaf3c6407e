import CLMDB
import Foundation
public import LedgerCore

extension LMDBEventStore {
    /// Recomputes the hash chain over the log and reports the first place where it does
    /// not hold (docs/audit-chain.md).
    ///
    /// Every record's link is recomputed from the previous link and the record's stored
    /// bytes and compared with the link stored behind it; positions must follow each other
    /// without a gap from the start to the head, and the head stored beside the log must
    /// name the last record and its link.
    ///
    /// With a `digest`, the link at the digest's position must also be the digest's hash:
    /// that proves the log up to there is what it was when the digest was taken, and the
    /// rest of the walk proves it has only grown since. `incrementally` starts the walk at
    /// the digest's position instead of the start, trusting the records below it once
    /// their link at that position matches: much faster on a big ledger that was verified
    /// in full before, but a change below the digest that left the stored links alone is
    /// found only by a full walk.
    ///
    /// The walk reads `recordsPerTransaction` records per read transaction and keeps nothing
    /// of them, so memory stays flat and writers are not held up; appends made meanwhile
    /// are verified too. `progress` is called on the caller's thread after every
    /// transaction. It runs on the caller's thread for as long as it takes (about a second
    /// per few million events): from async code, call it from a task that may block.
    ///
    /// - Returns: the report; a broken chain is a finding, not an error.
    /// - Throws: `LedgerError` when the files cannot be read at all.
    public func verify(
        against digest: LedgerDigest? = nil,
        incrementally: Bool = false,
        recordsPerTransaction: Int = 100_000,
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(LedgerError) -> VerificationReport {
        let clock = ContinuousClock()
        let started = clock.now
        var walk = ChainWalk(digest: digest)
        let batch = max(1, recordsPerTransaction)
        var total: UInt64 = 0
        var done = false
        var first = true
        while !done {
            try readTransaction { transaction in
                if first {
                    first = false
                    let head = try GroupTransaction.readHead(transaction, schema).position.rawValue
                    if incrementally, let digest {
                        guard try walk.startAtDigest(digest, in: transaction, schema: schema) else {
                            done = true
                            return
                        }
                    }
                    total = head > walk.last ? head - walk.last : 0
                }
                done = try walk.step(in: transaction, schema: schema, records: batch)
            }
            if let progress {
                total = max(total, walk.verified)
                progress(VerificationProgress(
                    verified: walk.verified, total: total, position: LogPosition(walk.last), elapsed: clock.now - started
                ))
            }
        }
        return VerificationReport(
            startPosition: LogPosition(walk.start),
            digest: digest,
            eventsVerified: walk.verified,
            lastVerified: LogPosition(walk.last),
            lastHash: walk.link,
            problem: walk.problem,
            duration: clock.now - started
        )
    }

    /// The chain's head now, to keep for a later ``verify(against:incrementally:recordsPerTransaction:progress:)``.
    ///
    /// It is read from the last record's link (and checked against the head stored beside
    /// the log), not recomputed: take it after a verification passed, or right after writes
    /// you trust, and keep it where the ledger's host cannot change it.
    ///
    /// - Throws: `LedgerError` with `LedgerError/Code/corrupted` when the head does not
    ///   match the last record.
    public func digest() throws(LedgerError) -> LedgerDigest {
        try readTransaction { transaction in
            let head = try GroupTransaction.readHead(transaction, schema)
            guard head.position != .start else {
                return LedgerDigest(position: .start, hash: .genesis, time: Date())
            }
            let record = try withPositionKey(head.position.rawValue) { try transaction.get(schema.log, $0) }
            guard let record, EventRecord.layoutProblem(record) == nil else {
                throw LedgerError(.corrupted, "The head names position \(head.position), which holds no readable event: run 'ledger verify' to find what changed.")
            }
            let link = EventRecord.link(of: record)
            guard link == head.hash else {
                throw LedgerError(.corrupted, "The head's hash does not match the link of the event at position \(head.position): run 'ledger verify' to find what changed.")
            }
            return LedgerDigest(position: head.position, hash: link, time: Date())
        }
    }
}

/// The state of one verification between its read transactions: the last position whose
/// link was checked, that link, and the first problem found.
private struct ChainWalk {
    let digest: LedgerDigest?
    /// The position the walk started after (0, or the digest's for an incremental walk).
    private(set) var start: UInt64 = 0
    /// The last position verified, and its link.
    private(set) var last: UInt64 = 0
    private(set) var link = ChainHash.genesis
    private(set) var verified: UInt64 = 0
    private(set) var problem: VerificationProblem?

    init(digest: LedgerDigest?) {
        self.digest = digest
        if let digest, digest.position == .start, digest.hash != .genesis {
            problem = VerificationProblem(
                kind: .digestMismatch, position: .start, expected: ChainHash.genesis.hex, found: digest.hash.hex,
                message: "The digest is of an empty ledger (position 0) but its hash is not the genesis hash: it is not a digest of this ledger."
            )
        }
    }

    /// Starts after the digest's position once its record, its link and the link before it
    /// agree with the digest; returns false when they do not (``problem`` says why).
    mutating func startAtDigest(_ digest: LedgerDigest, in transaction: LMDBTransaction, schema: LedgerSchema) throws -> Bool {
        guard problem == nil else { return false }
        let position = digest.position.rawValue
        guard position > 0 else { return true }
        let head = try GroupTransaction.readHead(transaction, schema).position.rawValue
        guard let record = try Self.record(at: position, in: transaction, schema: schema) else {
            problem = position > head
                ? Self.beyondHead(digest, head: head)
                : VerificationProblem(
                    kind: .missingEvent, position: digest.position, expected: "an event", found: "no event",
                    message: "Position \(position), the digest's, holds no event: it was deleted."
                )
            return false
        }
        if let unreadable = Self.unreadable(record, at: position) {
            problem = unreadable
            return false
        }
        let stored = EventRecord.link(of: record)
        guard stored == digest.hash else {
            problem = Self.digestMismatch(digest, found: stored)
            return false
        }
        // The record at the digest's position must still hash to its link from the link
        // before it: its own bytes are covered too, not only the link stored behind it.
        var previous = ChainHash.genesis
        if position > 1 {
            guard let before = try Self.record(at: position - 1, in: transaction, schema: schema) else {
                problem = VerificationProblem(
                    kind: .missingEvent, position: LogPosition(position - 1), expected: "an event", found: "no event",
                    message: "Position \(position - 1) holds no event: it was deleted."
                )
                return false
            }
            if let unreadable = Self.unreadable(before, at: position - 1) {
                problem = unreadable
                return false
            }
            previous = EventRecord.link(of: before)
        }
        let expected = ChainLink.after(previous, record: EventRecord.body(of: record))
        guard expected == stored else {
            problem = Self.mismatch(at: position, expected: expected, found: stored)
            return false
        }
        start = position
        last = position
        link = stored
        return true
    }

    /// Verifies up to `records` records after ``last`` in one read transaction; at the end
    /// of the log, also the head and the digest. Returns whether the walk is over.
    mutating func step(in transaction: LMDBTransaction, schema: LedgerSchema, records: Int) throws -> Bool {
        guard problem == nil else { return true }
        return try transaction.withCursor(schema.log) { cursor in
            var entry = try withPositionKey(last + 1) { try cursor.seek($0) }
            var count = 0
            while let (key, value) = entry {
                guard key.count == 8 else {
                    problem = VerificationProblem(
                        kind: .unreadableRecord, position: LogPosition(last + 1), expected: "an 8-byte position key",
                        found: "a \(key.count)-byte key",
                        message: "The log holds a \(key.count)-byte key after position \(last), where position \(last + 1) belongs."
                    )
                    return true
                }
                let position = key.readBE(UInt64.self, at: 0)
                guard position == last + 1 else {
                    problem = VerificationProblem(
                        kind: .missingEvent, position: LogPosition(last + 1), expected: "position \(last + 1)",
                        found: "position \(position)",
                        message: "Position \(last + 1) holds no event: the log goes from \(last) to \(position), so events were deleted."
                    )
                    return true
                }
                if let unreadable = Self.unreadable(value, at: position) {
                    problem = unreadable
                    return true
                }
                let stored = EventRecord.link(of: value)
                let expected = ChainLink.after(link, record: EventRecord.body(of: value))
                guard expected == stored else {
                    problem = Self.mismatch(at: position, expected: expected, found: stored)
                    return true
                }
                if let digest, digest.position.rawValue == position, stored != digest.hash {
                    problem = Self.digestMismatch(digest, found: stored)
                    return true
                }
                last = position
                link = stored
                verified += 1
                count += 1
                if count == records { return false }
                entry = try cursor.move(MDB_NEXT)
            }
            finish(head: try GroupTransaction.readHead(transaction, schema))
            return true
        }
    }

    /// At the end of the log: the head must name the last record and its link, and the
    /// digest must not be past it.
    private mutating func finish(head: HeadState) {
        if head.position.rawValue > last {
            problem = VerificationProblem(
                kind: .missingEvent, position: LogPosition(last + 1), expected: "events up to the head at position \(head.position)",
                found: "the log ends at position \(last)",
                message: "Position \(last + 1) holds no event: the log ends at \(last) but its head is at \(head.position), so events were deleted."
            )
        } else if head.position.rawValue < last {
            problem = VerificationProblem(
                kind: .headMismatch, position: head.position, expected: "the head at position \(last)",
                found: "the head at position \(head.position)",
                message: "The head names position \(head.position) but the log goes on to position \(last)."
            )
        } else if head.hash != link {
            problem = VerificationProblem(
                kind: .headMismatch, position: head.position, expected: link.hex, found: head.hash.hex,
                message: "The head's hash at position \(head.position) is not the link of the event there: expected \(link.hex), found \(head.hash.hex)."
            )
        } else if let digest, digest.position.rawValue > last {
            problem = Self.beyondHead(digest, head: last)
        }
    }

    private static func record(at position: UInt64, in transaction: LMDBTransaction, schema: LedgerSchema) throws -> UnsafeRawBufferPointer? {
        try withPositionKey(position) { try transaction.get(schema.log, $0) }
    }

    private static func unreadable(_ record: UnsafeRawBufferPointer, at position: UInt64) -> VerificationProblem? {
        guard let layoutProblem = EventRecord.layoutProblem(record) else { return nil }
        return VerificationProblem(
            kind: .unreadableRecord, position: LogPosition(position), expected: "a record of layout \(EventRecord.layout)",
            found: "\(record.count) bytes that do not parse",
            message: "The event record at position \(position) \(layoutProblem), so its link cannot be checked."
        )
    }

    private static func mismatch(at position: UInt64, expected: ChainHash, found: ChainHash) -> VerificationProblem {
        VerificationProblem(
            kind: .hashMismatch, position: LogPosition(position), expected: expected.hex, found: found.hex,
            message: "The event at position \(position) does not match its hash chain link: expected \(expected.hex), found \(found.hex). It was changed, or events were moved."
        )
    }

    private static func digestMismatch(_ digest: LedgerDigest, found: ChainHash) -> VerificationProblem {
        VerificationProblem(
            kind: .digestMismatch, position: digest.position, expected: digest.hash.hex, found: found.hex,
            message: "The link at position \(digest.position) is not the digest's: expected \(digest.hash.hex), found \(found.hex). The log up to \(digest.position) changed since the digest was taken."
        )
    }

    private static func beyondHead(_ digest: LedgerDigest, head: UInt64) -> VerificationProblem {
        VerificationProblem(
            kind: .digestBeyondHead, position: digest.position, expected: "events up to position \(digest.position)",
            found: "the log ends at position \(head)",
            message: "The digest names position \(digest.position) but the log ends at \(head): events were removed since the digest was taken."
        )
    }
}
