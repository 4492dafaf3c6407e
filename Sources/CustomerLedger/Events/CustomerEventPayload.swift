import Foundation
public import LedgerCore

/// A typed customer event: the payload of one event on a customer's stream.
///
/// Each type has a stable wire name (``eventType``, used by the log, `ledger import` and
/// `ledger export`) and a schema version. The built-in types are listed in
/// ``CustomerEvent``; a host registers its own with ``EventTypeRegistry``.
public protocol CustomerEventPayload: Codable, Sendable, Hashable {
    /// The stable wire name, such as `purchase.completed`.
    static var eventType: String { get }
    /// The version of this type's shape, starting at 1.
    static var schemaVersion: UInt16 { get }
    /// Checks values the type system cannot (score ranges, non-empty ids); called before
    /// the event is appended.
    func validate() throws(LedgerError)
    /// The fields that hold personal data (docs/privacy.md): a ledger created with a master
    /// key encrypts them with the customer's data key, and forgetting the customer erases
    /// them. For a host's own type, names of top-level JSON fields (`["nickname",
    /// "phone"]`); make them optional, since a read without the key leaves them out. The
    /// built-in types list the JSON paths of theirs (`contacts[].value`, `dates.*`).
    /// Default: none.
    static var personalFields: Set<String> { get }
}

extension CustomerEventPayload {
    public static var schemaVersion: UInt16 { 1 }
    public static var personalFields: Set<String> { [] }
    public func validate() throws(LedgerError) {}
}

/// Throws a validation error for `field` of an event type.
@inline(never)
func invalidField(_ type: String, _ field: String, _ problem: String) -> LedgerError {
    LedgerError(.invalidEvent, "\(type): \(field) \(problem).")
}

/// Checks that a time field is in the years 1 to 9999, the times the ledger stores and
/// exports exactly: the rule `occurredAt` follows.
func requireStorable(_ value: Date, _ type: String, _ field: String) throws(LedgerError) {
    if !value.isStorable {
        throw invalidField(type, field, "is \(value.timeIntervalSince1970) s since 1970, outside the years 1–9999 the ledger stores")
    }
}

/// Checks that a required text field is not empty.
func requireText(_ value: String, _ type: String, _ field: String) throws(LedgerError) {
    if value.isEmpty { throw invalidField(type, field, "is empty") }
}

extension KeyedDecodingContainer {
    /// Decodes an exact amount from a decimal-string key and a currency key.
    func decodeMoney(amount amountKey: Key, currency currencyKey: Key) throws -> Money {
        let text = try decode(String.self, forKey: amountKey)
        let currency = try decode(Currency.self, forKey: currencyKey)
        do {
            return try Money(text, currency)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: amountKey, in: self, debugDescription: error.message)
        }
    }

    func decodeMoneyIfPresent(amount amountKey: Key, currency currencyKey: Key) throws -> Money? {
        guard contains(amountKey) else { return nil }
        return try decodeMoney(amount: amountKey, currency: currencyKey)
    }
}

extension KeyedEncodingContainer {
    /// Encodes an amount as a decimal string and its currency code.
    mutating func encodeMoney(_ money: Money, amount amountKey: Key, currency currencyKey: Key) throws {
        try encode(money.amountText, forKey: amountKey)
        try encode(money.currency, forKey: currencyKey)
    }

    mutating func encodeMoneyIfPresent(_ money: Money?, amount amountKey: Key, currency currencyKey: Key) throws {
        guard let money else { return }
        try encodeMoney(money, amount: amountKey, currency: currencyKey)
    }
}
