public import Foundation
public import LedgerCore

/// A complaint: opened by `complaint.opened`, closed by `complaint.resolved` with the
/// same complaint id; the time to resolve is derived (domain.md §2).
public struct Complaint: Sendable, Hashable {
    /// The host's id of the complaint; its resolution names it.
    public var complaintId: String
    /// The customer whose stream holds it.
    public var customer: StreamID
    /// What it is about (`delivery`, `billing`, …).
    public var category: String
    /// How serious it is.
    public var severity: ComplaintSeverity
    /// When it was opened.
    public var openedAt: Date
    /// The opening event's position.
    public var position: LogPosition
    /// When it was resolved, if it was.
    public var resolvedAt: Date?

    /// A complaint with its parts.
    public init(complaintId: String, customer: StreamID, category: String, severity: ComplaintSeverity, openedAt: Date, position: LogPosition, resolvedAt: Date? = nil) {
        self.complaintId = complaintId
        self.customer = customer
        self.category = category
        self.severity = severity
        self.openedAt = openedAt
        self.position = position
        self.resolvedAt = resolvedAt
    }

    /// Whether no resolution is known.
    public var isOpen: Bool { resolvedAt == nil }

    /// Seconds from opening to resolution.
    public var timeToResolve: TimeInterval? { resolvedAt.map { $0.timeIntervalSince(openedAt) } }

    /// The complaints among `records`, by opening time. A resolution closes its complaint
    /// whatever their order; a resolution naming no complaint is ignored.
    public static func fold(_ records: some Sequence<CustomerEventRecord>) -> [Complaint] {
        var opened: [String: Complaint] = [:]
        var resolved: [String: Date] = [:]
        for record in records {
            switch record.event {
            case .complaintOpened(let complaint):
                opened[complaint.complaintId] = Complaint(
                    complaintId: complaint.complaintId, customer: record.customer, category: complaint.category,
                    severity: complaint.severity, openedAt: record.occurredAt, position: record.position
                )
            case .complaintResolved(let resolution):
                if resolved[resolution.complaintId] == nil { resolved[resolution.complaintId] = record.occurredAt }
            default:
                break
            }
        }
        for (id, at) in resolved where opened[id] != nil { opened[id]!.resolvedAt = at }
        return opened.values.sorted { ($0.openedAt, $0.position) < ($1.openedAt, $1.position) }
    }
}
