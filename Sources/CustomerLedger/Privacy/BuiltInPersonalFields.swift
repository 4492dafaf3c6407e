// The personal fields of the built-in event types (docs/privacy.md, "What is personal").
// The binary layouts (Binary+*.swift) write exactly these through `BinaryWriter.personal`;
// PrivacyCodingTests checks that the two agree.

extension CustomerRegistered {
    public static let personalFields: Set<String> = [
        "name", "contactPerson.name", "contactPerson.title", "address", "city", "country", "dates.*", "contacts[].value",
    ]
}

extension CustomerUpdated {
    public static let personalFields: Set<String> = [
        "name", "contactPerson.name", "contactPerson.title", "address", "city", "country", "dates.*",
    ]
}

extension ContactAdded {
    public static let personalFields: Set<String> = ["value"]
}

extension ContactRemoved {
    public static let personalFields: Set<String> = ["value"]
}

extension InteractionRecorded {
    public static let personalFields: Set<String> = ["subject", "notes", "outcome", "nextAction.description"]
}

extension FollowUpCompleted {
    public static let personalFields: Set<String> = ["outcome", "notes"]
}

extension RefundIssued {
    public static let personalFields: Set<String> = ["reason"]
}

extension OrderCancelled {
    public static let personalFields: Set<String> = ["reason"]
}

extension ComplaintOpened {
    public static let personalFields: Set<String> = ["description"]
}

extension ComplaintResolved {
    public static let personalFields: Set<String> = ["resolution"]
}

extension SurveyAnswered {
    public static let personalFields: Set<String> = ["comment"]
}
