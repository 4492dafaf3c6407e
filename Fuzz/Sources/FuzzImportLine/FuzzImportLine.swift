import CustomerLedger
import Foundation
import FuzzSupport
import LedgerJSONLines

// libFuzzer calls this once per input: text that `ImportInput` splits into lines as
// `ledger import` does, each read by the importer's own `JSONLines.decode` (the
// LedgerJSONLines library). The checks, per line:
//
// - Decoding never traps: a bad line is a `LineProblem` with a reason.
// - A built-in event the importer accepts is stored in the binary layout and decodes again
//   (`CustomerEvent(decoding:)`), as every later read of it does.
// - Export then import gives the same event: `JSONLines.encode` of the event as the ledger
//   would record it reads back into the same customer, id, type, times, metadata and payload
//   bytes, and exporting that again writes the same line.

private let maximumPayloadSize = LMDBEventStore.Options().maximumEventSize

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImportLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    for line in ImportInput.lines(UnsafeRawBufferPointer(start: data, count: size)) {
        check(line)
    }
    return 0
}

private func check(_ line: Data) {
    let decoded: EventLine
    do throws(LineProblem) {
        decoded = try JSONLines.decode(line, maximumPayloadSize: maximumPayloadSize)
    } catch {
        guard !error.reason.isEmpty else { fuzzCheckFailed("a line was refused without a reason") }
        return
    }
    let event = decoded.event
    let recorded = RecordedEvent(
        position: LogPosition(1), stream: decoded.customer, version: StreamVersion(1), id: event.id, type: event.type,
        schemaVersion: event.schemaVersion, occurredAt: event.occurredAt, recordedAt: event.recordedAt ?? FuzzEvent.recordedAt,
        metadata: event.metadata, contentType: event.contentType, payload: event.payload
    )
    if EventTypeRegistry.isBuiltIn(event.type) {
        guard event.contentType == .ledgerBinary else {
            fuzzCheckFailed("an imported \(event.type) is stored as \(event.contentType), not in the binary layout")
        }
        do throws(LedgerError) {
            _ = try CustomerEvent(decoding: recorded)
        } catch {
            fuzzCheckFailed("an imported \(event.type) does not decode: \(error.message)")
        }
    }

    let exported: [UInt8]
    do throws(LineProblem) {
        exported = try JSONLines.encode(recorded)
    } catch {
        fuzzCheckFailed("an imported event does not export: \(error.reason)")
    }
    let again: EventLine
    do throws(LineProblem) {
        again = try JSONLines.decode(Data(exported), maximumPayloadSize: maximumPayloadSize)
    } catch {
        fuzzCheckFailed("the export of an imported line does not import: \(error.reason); line \(String(decoding: exported, as: UTF8.self))")
    }
    var expected = event
    expected.recordedAt = recorded.recordedAt
    guard again.customer == decoded.customer, again.event == expected else {
        fuzzCheckFailed("export and import changed the event: \(expected) became \(again.event); line \(String(decoding: exported, as: UTF8.self))")
    }
    var recordedAgain = recorded
    recordedAgain.payload = again.event.payload
    recordedAgain.occurredAt = again.event.occurredAt
    let exportedAgain: [UInt8]
    do throws(LineProblem) {
        exportedAgain = try JSONLines.encode(recordedAgain)
    } catch {
        fuzzCheckFailed("a re-imported event does not export: \(error.reason)")
    }
    guard exportedAgain == exported else {
        fuzzCheckFailed("exporting a re-imported event wrote another line: \(String(decoding: exportedAgain, as: UTF8.self)) after \(String(decoding: exported, as: UTF8.self))")
    }
}
