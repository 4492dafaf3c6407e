import Foundation
import LedgerCore

/// The built-in types a history read turns into an ``EventFact`` straight from the payload,
/// without building the record; every other type is decoded in full during the read.
enum FactKind: Sendable {
    case interaction, followUpCompleted, purchase, refund, cancellation, complaintOpened, complaintResolved, survey

    init?(_ type: any CustomerEventPayload.Type) {
        switch type {
        case is InteractionRecorded.Type: self = .interaction
        case is FollowUpCompleted.Type: self = .followUpCompleted
        case is PurchaseCompleted.Type: self = .purchase
        case is RefundIssued.Type: self = .refund
        case is OrderCancelled.Type: self = .cancellation
        case is ComplaintOpened.Type: self = .complaintOpened
        case is ComplaintResolved.Type: self = .complaintResolved
        case is SurveyAnswered.Type: self = .survey
        default: return nil
        }
    }

    /// The fact of a clear binary payload of this kind, read with the checks of the
    /// type's full decoder (`fact(binary:)` beside each `init(binary:)`): a payload that
    /// gives a fact gives its record later.
    func fact(of payload: UnsafeRawBufferPointer) throws(LedgerError) -> EventFact {
        switch self {
        case .interaction:
            return try InteractionRecorded.binaryRead(clear: payload, InteractionRecorded.fact)
        case .followUpCompleted:
            return try FollowUpCompleted.binaryRead(clear: payload, FollowUpCompleted.fact)
        case .purchase:
            return try PurchaseCompleted.binaryRead(clear: payload, PurchaseCompleted.fact)
        case .refund:
            return try RefundIssued.binaryRead(clear: payload, RefundIssued.fact)
        case .survey:
            return try SurveyAnswered.binaryRead(clear: payload, SurveyAnswered.fact)
        case .cancellation:
            let cancellation = try OrderCancelled.binaryDecoded(bytes: payload, personal: .withheld(.locked)).value
            return .cancellation(orderId: cancellation.orderId)
        case .complaintOpened:
            let complaint = try ComplaintOpened.binaryDecoded(bytes: payload, personal: .withheld(.locked)).value
            return .complaintOpened(complaintId: complaint.complaintId)
        case .complaintResolved:
            let resolution = try ComplaintResolved.binaryDecoded(bytes: payload, personal: .withheld(.locked)).value
            return .complaintResolved(complaintId: resolution.complaintId)
        }
    }
}
