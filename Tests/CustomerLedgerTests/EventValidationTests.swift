import CustomerLedger
import Foundation
import Testing

/// An event that must fail its checks, and the exact message.
struct InvalidSample: Sendable, CustomTestStringConvertible {
    var payload: any CustomerEventPayload
    var message: String
    var testDescription: String { message }
}

@Suite struct EventValidationTests {
    static let invalid: [InvalidSample] = [
        // Scores off their scale, just past each boundary.
        InvalidSample(payload: SurveyAnswered(surveyId: "S", kind: .nps, score: 11), message: "survey.answered: score is 11, outside the nps scale 0–10."),
        InvalidSample(payload: SurveyAnswered(surveyId: "S", kind: .nps, score: -1), message: "survey.answered: score is -1, outside the nps scale 0–10."),
        InvalidSample(payload: SurveyAnswered(surveyId: "S", kind: .csat, score: 0), message: "survey.answered: score is 0, outside the csat scale 1–5."),
        InvalidSample(payload: SurveyAnswered(surveyId: "S", kind: .csat, score: 6), message: "survey.answered: score is 6, outside the csat scale 1–5."),
        InvalidSample(payload: SurveyAnswered(surveyId: "S", kind: .ces, score: 0), message: "survey.answered: score is 0, outside the ces scale 1–7."),
        InvalidSample(payload: SurveyAnswered(surveyId: "S", kind: .ces, score: 8), message: "survey.answered: score is 8, outside the ces scale 1–7."),
        InvalidSample(
            payload: SurveyAnswered(surveyId: "S", kind: .csat, score: 4, dimensions: ["service": 4, "product": 9]),
            message: "survey.answered: dimensions.product is 9, outside the csat scale 1–5."
        ),
        InvalidSample(
            payload: SurveyAnswered(surveyId: "S", kind: .nps, score: 4, dimensions: ["responseSpeed": -2]),
            message: "survey.answered: dimensions.responseSpeed is -2, outside the nps scale 0–10."
        ),
        // Empty ids and required text.
        InvalidSample(payload: SurveyAnswered(surveyId: "", kind: .nps, score: 5), message: "survey.answered: surveyId is empty."),
        InvalidSample(payload: PurchaseCompleted(orderId: "", amount: usd("1")), message: "purchase.completed: orderId is empty."),
        InvalidSample(payload: RefundIssued(orderId: "", amount: usd("1")), message: "refund.issued: orderId is empty."),
        InvalidSample(payload: OrderCancelled(orderId: ""), message: "order.cancelled: orderId is empty."),
        InvalidSample(payload: InteractionRecorded(interactionId: "", channel: .phone, direction: .inbound), message: "interaction.recorded: interactionId is empty."),
        InvalidSample(
            payload: InteractionRecorded(interactionId: "I", channel: .phone, direction: .inbound, nextAction: NextAction(description: "", dueAt: day("2024-05-02"))),
            message: "interaction.recorded: nextAction.description is empty."
        ),
        InvalidSample(payload: FollowUpCompleted(interactionId: ""), message: "followUp.completed: interactionId is empty."),
        InvalidSample(payload: ComplaintOpened(complaintId: "", category: "x", severity: .low), message: "complaint.opened: complaintId is empty."),
        InvalidSample(payload: ComplaintOpened(complaintId: "K", category: "", severity: .low), message: "complaint.opened: category is empty."),
        InvalidSample(payload: ComplaintResolved(complaintId: "", resolution: "x"), message: "complaint.resolved: complaintId is empty."),
        InvalidSample(payload: OwnerAssigned(owner: ""), message: "customer.ownerAssigned: owner is empty."),
        InvalidSample(payload: CustomerTagged(tag: ""), message: "customer.tagged: tag is empty."),
        InvalidSample(payload: CustomerUntagged(tag: ""), message: "customer.untagged: tag is empty."),
        InvalidSample(payload: ContactAdded(ContactPoint(kind: .email, value: "")), message: "customer.contactAdded: value is empty."),
        InvalidSample(payload: ConsentChanged(channel: "", status: .granted, lawfulBasis: .consent), message: "consent.changed: channel is empty."),
        // Money.
        InvalidSample(payload: PurchaseCompleted(orderId: "O", amount: usd("-0.01")), message: "purchase.completed: amount is negative: record a refund instead."),
        InvalidSample(
            payload: PurchaseCompleted(orderId: "O", amount: usd("1"), lines: [OrderLine(sku: "A", quantity: 1, amount: .zero(.eur))]),
            message: "purchase.completed: lines mix currencies (EUR in a USD order)."
        ),
        InvalidSample(payload: RefundIssued(orderId: "O", amount: usd("0")), message: "refund.issued: amount must be more than zero."),
        InvalidSample(payload: RefundIssued(orderId: "O", amount: usd("-1")), message: "refund.issued: amount must be more than zero."),
        // Identity.
        InvalidSample(payload: CustomersMerged(survivor: "A", merged: ["B", "A"]), message: "customers.merged: merged contains the survivor A."),
        InvalidSample(payload: CustomersMerged(survivor: "A", merged: []), message: "customers.merged: merged is empty: name the customers merged into the survivor."),
        InvalidSample(payload: CustomersMerged(survivor: "A", merged: ["B", "B"]), message: "customers.merged: merged names a customer twice."),
        InvalidSample(payload: CustomersUnmerged(survivor: "A", restored: []), message: "customers.unmerged: restored is empty."),
        // Profile.
        InvalidSample(payload: CustomerRegistered(traits: CustomerTraits(name: "Ada")), message: "customer.registered: kind is missing: give person or company."),
        InvalidSample(payload: CustomerRegistered(traits: CustomerTraits(kind: .person)), message: "customer.registered: name is missing or empty."),
        InvalidSample(payload: CustomerRegistered(traits: CustomerTraits(kind: .person, name: "")), message: "customer.registered: name is missing or empty."),
        InvalidSample(payload: CustomerUpdated(traits: CustomerTraits(name: "")), message: "customer.updated: name is empty."),
        InvalidSample(
            payload: CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada", dates: ["birthday": "1990-02-30"])),
            message: #"customer.registered: dates.birthday is "1990-02-30", not a yyyy-MM-dd date."#
        ),
        InvalidSample(
            payload: CustomerUpdated(traits: CustomerTraits(dates: ["contractRenewal": "31.03.2025"])),
            message: #"customer.updated: dates.contractRenewal is "31.03.2025", not a yyyy-MM-dd date."#
        ),
        // Times and dates outside the years 1–9999, which the ledger neither stores nor
        // exports exactly (the rule occurredAt follows); the first and the last are beyond
        // what 64 bits of microseconds hold.
        InvalidSample(
            payload: CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada", firstContact: Date(timeIntervalSince1970: -1e20))),
            message: "customer.registered: firstContact is -1e+20 s since 1970, outside the years 1–9999 the ledger stores."
        ),
        InvalidSample(
            payload: CustomerUpdated(traits: CustomerTraits(firstContact: Date(timeIntervalSince1970: -62_135_596_801))),
            message: "customer.updated: firstContact is -62135596801.0 s since 1970, outside the years 1–9999 the ledger stores."
        ),
        InvalidSample(
            payload: CustomerUpdated(traits: CustomerTraits(firstContact: Date(timeIntervalSince1970: 253_402_300_800))),
            message: "customer.updated: firstContact is 253402300800.0 s since 1970, outside the years 1–9999 the ledger stores."
        ),
        InvalidSample(
            payload: InteractionRecorded(
                interactionId: "I", channel: .phone, direction: .inbound,
                nextAction: NextAction(description: "call back", dueAt: Date(timeIntervalSince1970: 1e20))
            ),
            message: "interaction.recorded: nextAction.dueAt is 1e+20 s since 1970, outside the years 1–9999 the ledger stores."
        ),
        InvalidSample(
            payload: CustomerUpdated(traits: CustomerTraits(dates: ["birthday": "0000-05-01"])),
            message: #"customer.updated: dates.birthday is "0000-05-01", outside the years 1–9999 the ledger stores."#
        ),
        InvalidSample(
            payload: CustomerUpdated(traits: CustomerTraits(dates: ["birthday": "+990-05-01"])),
            message: #"customer.updated: dates.birthday is "+990-05-01", not a yyyy-MM-dd date."#
        ),
    ]

    @Test(arguments: invalid)
    func refusedWithAClearMessage(_ sample: InvalidSample) {
        let error = #expect(throws: LedgerError.self) { try ProposedEvent(sample.payload, occurredAt: day("2024-05-01")) }
        #expect(error?.code == .invalidEvent)
        #expect(error?.message == sample.message)
    }

    @Test(arguments: [
        (SurveyKind.nps, 0), (.nps, 10), (.csat, 1), (.csat, 5), (.ces, 1), (.ces, 7),
    ])
    func scoresOnTheBoundariesAreAccepted(_ kind: SurveyKind, _ score: Int) throws {
        try SurveyAnswered(surveyId: "S", kind: kind, score: score, dimensions: ["service": score]).validate()
    }

    @Test func validDatesIncludingLeapDaysAreAccepted() throws {
        try CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada", dates: ["birthday": "2000-02-29", "anniversary": "2024-12-31"])).validate()
        try CustomerUpdated(traits: CustomerTraits()).validate()
    }

    /// The first microsecond of the years 1–9999 and the last time of them a `Date` holds
    /// (its `Double` has some 30 µs there), in every time field, and the first and last
    /// day as date traits: stored, and read back exactly.
    @Test(arguments: [-62_135_596_800, 253_402_300_800.nextDown] as [Double])
    func timesOnTheEdgesOfTheYears1To9999AreAccepted(_ seconds: Double) throws {
        let time = Date(timeIntervalSince1970: seconds)
        let payloads: [any CustomerEventPayload] = [
            CustomerRegistered(traits: CustomerTraits(kind: .person, name: "Ada", firstContact: time, dates: ["birthday": "0001-01-01", "end": "9999-12-31"])),
            CustomerUpdated(traits: CustomerTraits(firstContact: time)),
            InteractionRecorded(interactionId: "I", channel: .phone, direction: .inbound, nextAction: NextAction(description: "x", dueAt: time)),
        ]
        for payload in payloads {
            let event = try ProposedEvent(payload, occurredAt: day("2024-05-01"))
            #expect(try CustomerEvent(decoding: recorded(event)) == CustomerEvent(payload))
        }
    }

    @Test func aRejectedAppendWritesNothing() async throws {
        let fixture = try LedgerFixture()
        let error = await #expect(throws: LedgerError.self) {
            try await fixture.ledger.record(SurveyAnswered(surveyId: "S", kind: .nps, score: 11), for: "C1", occurredAt: day("2024-05-01"))
        }
        #expect(error?.message == "survey.answered: score is 11, outside the nps scale 0–10.")
        var count = 0
        try fixture.ledger.readLog { _ in count += 1 }
        #expect(count == 0)
    }

    @Test func aPayloadTimeOutsideTheYears1To9999WritesNothing() async throws {
        let fixture = try LedgerFixture()
        let update = CustomerUpdated(traits: CustomerTraits(firstContact: Date(timeIntervalSince1970: -210_866_760_000)))
        let error = await #expect(throws: LedgerError.self) {
            try await fixture.ledger.record(update, for: "C1", occurredAt: day("2024-05-01"))
        }
        #expect(error?.code == .invalidEvent)
        #expect(error?.message == "customer.updated: firstContact is -210866760000.0 s since 1970, outside the years 1–9999 the ledger stores.")
        var count = 0
        try fixture.ledger.readLog { _ in count += 1 }
        #expect(count == 0)
    }
}
