public import Foundation
public import LedgerCore

/// One field of a customer's profile with the event that last set it (domain.md §1):
/// the value, when that event happened and its position in the log.
public struct ProfileField<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The value now.
    public var value: Value
    /// When the event that set it happened.
    public var occurredAt: Date
    /// The position of the event that set it.
    public var position: LogPosition

    /// A field set by the event at `position`, which happened at `occurredAt`.
    public init(value: Value, occurredAt: Date, position: LogPosition) {
        self.value = value
        self.occurredAt = occurredAt
        self.position = position
    }
}

/// A personal value (names, phones, emails, addresses, free text; domain.md §8), or the
/// mark that it cannot be read: locked (encrypted, and the ledger was opened without its
/// master key) or erased (the customer was forgotten). docs/privacy.md.
public enum Personal<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The value as recorded.
    case value(Value)
    /// The customer was forgotten: the value is gone.
    case erased
    /// The value is encrypted, and this read could not open it (no master key).
    case locked

    /// The value, or `nil` when erased or locked.
    public var revealed: Value? {
        if case .value(let value) = self { return value }
        return nil
    }

    /// Whether the value is erased.
    public var isErased: Bool { self == .erased }

    /// Whether the value is locked.
    public var isLocked: Bool { self == .locked }

    /// `value` as a record with `status` shows it.
    init(_ value: Value, _ status: PersonalDataStatus) {
        switch status {
        case .readable: self = .value(value)
        case .locked: self = .locked
        case .erased: self = .erased
        }
    }
}

extension ProfileField {
    /// The field with its value replaced, keeping when it was set.
    func map<Other>(_ transform: (Value) -> Other) -> ProfileField<Other> {
        ProfileField<Other>(value: transform(value), occurredAt: occurredAt, position: position)
    }
}

extension ProfileField: Codable where Value: Codable {}

extension Personal: Codable where Value: Codable {}
