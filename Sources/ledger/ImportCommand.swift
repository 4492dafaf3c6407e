import ArgumentParser
import CustomerLedger
import Foundation
import LedgerLMDB
import LedgerJSONLines

/// `ledger import FILE`: appends the events of a JSON Lines file, one atomic append per
/// batch of lines.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import events from a JSON Lines file, one event per line.",
        discussion: """
            Each batch of lines (--batch-size) is one atomic append: all of it is written or \
            none. A malformed line stops the import before its batch is written, and earlier \
            batches stay; with --skip-invalid it is reported and skipped instead. Lines that \
            give an "id" are imported once: importing the same file again (with the same batch \
            size) reports them as already present. The format is in docs/jsonl-format.md.
            """
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Argument(
        help: ArgumentHelp("The JSON Lines file to read, or - for standard input.", valueName: "file"),
        completion: .file()
    )
    var file: String

    @Option(help: "Lines per atomic append.")
    var batchSize = 1000

    @Flag(help: "Report and skip malformed lines instead of stopping at the first.")
    var skipInvalid = false

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1.") }
    }

    mutating func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let reader = try LineReader(path: file)
        let ledger = try ledgerOptions.openLedger()
        defer { ledger.close() }
        var progress = Progress()
        var checks = CrossLineChecks()
        let maximumPayloadSize = ledger.store.options.maximumEventSize

        while true {
            // Read and check a whole batch before anything of it is appended.
            var batch = AppendBatch()
            checks.startBatch()
            var lines: ClosedRange<Int>?
            var lineCount = 0
            while lineCount < batchSize, let line = try reader.nextLine() {
                if LineReader.isBlank(line.text) { continue }
                lineCount += 1
                let batchStart = lines?.lowerBound ?? line.number
                lines = batchStart...line.number
                do throws(LineProblem) {
                    let decoded = try JSONLines.decode(line.text, maximumPayloadSize: maximumPayloadSize)
                    try checks.accept(decoded.event, line: line.number)
                    batch.add(decoded.event, to: decoded.customer)
                } catch {
                    StandardError.line("\(reader.name):\(line.number): \(error.reason)")
                    guard skipInvalid else {
                        throw CommandFailure(
                            "Import stopped at \(reader.name):\(line.number). \(progress.sentence) before line \(batchStart); nothing from that line on was written. Fix the line and import again (lines with an id are not imported twice), or pass --skip-invalid."
                        )
                    }
                    progress.skipped += 1
                }
            }
            guard let lines else { break }
            guard !batch.isEmpty else { continue }
            do {
                let outcome = try await ledger.appendCounting(batch.appends)
                progress.written += outcome.written
                progress.alreadyPresent += outcome.alreadyPresent
                progress.batches += 1
            } catch {
                throw CommandFailure(
                    "The ledger refused lines \(lines.lowerBound)–\(lines.upperBound) of \(reader.name), so none of them was written: \(error.message) \(progress.sentence) before line \(lines.lowerBound)."
                )
            }
        }

        let output = OutputWriter.standardOutput()
        try output.line("Imported \(reader.name) into \(ledgerOptions.path).")
        var facts = [
            ("events imported", String(progress.written)),
            ("already present", String(progress.alreadyPresent)),
        ]
        if skipInvalid { facts.append(("invalid lines skipped", String(progress.skipped))) }
        facts.append(("batches", String(progress.batches)))
        facts.append(("time", Self.seconds(clock.now - started)))
        try TextTable.printFacts(facts, to: output)
        try output.finish()
        if progress.skipped > 0 {
            StandardError.line("\(progress.skipped) invalid line\(progress.skipped == 1 ? "" : "s") skipped.")
        }
    }

    /// Checks between lines, so that the error names a line: what the ledger would refuse
    /// a whole batch for, and what it does not check at all.
    private struct CrossLineChecks {
        /// The lines of this batch's event ids: one append may not hold an id twice.
        private var idLines: [EventID: Int] = [:]
        private var newestRecordedAt: (date: Date, line: Int)?
        private var firstLineWithoutRecordedAt: Int?

        mutating func startBatch() {
            idLines = [:]
        }

        mutating func accept(_ event: ProposedEvent, line: Int) throws(LineProblem) {
            if let earlier = idLines[event.id] {
                throw LineProblem(reason: "id \(event.id) is also on line \(earlier) of the same batch: each event needs its own id")
            }
            if let recordedAt = event.recordedAt {
                if let earlier = firstLineWithoutRecordedAt {
                    // The ledger records that line when it is appended and does not compare a
                    // later given recordedAt with it, so the log's recordedAt order would break.
                    throw LineProblem(
                        reason: "gives \"recordedAt\" after line \(earlier), which leaves it to the ledger (so that line is recorded at the time of the import): give recordedAt on every line or on none"
                    )
                }
                if let newest = newestRecordedAt, recordedAt < newest.date {
                    throw LineProblem(
                        reason: "\"recordedAt\" \(Timestamp.format(recordedAt)) is earlier than line \(newest.line)'s \(Timestamp.format(newest.date)): recordedAt never decreases along the log, so lines must be in recordedAt order"
                    )
                }
                newestRecordedAt = (recordedAt, line)
            } else if firstLineWithoutRecordedAt == nil {
                firstLineWithoutRecordedAt = line
            }
            idLines[event.id] = line
        }
    }

    /// What has been imported so far.
    private struct Progress {
        var written = 0
        var alreadyPresent = 0
        var skipped = 0
        var batches = 0

        var sentence: String {
            let events = written + alreadyPresent
            return "\(events) event\(events == 1 ? " was" : "s were") imported (\(written) written, \(alreadyPresent) already present, in \(batches) batch\(batches == 1 ? "" : "es"))"
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f s", Double(seconds) + Double(attoseconds) / 1e18)
    }
}
