/// What ``EventTypeRegistry/resolve(_:)`` does with an event whose type is neither built
/// in nor registered: one written by a newer service, by another host, or by a type that
/// was retired.
///
/// ```swift
/// var registry = EventTypeRegistry()
/// registry.unknownEvents = .skip   // this projection only cares about types it knows
/// ```
///
/// The policy covers unknown types only. An event of a known type that does not decode
/// always fails the read.
public enum UnknownEventPolicy: Sendable, Hashable, CaseIterable {
    /// Hand the event over exactly as stored, as ``ResolvedEvent/unknown(_:)``; the
    /// projection decides. The default: nothing is lost and nothing stops.
    case deliverRaw
    /// Leave the event out: ``EventTypeRegistry/resolve(_:)`` returns `nil`. For
    /// projections that only read the types they know.
    case skip
    /// Fail the read: ``EventTypeRegistry/resolve(_:)`` throws
    /// `LedgerError.Code.unsupportedFormat` naming the type, the position and the
    /// stream. For projections that must not be built from a history they only partly
    /// understand.
    case fail
}
