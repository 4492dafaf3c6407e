public import LedgerCore

/// How serious a complaint is.
public enum ComplaintSeverity: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case low, medium, high, critical

    public static func < (lhs: ComplaintSeverity, rhs: ComplaintSeverity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// `complaint.opened`.
public struct ComplaintOpened: CustomerEventPayload {
    public static let eventType = "complaint.opened"
    public var complaintId: String
    public var category: String
    public var severity: ComplaintSeverity
    public var description: String?

    public init(complaintId: String, category: String, severity: ComplaintSeverity, description: String? = nil) {
        self.complaintId = complaintId
        self.category = category
        self.severity = severity
        self.description = description
    }

    public func validate() throws(LedgerError) {
        try requireText(complaintId, Self.eventType, "complaintId")
        try requireText(category, Self.eventType, "category")
    }
}

/// `complaint.resolved`: the time to resolve is derived from the two events.
public struct ComplaintResolved: CustomerEventPayload {
    public static let eventType = "complaint.resolved"
    public var complaintId: String
    public var resolution: String

    public init(complaintId: String, resolution: String) {
        self.complaintId = complaintId
        self.resolution = resolution
    }

    public func validate() throws(LedgerError) { try requireText(complaintId, Self.eventType, "complaintId") }
}
