import CustomerLedger
import Foundation
import Testing

fileprivate func traits(
    kind: CustomerKind? = nil, name: String? = nil, industry: String? = nil, city: String? = nil,
    country: String? = nil, firstContact: Date? = nil, contractValue: Money? = nil, dates: [String: String]? = nil
) -> CustomerTraits {
    CustomerTraits(kind: kind, name: name, industry: industry, city: city, country: country, firstContact: firstContact, contractValue: contractValue, dates: dates)
}

fileprivate func eur(_ amount: String) -> Money { try! Money(amount, .eur) }

@Suite struct ProfileTests {
    @Test func theNewestOccurredAtWinsPerFieldAndTiesGoToTheHigherPosition() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(CustomerRegistered(traits: traits(kind: .person, name: "Ada", city: "Leeds")), for: "C1", occurredAt: day("2024-01-01"))
        let march = try await ledger.record(CustomerUpdated(traits: traits(name: "Ada Lovelace")), for: "C1", occurredAt: day("2024-03-01"))
        // Recorded later, happened earlier: its name is older than March's, its city is the newest.
        let february = try await ledger.record(CustomerUpdated(traits: traits(name: "Ada Byron", city: "London")), for: "C1", occurredAt: day("2024-02-01"))
        // Two updates at the same instant: the one with the higher position wins.
        try await ledger.record(CustomerUpdated(traits: traits(industry: "first")), for: "C1", occurredAt: day("2024-04-01"))
        let second = try await ledger.record(CustomerUpdated(traits: traits(industry: "second")), for: "C1", occurredAt: day("2024-04-01"))

        let profile = try #require(try ledger.profile(of: "C1"))
        #expect(profile.name == ProfileField(value: .value("Ada Lovelace"), occurredAt: day("2024-03-01"), position: march.positions.upperBound))
        #expect(profile.city == ProfileField(value: .value("London"), occurredAt: day("2024-02-01"), position: february.positions.upperBound))
        #expect(profile.industry?.value == "second")
        #expect(profile.industry?.position == second.positions.upperBound)
        // A field no update gave keeps the registration's value.
        #expect(profile.kind?.value == .person)
        #expect(profile.kind?.occurredAt == day("2024-01-01"))
        // First contact: the first event's occurredAt when not given.
        #expect(profile.firstContact.value == day("2024-01-01"))

        // As of 2024-02-15 the March update had not happened: February's name shows.
        #expect(try ledger.profile(of: "C1", asOf: AsOf(time: day("2024-02-15")))?.name?.value == .value("Ada Byron"))
        // Known as of March's position, the late February update was not recorded yet.
        let knownThen = try #require(try ledger.profile(of: "C1", asOf: AsOf(knownAt: .position(march.positions.upperBound))))
        #expect(knownThen.city?.value == .value("Leeds"))
        #expect(knownThen.name?.value == .value("Ada Lovelace"))
    }

    @Test func contactsOwnerTagsConsentAndTraits() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(
            CustomerRegistered(
                traits: traits(kind: .company, name: "Acme Ltd", industry: "retail", firstContact: day("2023-06-01"),
                               contractValue: usd("12000"), dates: ["contractRenewal": "2024-09-30"]),
                contacts: [ContactPoint(kind: .phone, value: "+44 1", isPrimary: true), ContactPoint(kind: .email, value: "a@acme.test")],
                owner: "maria", tags: ["high-potential", "low-frequency"]
            ),
            for: "C1", occurredAt: day("2024-01-01")
        )
        try await ledger.record(ContactAdded(ContactPoint(kind: .phone, value: "+44 2", isPrimary: true)), for: "C1", occurredAt: day("2024-01-02"))
        try await ledger.record(ContactAdded(ContactPoint(kind: .email, value: "b@acme.test")), for: "C1", occurredAt: day("2024-01-03"))
        try await ledger.record(OwnerAssigned(owner: "li"), for: "C1", occurredAt: day("2024-01-04"))
        try await ledger.record(CustomerUntagged(tag: "low-frequency"), for: "C1", occurredAt: day("2024-01-05"))
        try await ledger.record(CustomerTagged(tag: "complaint-risk"), for: "C1", occurredAt: day("2024-01-06"))
        try await ledger.record(ConsentChanged(channel: "email", status: .granted, lawfulBasis: .consent, source: "web form"), for: "C1", occurredAt: day("2024-01-07"))
        try await ledger.record(ConsentChanged(channel: "email", status: .withdrawn, lawfulBasis: .consent, source: "unsubscribe link"), for: "C1", occurredAt: day("2024-01-08"))
        try await ledger.record(ConsentChanged(channel: "phone", status: .granted, lawfulBasis: .contract), for: "C1", occurredAt: day("2024-01-09"))

        var profile = try #require(try ledger.profile(of: "C1"))
        // The second phone was added as primary: the first is no longer.
        #expect(profile.phones.map(\.value) == [.value("+44 1"), .value("+44 2")])
        #expect(profile.primaryPhone?.value == .value("+44 2"))
        // No email was marked primary: the earliest added is.
        #expect(profile.primaryEmail?.value == .value("a@acme.test"))
        #expect(profile.owner?.value == "li")
        #expect(profile.tagNames == ["complaint-risk", "high-potential"])
        #expect(profile.consent["email"]?.status == .withdrawn)
        #expect(profile.consent["email"]?.source == "unsubscribe link")
        #expect(profile.consent["email"]?.occurredAt == day("2024-01-08"))
        #expect(profile.consent["phone"]?.lawfulBasis == .contract)
        #expect(profile.contractValue?.value == usd("12000"))
        #expect(profile.dates["contractRenewal"]?.value == .value(CalendarDate("2024-09-30")!))
        // A given first contact wins over the first event's time.
        #expect(profile.firstContact.value == day("2023-06-01"))

        // Removing the primary phone makes the remaining (earliest) one primary.
        try await ledger.record(ContactRemoved(kind: .phone, value: "+44 2"), for: "C1", occurredAt: day("2024-01-10"))
        profile = try #require(try ledger.profile(of: "C1"))
        #expect(profile.phones.map(\.value) == [.value("+44 1")])
        #expect(profile.primaryPhone?.value == .value("+44 1"))
    }

    @Test func derivedFiguresFromCommerceInteractionsAndComplaints() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(CustomerRegistered(traits: traits(kind: .person, name: "Ada")), for: "C1", occurredAt: day("2024-01-01"))
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("100")), for: "C1", occurredAt: day("2024-01-10"))
        try await ledger.record(PurchaseCompleted(orderId: "O2", amount: usd("40")), for: "C1", occurredAt: day("2024-02-10"))
        try await ledger.record(PurchaseCompleted(orderId: "O3", amount: eur("25")), for: "C1", occurredAt: day("2024-03-10"))
        try await ledger.record(PurchaseCompleted(orderId: "O4", amount: usd("999")), for: "C1", occurredAt: day("2024-03-11"))
        try await ledger.record(OrderCancelled(orderId: "O4"), for: "C1", occurredAt: day("2024-03-12"))
        try await ledger.record(RefundIssued(orderId: "O3", amount: eur("30")), for: "C1", occurredAt: day("2024-03-20"))
        try await ledger.record(RefundIssued(orderId: "O1", amount: usd("10")), for: "C1", occurredAt: day("2024-03-21"))
        try await ledger.record(
            InteractionRecorded(interactionId: "I1", channel: .phone, direction: .outbound, nextAction: NextAction(description: "send quote", dueAt: day("2024-04-01"))),
            for: "C1", occurredAt: day("2024-03-25")
        )
        try await ledger.record(
            InteractionRecorded(interactionId: "I2", channel: .email, direction: .inbound, nextAction: NextAction(description: "call back", dueAt: day("2024-04-02"))),
            for: "C1", occurredAt: day("2024-03-26")
        )
        try await ledger.record(FollowUpCompleted(interactionId: "I1", outcome: "sent"), for: "C1", occurredAt: day("2024-03-27"))
        try await ledger.record(ComplaintOpened(complaintId: "K1", category: "delivery", severity: .high), for: "C1", occurredAt: day("2024-03-28"))
        try await ledger.record(ComplaintOpened(complaintId: "K2", category: "billing", severity: .low), for: "C1", occurredAt: day("2024-03-29"))
        try await ledger.record(ComplaintResolved(complaintId: "K2", resolution: "credit note"), for: "C1", occurredAt: day("2024-03-30"))

        let profile = try #require(try ledger.profile(of: "C1"))
        // USD: 100 + 40 − 10 = 130 (O4 cancelled counts for nothing). EUR: 25 − 30 = −5.
        #expect(profile.lifetimeNetSpend == [.usd: usd("130"), .eur: eur("-5")])
        #expect(profile.orderCount == 3)
        #expect(profile.refundCount == 2)
        #expect(profile.refundTotal == [.usd: usd("10"), .eur: eur("30")])
        #expect(profile.firstPurchase == day("2024-01-10"))
        #expect(profile.lastPurchase == day("2024-03-10"))
        #expect(profile.lastInteraction?.interactionId == "I2")
        #expect(profile.lastInteraction?.channel == .email)
        #expect(profile.openFollowUps == 1)   // I1 completed, I2 open
        #expect(profile.openComplaints == 1)  // K1 open, K2 resolved

        // As of 2024-03-11 12:00: O4 not yet cancelled, no refunds yet.
        let earlier = try #require(try ledger.profile(of: "C1", asOf: AsOf(time: day("2024-03-11", hour: 12))))
        #expect(earlier.orderCount == 4)
        #expect(earlier.lifetimeNetSpend == [.usd: usd("1139"), .eur: eur("25")])
        #expect(earlier.lastInteraction == nil)
    }

    @Test func aForgottenCustomerReadsWithPersonalFieldsErasedFromEveryPointOfView() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(
            CustomerRegistered(
                traits: CustomerTraits(kind: .person, name: "Ada", address: "1 Main St", city: "Leeds", country: "GB", dates: ["birthday": "1990-05-01"]),
                contacts: [ContactPoint(kind: .email, value: "ada@example.test", isPrimary: true)], owner: "maria", tags: ["vip"]
            ),
            for: "C1", occurredAt: day("2024-01-01")
        )
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("10")), for: "C1", occurredAt: day("2024-01-02"))
        try await ledger.record(CustomerForgotten(reason: "GDPR request"), for: "C1", occurredAt: day("2024-02-01"))

        for asOf in [AsOf(), AsOf(time: day("2024-01-15"))] {
            let profile = try #require(try ledger.profile(of: "C1", asOf: asOf))
            #expect(profile.name?.value == .erased)
            #expect(profile.address?.value == .erased)
            #expect(profile.city?.value == .erased)
            #expect(profile.country?.value == .erased)
            #expect(profile.emails.map(\.value) == [.erased])
            #expect(profile.dates["birthday"]?.value == .erased)
            // Not personal: kept.
            #expect(profile.kind?.value == .person)
            #expect(profile.owner?.value == "maria")
            #expect(profile.tagNames == ["vip"])
            #expect(profile.orderCount == 1)
        }
        #expect(try ledger.profile(of: "C1")?.forgottenAt == day("2024-02-01"))
        // Before the event, the profile does not say when, but the data is still gone.
        #expect(try ledger.profile(of: "C1", asOf: AsOf(time: day("2024-01-15")))?.forgottenAt == nil)
    }

    @Test func mergeThenUnmergeShowsBothSidesBeforeAndAfter() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(CustomerRegistered(traits: traits(kind: .person, name: "Ada", city: "Leeds")), for: "A", occurredAt: day("2024-01-01"))
        try await ledger.record(PurchaseCompleted(orderId: "A1", amount: usd("10")), for: "A", occurredAt: day("2024-02-01"))
        try await ledger.record(CustomerRegistered(traits: traits(kind: .person, name: "A. Lovelace", city: "London")), for: "B", occurredAt: day("2024-01-05"))
        try await ledger.record(PurchaseCompleted(orderId: "B1", amount: usd("20")), for: "B", occurredAt: day("2024-03-01"))
        try await ledger.record(PurchaseCompleted(orderId: "B2", amount: usd("30")), for: "B", occurredAt: day("2024-03-10"))
        try await ledger.merge(["B"], into: "A", occurredAt: day("2024-04-01"))
        try await ledger.unmerge(["B"], from: "A", occurredAt: day("2024-05-01"))

        // Before the merge: two customers.
        let aBefore = try #require(try ledger.profile(of: "A", asOf: AsOf(time: day("2024-03-31"))))
        #expect(aBefore.orderCount == 1)
        #expect(aBefore.mergedCustomers.isEmpty)
        #expect(try ledger.profile(of: "B", asOf: AsOf(time: day("2024-03-31")))?.customer == "B")

        // Merged: B reads as A; fields fold in by occurredAt: B's registration (01-05) is
        // newer than A's (01-01), so its name and city win. Spend 10 + 20 + 30 = $60.
        let merged = try #require(try ledger.profile(of: "B", asOf: AsOf(time: day("2024-04-15"))))
        #expect(merged.customer == "A")
        #expect(merged.requested == "B")
        #expect(merged.mergedCustomers == ["B"])
        #expect(merged.orderCount == 3)
        #expect(merged.lifetimeNetSpend == [.usd: usd("60")])
        #expect(merged.name?.value == .value("A. Lovelace"))
        #expect(merged.firstContact.value == day("2024-01-01"))

        // Unmerged: each side is its own again.
        let a = try #require(try ledger.profile(of: "A", asOf: AsOf(time: day("2024-05-15"))))
        #expect(a.customer == "A")
        #expect(a.mergedCustomers.isEmpty)
        #expect(a.orderCount == 1)
        #expect(a.name?.value == .value("Ada"))
        let b = try #require(try ledger.profile(of: "B", asOf: AsOf(time: day("2024-05-15"))))
        #expect(b.customer == "B")
        #expect(b.orderCount == 2)
        #expect(b.lifetimeNetSpend == [.usd: usd("50")])
        #expect(b.city?.value == .value("London"))
    }

    @Test func oneCustomersProfileReadsOnlyThatCustomersStreams() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(CustomerRegistered(traits: traits(kind: .person, name: "Ada")), for: "C1", occurredAt: day("2024-01-01"))
        try await ledger.record(PurchaseCompleted(orderId: "O1", amount: usd("10")), for: "C1", occurredAt: day("2024-01-02"))
        // Another customer with many events, including the same order id.
        var batch: [ProposedEvent] = []
        for index in 0..<300 {
            batch.append(try ProposedEvent(PurchaseCompleted(orderId: "O\(index % 3)", amount: usd("1")), occurredAt: day("2024-01-03")))
        }
        try await ledger.append(batch, to: "OTHER", expecting: .any)
        try await ledger.record(OrderCancelled(orderId: "O1"), for: "OTHER", occurredAt: day("2024-01-04"))

        let history = try ledger.history(of: "C1")
        // Every record the projection folds comes from C1's stream: 2 records, not 303.
        #expect(history.records.count == 2)
        #expect(history.records.allSatisfy { $0.customer == "C1" })
        let profile = try #require(CustomerProfile(history: history))
        #expect(profile.orderCount == 1)  // OTHER's cancellation of its own O1 does not touch C1's
        #expect(try ledger.profile(of: "C1")?.lifetimeNetSpend == [.usd: usd("10")])
    }

    @Test func beforeTheFirstEventThereIsNoProfile() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.record(CustomerRegistered(traits: traits(kind: .person, name: "Ada")), for: "C1", occurredAt: day("2024-01-10"))
        #expect(try ledger.profile(of: "C1", asOf: AsOf(time: day("2024-01-09"))) == nil)
        #expect(try ledger.profile(of: "nobody") == nil)
    }
}
