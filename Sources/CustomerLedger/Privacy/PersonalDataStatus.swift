public import LedgerCore

/// Whether the personal fields of an event could be read (docs/privacy.md).
///
/// A ledger created with a master key stores the personal fields of each event
/// (names, phones, emails, addresses, free text) encrypted with the customer's data key.
/// A read that cannot open them still returns the event with every non-personal field;
/// each personal value that was recorded then reads as the empty string (an absent
/// optional field stays `nil`, so a reader can still tell which fields were given), and
/// the record says why with this status.
public enum PersonalDataStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// The personal fields are as recorded: opened with the customer's data key, stored in
    /// clear (a ledger created without a master key), or the event has none.
    case readable
    /// The personal fields are encrypted, and this read could not open them: the ledger was
    /// opened without its master key, or the event was decoded without the ledger
    /// (`CustomerEventRecord(_:)`; use ``Ledger/customerEventRecord(_:)``).
    case locked
    /// The customer was forgotten: its data key is destroyed, and the personal fields can
    /// never be read again.
    case erased
}

extension LedgerError.Code {
    /// The master key given does not open this ledger (or its key file is malformed).
    public static let wrongMasterKey = LedgerError.Code("wrongMasterKey")
    /// Personal data cannot be read or written without the ledger's master key.
    public static let personalDataLocked = LedgerError.Code("personalDataLocked")
    /// The customer was forgotten: the ledger refuses new personal data for it.
    public static let personalDataErased = LedgerError.Code("personalDataErased")
    /// The ledger cannot erase personal data: it was created without a master key, so its
    /// personal data is stored in clear.
    public static let erasureUnavailable = LedgerError.Code("erasureUnavailable")
}
