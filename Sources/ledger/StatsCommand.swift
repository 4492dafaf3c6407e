import ArgumentParser
import CustomerLedger
import LedgerLMDB
import LedgerJSONLines

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
        let protection = try ledger.personalDataProtection()
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
            object.add("personalDataEncryption", protection.encryption.rawValue)
            object.add("masterKeyGiven", protection.masterKeyGiven)
            object.add("customerKeys", protection.customerKeys)
            object.add("erasedCustomers", protection.erasedCustomers)
            object.add("keyRotationUnfinished", protection.rotationUnfinished)
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
                ("personal data", Self.describe(protection)),
            ], to: output)
        }
        try output.finish()
    }

    /// How the ledger protects personal data, in words.
    static func describe(_ protection: PersonalDataProtection) -> String {
        switch protection.encryption {
        case .none:
            return "stored in clear: this ledger was created without a master key, so 'ledger forget' cannot erase anyone (create ledgers with --master-key-file)"
        case .undecided:
            return "no event yet: created without a master key, the first append stores personal data in clear (give --master-key-file to encrypt)"
        case .masterKey:
            var text = "encrypted (AES-256-GCM, a data key per customer wrapped by the master key)"
            text += protection.masterKeyGiven ? "; master key given" : "; no master key given, so personal fields read as locked"
            text += "; \(protection.customerKeys) customer key\(protection.customerKeys == 1 ? "" : "s"), \(protection.erasedCustomers) erased"
            if protection.rotationUnfinished { text += "; a master key rotation is unfinished: run 'ledger rotate-key' again" }
            return text
        }
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
