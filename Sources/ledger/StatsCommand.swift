import ArgumentParser
import CustomerLedger
import LedgerLMDB

/// `ledger stats`: counts and storage facts of a ledger.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show how many events and customers a ledger holds, and its storage facts.",
        discussion: "Durability is the mode this command opened the ledger with (the default, durable), not a property of the files."
    )

    @OptionGroup var ledgerOptions: LedgerOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    mutating func run() async throws {
        let ledger = try ledgerOptions.openExistingLedger()
        defer { ledger.close() }
        let totals = try ledger.totals()
        let storage = try ledger.store.storageInfo()
        let durability = storage.durability == .durable ? "durable" : "relaxed"
        let output = OutputWriter.standardOutput()
        if json {
            var object = JSONObjectWriter()
            object.add("path", ledgerOptions.path)
            object.add("events", totals.eventCount)
            object.add("streams", totals.streamCount)
            object.add("headPosition", totals.head.rawValue)
            if let last = totals.lastRecordedAt {
                object.add("lastRecordedAt", Timestamp.format(last))
            } else {
                object.addNull("lastRecordedAt")
            }
            object.add("formatVersion", storage.formatVersion)
            object.add("dataFileSize", storage.fileSize)
            object.add("mapSize", storage.mapSize)
            object.add("maximumMapSize", storage.maximumMapSize)
            object.add("durability", durability)
            try output.line(object.text())
        } else {
            try TextTable.printFacts([
                ("ledger", ledgerOptions.path),
                ("events", String(totals.eventCount)),
                ("customers (streams)", String(totals.streamCount)),
                ("head position", String(totals.head.rawValue)),
                ("last recorded at", totals.lastRecordedAt.map { Timestamp.format($0) } ?? "-"),
                ("format version", String(storage.formatVersion)),
                ("data file size", Self.bytes(storage.fileSize)),
                ("map size", Self.bytes(storage.mapSize) + " (grows up to " + Self.bytes(storage.maximumMapSize) + ")"),
                ("durability", durability),
            ], to: output)
        }
        try output.finish()
    }

    /// A byte count for people: `1.5 MiB (1572864 bytes)`.
    static func bytes(_ count: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = "bytes"
        for next in units where value >= 1024 {
            value /= 1024
            unit = next
        }
        if unit == "bytes" { return "\(count) bytes" }
        let rounded = (value * 10).rounded() / 10
        return "\(rounded) \(unit) (\(count) bytes)"
    }
}
