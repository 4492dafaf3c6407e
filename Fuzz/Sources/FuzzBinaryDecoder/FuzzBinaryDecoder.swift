import CustomerLedger
import Foundation
import FuzzSupport

// libFuzzer calls this once per input; the layout is `BinaryInput`'s: a type byte, then a
// payload in the binary layout. The checks:
//
// - The decoder, `CustomerEvent(decoding:)` (what every read of a built-in event runs), never
//   traps and throws only `corrupted` or `unsupportedFormat`, with a message that names the
//   event's position.
// - A payload that decodes and passes its type's checks survives what `ledger export` and
//   `ledger import` do to it: its JSON form reads back (strictly) into a payload that encodes
//   and decodes to the same event.

private let registry = EventTypeRegistry()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBinaryDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (type, payload) = BinaryInput.split(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    let recorded = FuzzEvent.recorded(type: type, payload: payload)

    let event: CustomerEvent
    do throws(LedgerError) {
        event = try CustomerEvent(decoding: recorded)
    } catch {
        guard error.code == .corrupted || error.code == .unsupportedFormat else {
            fuzzCheckFailed("the decoder threw \(error.code), not corrupted or unsupportedFormat: \(error.message)")
        }
        guard error.message.hasPrefix("The \(type) event at position 1 does not decode: ") else {
            fuzzCheckFailed("the decoder's message does not name the event: \(error.message)")
        }
        return 0
    }
    guard let typed = event.payload else { fuzzCheckFailed("the built-in \(type) decoded as another event") }
    // The same bytes through the registry and the record (the other public entries).
    let viaRegistry: CustomerEvent?
    do throws(LedgerError) {
        viaRegistry = try registry.decode(recorded).flatMap(CustomerEvent.init)
    } catch {
        fuzzCheckFailed("the registry does not decode what CustomerEvent(decoding:) does: \(error.message)")
    }
    guard viaRegistry == event, (try? CustomerEventRecord(recorded))?.event == event else {
        fuzzCheckFailed("the registry or the record decode \(type) differently")
    }

    // Export: the JSON form (a failure here makes the export fall back to dataBase64).
    guard let json = try? typed.jsonData() else { return 0 }
    // Import: only a valid event must come back; the decoder reads some that the checks refuse.
    do { try typed.validate() } catch { return 0 }
    do throws(LedgerError) {
        guard let again = try registry.payload(fromJSON: json, type: type, schemaVersion: recorded.schemaVersion) else {
            fuzzCheckFailed("\(type) is not a built-in type on import")
        }
        let proposed = try ProposedEvent(again, occurredAt: recorded.occurredAt)
        var stored = recorded
        stored.payload = proposed.payload
        let reread = try CustomerEvent(decoding: stored)
        guard reread == event else {
            fuzzCheckFailed("export and import changed the \(type) event: \(event) became \(reread); JSON \(String(decoding: json, as: UTF8.self))")
        }
    } catch {
        fuzzCheckFailed("the export of a valid \(type) event does not import: \(error.message); JSON \(String(decoding: json, as: UTF8.self))")
    }
    return 0
}
