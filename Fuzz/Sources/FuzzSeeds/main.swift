import CustomerLedger
import Foundation
import FuzzSupport

// Writes the seed corpus into Fuzz/Corpus/ (or the folder given as the one argument):
//
// - FuzzImportLine/: JSON Lines files: the example of every built-in type from
//   docs/event-types.md as an import line, richer variants (optional fields, non-ASCII text,
//   other currencies), lines that use every top-level key of docs/jsonl-format.md, a host
//   type, and a few lines the importer refuses.
// - FuzzBinaryDecoder/: the same built-in examples encoded as the ledger stores them (the
//   binary layout, content type 2), each behind its type byte (`BinaryInput`).
//
// Run it again when a built-in type is added: `swift run FuzzSeeds` in Fuzz/ (a normal
// build, without the sanitizers).

/// One JSON form per example: docs/event-types.md first, then variants that reach more of
/// each layout (Tests/LedgerCommandTests/ImportTypedEventsTests.swift's typed lines).
let examples: [(type: String, json: String)] = [
    ("customer.registered", #"{"kind":"company","name":"Groß & Söhne","industry":"Maschinenbau","contactPerson":{"name":"Jürgen Groß","title":"Einkäufer"},"city":"Köln","country":"DE","contractValue":"120000.00","contractCurrency":"EUR","dates":{"contractRenewal":"2025-03-31"},"contacts":[{"kind":"email","value":"einkauf@example.de","primary":true}],"owner":"agent:mia","tags":["high-potential"]}"#),
    ("customer.registered", #"{"address":"1 Main St","city":"Köln","contactPerson":{"name":"Jürgen"},"contacts":[{"kind":"email","primary":true,"value":"j@example.de"},{"kind":"phone","primary":false,"value":"+49 221 0000"}],"contractCurrency":"KWD","contractValue":"1200.500","dates":{"anniversary":"2000-02-29","birthday":"1980-02-29"},"firstContact":"2023-01-15T09:00:00.123456Z","kind":"person","name":"Ada","owner":"agent:李","tags":["a","b"]}"#),
    ("customer.updated", #"{"city":"Zürich","country":"CH"}"#),
    ("customer.updated", #"{"address":"x","contactPerson":{"name":"N","title":"T"},"contractCurrency":"JPY","contractValue":"1500","dates":{"contractRenewal":"2025-03-31"},"firstContact":"2023-01-15T09:00:00Z","industry":"i","kind":"company","name":"Nordwind"}"#),
    ("customer.contactAdded", #"{"kind":"phone","value":"+41 44 000 00 00","primary":true}"#),
    ("customer.contactRemoved", #"{"kind":"email","value":"old@example.com"}"#),
    ("customer.ownerAssigned", #"{"owner":"agent:mia"}"#),
    ("customer.tagged", #"{"tag":"complaint-risk"}"#),
    ("customer.untagged", #"{"tag":"complaint-risk"}"#),
    ("consent.changed", #"{"channel":"email","status":"granted","lawfulBasis":"consent","source":"newsletter form"}"#),
    ("consent.changed", #"{"channel":"phone","lawfulBasis":"legitimateInterest","status":"withdrawn"}"#),
    ("customer.forgotten", #"{"reason":"GDPR Art. 17 request"}"#),
    ("customer.forgotten", #"{}"#),
    ("customers.merged", #"{"survivor":"C20240501001","merged":["C20240612007"]}"#),
    ("customers.merged", #"{"survivor":"C2","merged":["C1","C3","C4"]}"#),
    ("customers.unmerged", #"{"survivor":"C20240501001","restored":["C20240612007"]}"#),
    ("interaction.recorded", #"{"interactionId":"I-2024-0042","channel":"phone","direction":"inbound","subject":"Renewal","agent":"agent:mia","nextAction":{"description":"Send offer","dueAt":"2024-05-03T17:00:00Z"}}"#),
    ("interaction.recorded", #"{"channel":"meeting","direction":"outbound","interactionId":"I-1","nextAction":{"description":"Call","dueAt":"2024-05-03T17:00:00.250000Z"}}"#),
    ("followUp.completed", #"{"interactionId":"I-2024-0042","outcome":"offer sent"}"#),
    ("purchase.completed", #"{"orderId":"O-17","amount":"17.50","currency":"USD","channel":"web","lines":[{"sku":"A-1","quantity":2,"amount":"20.00","currency":"USD"},{"sku":"DISCOUNT","quantity":1,"amount":"-2.50","currency":"USD"}]}"#),
    ("purchase.completed", #"{"amount":"1500","currency":"JPY","orderId":"O-2"}"#),
    ("purchase.completed", #"{"amount":"92233720368547758.07","currency":"USD","orderId":"O-max"}"#),
    ("refund.issued", #"{"orderId":"O-17","amount":"2.50","currency":"USD","reason":"damaged"}"#),
    ("refund.issued", #"{"amount":"0.001","currency":"KWD","orderId":"O-1"}"#),
    ("order.cancelled", #"{"orderId":"O-17","reason":"duplicate"}"#),
    ("complaint.opened", #"{"complaintId":"K-7","category":"delivery","severity":"high","description":"Parcel missing"}"#),
    ("complaint.opened", #"{"category":"billing","complaintId":"K-8","severity":"low"}"#),
    ("complaint.resolved", #"{"complaintId":"K-7","resolution":"Re-shipped"}"#),
    ("survey.answered", #"{"surveyId":"NPS-2024-Q2","kind":"nps","score":9,"dimensions":{"service":8,"product":10},"comment":"Très bien","channel":"email"}"#),
    ("survey.answered", #"{"channel":"email","comment":"👍","dimensions":{"product":9,"service":10},"kind":"nps","score":10,"stageAtResponse":"growth","surveyId":"S-1","tierAtResponse":"key"}"#),
    ("survey.answered", #"{"kind":"csat","score":5,"surveyId":"S-2"}"#),
    ("survey.answered", #"{"kind":"ces","score":1,"surveyId":"S-3"}"#),
]

/// Whole lines around the payloads: every top-level key, a host type, and bad lines.
let extraLines: [(name: String, lines: [String])] = [
    ("all-keys", [
        #"{"position":7,"id":"0190a5e0-8a4c-7c3e-9b1d-2f4a6c8e0a12","customer":"C1","version":3,"type":"customer.tagged","schemaVersion":1,"occurredAt":"2024-05-01T12:00:00.25+02:00","recordedAt":"2024-05-01T10:00:01.000000Z","metadata":{"actor":"agent:mia","causationId":"c-1","correlationId":"k-1","tenant":"acme"},"data":{"tag":"vip"}}"#,
    ]),
    ("host-type", [
        #"{"customer":"C1","type":"acme.loyalty.pointsEarned","schemaVersion":2,"occurredAt":"2024-05-01T10:00:00Z","data":{"points":12.30,"note":null,"list":[1,"a",true,{}]}}"#,
    ]),
    ("base64", [
        #"{"customer":"C1","type":"acme.blob","occurredAt":"2024-05-01T10:00:00Z","dataBase64":"AAECAwQ="}"#,
        #"{"customer":"C1","type":"acme.json","occurredAt":"2024-05-01T10:00:00Z","contentType":"json","dataBase64":"eyJ0YWciOiJ2aXAifQ=="}"#,
        #"{"customer":"C1","type":"customer.tagged","occurredAt":"2024-05-01T10:00:00Z","contentType":"json","dataBase64":"eyJ0YWciOiJ2aXAifQ=="}"#,
        #"{"customer":"C1","type":"acme.other","occurredAt":"2024-05-01T10:00:00Z","contentType":200,"dataBase64":""}"#,
    ]),
    ("bad-lines", [
        #"{"customer":"C1","type":"x.y","occurredAt":"2024-05-01T10:00:00Z","data":{"a":1}"#,
        #"["not","an","object"]"#,
        #"{"customer":"C1","type":"survey.answered","occurredAt":"2024-02-30T10:00:00Z","data":{"kind":"nps","score":11,"surveyId":"S"}}"#,
        #"{"customer":"C1","type":"purchase.completed","occurredAt":"2024-05-01T10:00:00-23:59","data":{"amount":"12.345","currency":"usd","orderId":"O"}}"#,
    ]),
]

func line(_ type: String, _ json: String, number: Int) -> String {
    let digits = String(number)
    let id = "0190a5e0-0000-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    return #"{"id":"\#(id)","customer":"C20240501001","type":"\#(type)","occurredAt":"2024-05-01T10:00:00Z","data":\#(json)}"#
}

let folder = URL(
    fileURLWithPath: CommandLine.arguments.dropFirst().first
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Corpus").standardized.path
)
let importFolder = folder.appendingPathComponent("FuzzImportLine")
let binaryFolder = folder.appendingPathComponent("FuzzBinaryDecoder")
for subfolder in [importFolder, binaryFolder] {
    try? FileManager.default.removeItem(at: subfolder)
    try FileManager.default.createDirectory(at: subfolder, withIntermediateDirectories: true)
}

let registry = EventTypeRegistry()
var counts: [String: Int] = [:]
for (number, example) in examples.enumerated() {
    counts[example.type, default: 0] += 1
    let name = "\(example.type)-\(counts[example.type]!)"
    // Checked as the importer checks it, and stored as the ledger stores it.
    guard let payload = try registry.payload(fromJSON: Data(example.json.utf8), type: example.type, schemaVersion: 1) else {
        fatalError("\(example.type) is not a built-in type")
    }
    let event = try ProposedEvent(payload, occurredAt: FuzzEvent.occurredAt)
    try BinaryInput.make(type: example.type, payload: event.payload).write(to: binaryFolder.appendingPathComponent(name + ".bin"))
    try Data((line(example.type, example.json, number: number + 1) + "\n").utf8)
        .write(to: importFolder.appendingPathComponent(name + ".jsonl"))
}
// Inputs that found bugs, kept as seeds so that every run tries them again (docs/errors.md,
// EventCodingTests.aStoredTimeOutsideTheYears1To9999IsCorruption): customer.updated
// payloads whose firstContact is Int64.max µs (its JSON form trapped) and 0xF8 << 56 µs, the
// year −4712 in JSON (which the import refused). Both are `corrupted` now.
let regressions: [(name: String, type: String, payload: [UInt8])] = [
    ("regression-date-beyond-int64-microseconds", "customer.updated", [1, 0x80, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
    ("regression-date-before-year-1", "customer.updated", [1, 0x80, 0x05, 0, 0, 0, 0, 0, 0, 0, 0xF8, 0]),
]
for regression in regressions {
    try BinaryInput.make(type: regression.type, payload: Data(regression.payload))
        .write(to: binaryFolder.appendingPathComponent(regression.name + ".bin"))
}
for extra in extraLines {
    try Data((extra.lines.joined(separator: "\r\n") + "\r\n").utf8).write(to: importFolder.appendingPathComponent(extra.name + ".jsonl"))
}
print("Wrote \(examples.count + extraLines.count) seeds to \(importFolder.path) and \(examples.count + regressions.count) to \(binaryFolder.path).")
