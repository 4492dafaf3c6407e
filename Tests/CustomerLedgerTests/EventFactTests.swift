@testable import CustomerLedger
import Foundation
import LedgerCore
import Testing

/// A history read takes what the profile and the lifecycle need straight from the payload
/// (`FactKind.fact(of:)`) and decodes the full record only when asked: the two readers must
/// accept and reject exactly the same bytes, and agree on the fields.
@Suite struct EventFactTests {
    /// The sample events whose type a history read turns into a fact without the record.
    static let factSamples = sampleEvents.filter { FactKind(type(of: $0.payload)) != nil }

    /// The fact of a payload, or the error.
    private func fact(_ payload: [UInt8], of type: String) -> Result<EventFact, LedgerError> {
        let kind = EventCoding.builtIn[type]!.factKind!
        return payload.withUnsafeBytes { raw in
            do throws(LedgerError) { return .success(try kind.fact(of: raw)) } catch { return .failure(error) }
        }
    }

    /// The fact of the fully decoded event, or the error.
    private func fullFact(_ payload: [UInt8], of type: String) -> Result<EventFact, LedgerError> {
        do throws(LedgerError) {
            return .success(EventFact(try CustomerEvent(decoding: storedBinary(payload, type: type)), index: 0))
        } catch {
            return .failure(error)
        }
    }

    @Test func everyFrequentTypeIsReadAsAFact() {
        #expect(Set(Self.factSamples.map { type(of: $0.payload).eventType }) == [
            InteractionRecorded.eventType, FollowUpCompleted.eventType, PurchaseCompleted.eventType, RefundIssued.eventType,
            OrderCancelled.eventType, ComplaintOpened.eventType, ComplaintResolved.eventType, SurveyAnswered.eventType,
        ])
    }

    @Test(arguments: factSamples)
    func aFactIsWhatTheFullRecordSays(_ sample: SampleEvent) throws {
        let type = Swift.type(of: sample.payload).eventType
        let payload = Array(try ProposedEvent(sample.payload, occurredAt: day("2024-05-01")).payload)
        let expected = EventFact(CustomerEvent(sample.payload)!, index: 0)
        #expect(try fact(payload, of: type).get() == expected)
    }

    @Test(arguments: factSamples)
    func everyTruncationIsRejectedByBoth(_ sample: SampleEvent) throws {
        let type = Swift.type(of: sample.payload).eventType
        let payload = Array(try ProposedEvent(sample.payload, occurredAt: day("2024-05-01")).payload)
        for length in 0..<payload.count {
            let cut = Array(payload[..<length])
            guard case .failure(let expected) = fullFact(cut, of: type) else {
                Issue.record("the full decoder took \(length) of \(payload.count) bytes")
                continue
            }
            guard case .failure(let error) = fact(cut, of: type) else {
                Issue.record("the fact reader took \(length) of \(payload.count) bytes")
                continue
            }
            #expect(error.code == expected.code)
        }
    }

    /// Random damage, including bytes that are not UTF-8, unknown enum codes, presence bits
    /// and counts: wherever one reader rejects the bytes the other does, and wherever both
    /// accept them they agree.
    @Test func randomDamageGetsTheSameAnswerFromBoth() throws {
        var generator = SplitMix(seed: 23)
        let payloads = try Self.factSamples.map { sample in
            (Swift.type(of: sample.payload).eventType, Array(try ProposedEvent(sample.payload, occurredAt: day("2024-05-01")).payload))
        }
        var rejected = 0
        for round in 0..<30_000 {
            var (type, bytes) = payloads[round % payloads.count]
            for _ in 0...(Int(generator.next() % 3)) {
                let index = 1 + Int(generator.next() % UInt64(bytes.count - 1))  // the layout byte stays
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            switch (fact(bytes, of: type), fullFact(bytes, of: type)) {
            case (.success(let fact), .success(let full)):
                #expect(fact == full, "round \(round)")
            case (.failure(let error), .failure(let full)):
                rejected += 1
                #expect(error.code == full.code, "round \(round)")
            case (let fact, let full):
                Issue.record("round \(round), \(type): fact reader \(fact), full decoder \(full)")
            }
        }
        #expect(rejected > 1_000)  // the damage reached the checks
    }
}
