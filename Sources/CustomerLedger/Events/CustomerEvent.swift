public import Foundation
public import LedgerCore

/// Every built-in customer event, plus the events of other types (host-registered or
/// unknown) as they were recorded. Projections switch over it.
public enum CustomerEvent: Sendable, Hashable {
    case registered(CustomerRegistered)
    case updated(CustomerUpdated)
    case contactAdded(ContactAdded)
    case contactRemoved(ContactRemoved)
    case ownerAssigned(OwnerAssigned)
    case tagged(CustomerTagged)
    case untagged(CustomerUntagged)
    case consentChanged(ConsentChanged)
    case merged(CustomersMerged)
    case unmerged(CustomersUnmerged)
    case forgotten(CustomerForgotten)
    case interactionRecorded(InteractionRecorded)
    case followUpCompleted(FollowUpCompleted)
    case purchaseCompleted(PurchaseCompleted)
    case refundIssued(RefundIssued)
    case orderCancelled(OrderCancelled)
    case complaintOpened(ComplaintOpened)
    case complaintResolved(ComplaintResolved)
    case surveyAnswered(SurveyAnswered)
    /// An event of a type that is not built in, as recorded.
    case other(RecordedEvent)

    /// The built-in types, by wire name.
    public static let builtInTypes: [any CustomerEventPayload.Type] = [
        CustomerRegistered.self, CustomerUpdated.self, ContactAdded.self, ContactRemoved.self,
        OwnerAssigned.self, CustomerTagged.self, CustomerUntagged.self, ConsentChanged.self,
        CustomersMerged.self, CustomersUnmerged.self, CustomerForgotten.self,
        InteractionRecorded.self, FollowUpCompleted.self, PurchaseCompleted.self,
        RefundIssued.self, OrderCancelled.self, ComplaintOpened.self, ComplaintResolved.self,
        SurveyAnswered.self,
    ]

    /// Wraps a built-in payload; `nil` for any other type.
    public init?(_ payload: any CustomerEventPayload) {
        switch payload {
        case let event as CustomerRegistered: self = .registered(event)
        case let event as CustomerUpdated: self = .updated(event)
        case let event as ContactAdded: self = .contactAdded(event)
        case let event as ContactRemoved: self = .contactRemoved(event)
        case let event as OwnerAssigned: self = .ownerAssigned(event)
        case let event as CustomerTagged: self = .tagged(event)
        case let event as CustomerUntagged: self = .untagged(event)
        case let event as ConsentChanged: self = .consentChanged(event)
        case let event as CustomersMerged: self = .merged(event)
        case let event as CustomersUnmerged: self = .unmerged(event)
        case let event as CustomerForgotten: self = .forgotten(event)
        case let event as InteractionRecorded: self = .interactionRecorded(event)
        case let event as FollowUpCompleted: self = .followUpCompleted(event)
        case let event as PurchaseCompleted: self = .purchaseCompleted(event)
        case let event as RefundIssued: self = .refundIssued(event)
        case let event as OrderCancelled: self = .orderCancelled(event)
        case let event as ComplaintOpened: self = .complaintOpened(event)
        case let event as ComplaintResolved: self = .complaintResolved(event)
        case let event as SurveyAnswered: self = .surveyAnswered(event)
        default: return nil
        }
    }

    /// The payload of a built-in event; `nil` for ``other(_:)``.
    public var payload: (any CustomerEventPayload)? {
        switch self {
        case .registered(let event): event
        case .updated(let event): event
        case .contactAdded(let event): event
        case .contactRemoved(let event): event
        case .ownerAssigned(let event): event
        case .tagged(let event): event
        case .untagged(let event): event
        case .consentChanged(let event): event
        case .merged(let event): event
        case .unmerged(let event): event
        case .forgotten(let event): event
        case .interactionRecorded(let event): event
        case .followUpCompleted(let event): event
        case .purchaseCompleted(let event): event
        case .refundIssued(let event): event
        case .orderCancelled(let event): event
        case .complaintOpened(let event): event
        case .complaintResolved(let event): event
        case .surveyAnswered(let event): event
        case .other: nil
        }
    }
}

/// A customer event with its place and times in the ledger.
public struct CustomerEventRecord: Sendable, Hashable {
    /// The customer whose stream holds it.
    public var customer: StreamID
    /// Its global position.
    public var position: LogPosition
    /// Its version in the customer's stream.
    public var version: StreamVersion
    public var id: EventID
    /// When it happened in the world.
    public var occurredAt: Date
    /// When the ledger recorded it.
    public var recordedAt: Date
    public var metadata: EventMetadata
    /// The typed event.
    public var event: CustomerEvent
    /// Whether its personal fields could be read (docs/privacy.md). When they could not,
    /// each personal value that was recorded reads as the empty string; an absent optional
    /// field stays `nil`.
    public var personalData: PersonalDataStatus

    public init(
        customer: StreamID, position: LogPosition, version: StreamVersion, id: EventID,
        occurredAt: Date, recordedAt: Date, metadata: EventMetadata, event: CustomerEvent,
        personalData: PersonalDataStatus = .readable
    ) {
        self.customer = customer
        self.position = position
        self.version = version
        self.id = id
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.metadata = metadata
        self.event = event
        self.personalData = personalData
    }
}
