import CustomerLedger
import Foundation
import LedgerJSONLines

/// The demo's data set: a few thousand customers (persons and companies) over two
/// calendar years, 2024 and 2025, as typed events (shared docs, domain.md §2).
///
/// Each customer follows a persona (one-off, occasional, regular or frequent buyer) and
/// a latent experience score; from those come purchases, cancellations and refunds,
/// complaints opened and resolved (or not), interactions on every channel with next
/// actions kept on time, late or never, NPS/CSAT/CES answers that are lower after
/// problems and higher for frequent buyers, tags, owners, consent, date traits, a few
/// duplicates merged into their originals and one merge undone.
///
/// Everything derives from ``DemoRandom`` with a fixed seed, one generator per customer,
/// ids and times included, so building it again gives the same events and re-running
/// the demo appends nothing new.
struct DemoData: Sendable {
    static let seed: UInt64 = 0x00C0_FFEE_2024
    static let defaultCustomerCount = 4_000

    /// The first instant of the data set, 2024-01-01T00:00:00Z, in seconds since 1970.
    static let start: Int64 = Timestamp.daysSince1970(year: 2024, month: 1, day: 1) * day
    /// The end of the data set (exclusive), 2026-01-01T00:00:00Z.
    static let end: Int64 = Timestamp.daysSince1970(year: 2026, month: 1, day: 1) * day
    /// The last instant of the data set, 2025-12-31T23:59:59.999999Z: the demo's "as of".
    static let lastInstant = Date(timeIntervalSince1970: Double(end) - 0.000_001)
    static let day: Int64 = 86_400

    /// One customer of the data set.
    struct Customer: Sendable {
        var index: Int
        var id: StreamID
        var kind: CustomerKind
        var registeredAt: Int64
        /// For a duplicate record of the same customer: the original it gets merged into.
        var duplicateOf: Int?
        /// The duplicate that is merged and later unmerged (a namesake, not the same customer).
        var isMistakenDuplicate = false
    }

    /// An event ready to append, with the key that orders the data set.
    struct Draft: Sendable {
        /// When it happened, in microseconds since 1970.
        var micros: Int64
        /// The customer whose generator made it (for a merge, the duplicate's).
        var customer: Int32
        /// Its place among that customer's events.
        var sequence: Int32
        /// How many of the drafts right after it must go into the same atomic append (a
        /// merge's copy on the other stream).
        var followers: Int32
        var stream: StreamID
        var event: ProposedEvent

        func precedes(_ other: Draft) -> Bool {
            (micros, customer, sequence) < (other.micros, other.customer, other.sequence)
        }
    }

    let customers: [Customer]
    /// Every event in the order it is appended: by occurredAt, then customer, then sequence.
    let events: [Draft]

    /// Builds the data set for `customerCount` customers (duplicates included), using
    /// every core for the per-customer generators.
    static func build(customerCount: Int = defaultCustomerCount) async throws -> DemoData {
        let customers = try plan(customerCount: customerCount)
        let chunkCount = max(1, min(8, customers.count / 100))
        let drafts = try await withThrowingTaskGroup(of: [Draft].self) { group in
            for chunk in 0..<chunkCount {
                group.addTask {
                    var drafts: [Draft] = []
                    drafts.reserveCapacity(customers.count / chunkCount * 45)
                    for index in stride(from: chunk, to: customers.count, by: chunkCount) {
                        var script = CustomerScript(customer: customers[index], all: customers)
                        try script.run()
                        drafts += script.drafts
                    }
                    return drafts
                }
            }
            var all: [Draft] = []
            for try await part in group { all += part }
            return all
        }
        return DemoData(customers: customers, events: drafts.sorted { $0.precedes($1) })
    }

    /// The customers, their kinds, registration times and ids, and which are duplicates.
    private static func plan(customerCount: Int) throws -> [Customer] {
        var random = DemoRandom(seed: seed, stream: 0)
        let duplicateCount = max(2, customerCount / 300)
        let originalCount = max(1, customerCount - duplicateCount)
        // A quarter of the customers were there when the ledger started; the others
        // register over the two years, a little more often as the business grows.
        var registrations: [(seconds: Int64, kind: CustomerKind)] = (0..<originalCount).map { _ in
            let dayNumber: Int64 = random.chance(25)
                ? random.int64(0...30)
                : Int64(30 + 690 * random.unit().squareRoot())
            let seconds = start + dayNumber * day + random.int64(8 * 3_600...19 * 3_600)
            return (seconds, random.chance(20) ? .company : .person)
        }
        registrations.sort { ($0.seconds, $0.kind.rawValue) < ($1.seconds, $1.kind.rawValue) }
        // Duplicates: persons who registered again later, mostly with a second email.
        var duplicates: [(seconds: Int64, original: Int)] = []
        let persons = registrations.indices.filter { registrations[$0].kind == .person && registrations[$0].seconds < end - 400 * day }
        for _ in 0..<(persons.isEmpty ? 0 : min(duplicateCount, persons.count)) {
            let original = random.pick(persons)
            let seconds = registrations[original].seconds + random.int64(30...300) * day
            duplicates.append((seconds, original))
        }
        var customers: [Customer] = []
        var serials: [Int64: Int] = [:]
        func id(for seconds: Int64) throws(LedgerError) -> StreamID {
            let dayNumber = seconds / day
            serials[dayNumber, default: 0] += 1
            let (year, month, dayOfMonth) = Timestamp.civil(daysSince1970: dayNumber)
            return try StreamID(String(format: "C%04d%02d%02d%03d", Int(year), Int(month), Int(dayOfMonth), serials[dayNumber]!))
        }
        for (index, registration) in registrations.enumerated() {
            customers.append(Customer(index: index, id: try id(for: registration.seconds), kind: registration.kind, registeredAt: registration.seconds))
        }
        for (number, duplicate) in duplicates.enumerated() {
            customers.append(Customer(
                index: customers.count, id: try id(for: duplicate.seconds), kind: .person, registeredAt: duplicate.seconds,
                duplicateOf: duplicate.original, isMistakenDuplicate: number == duplicates.count - 1
            ))
        }
        return customers
    }
}

/// How often a customer buys.
private enum Persona: CaseIterable {
    case prospect, oneOff, occasional, regular, frequent

    /// Mean days between purchases while the customer is active.
    var meanGap: Double {
        switch self {
        case .prospect, .oneOff: 0
        case .occasional: 110
        case .regular: 40
        case .frequent: 14
        }
    }
}

/// Writes one customer's events, drawing from the customer's own generator.
private struct CustomerScript {
    typealias Customer = DemoData.Customer
    static let day = DemoData.day
    static let end = DemoData.end
    /// One currency for the whole data set: the default tier policy measures spend in USD.
    static let currency = Currency.usd

    let customer: Customer
    let all: [Customer]
    private(set) var drafts: [DemoData.Draft] = []
    private var random: DemoRandom
    private var sequence: Int32 = 0
    private var persona: Persona = .occasional
    /// 0 (poor) to 1 (excellent): how well things go for this customer.
    private var experience = 0.7
    private var owner: String?
    /// Purchases that count (not cancelled) and refunds, for the stage and tier a
    /// survey answer snapshots (with the library's own rules).
    private var purchases: [(seconds: Int64, cents: Int64)] = []
    private var activity: [PurchaseActivity.Purchase] = []
    private var refunds: [PurchaseActivity.Refund] = []
    /// Times of complaints and refunds: answers soon after them are lower.
    private var problems: [Int64] = []
    private var interactionNumber = 0

    init(customer: Customer, all: [Customer]) {
        self.customer = customer
        self.all = all
        random = DemoRandom(seed: DemoData.seed, stream: UInt64(customer.index) + 1)
    }

    var isCompany: Bool { customer.kind == .company }

    mutating func run() throws {
        if customer.duplicateOf != nil {
            try runDuplicate()
            return
        }
        persona = isCompany
            ? random.pick(weighted: [(.prospect, 5), (.occasional, 30), (.regular, 45), (.frequent, 20)])
            : random.pick(weighted: [(.prospect, 14), (.oneOff, 26), (.occasional, 32), (.regular, 20), (.frequent, 8)])
        experience = min(1, max(0, random.normal(mean: 0.68, deviation: 0.2)))
        try register()
        try buy()
        try contact()
        try askNPS()
        try maintainProfile()
    }

    // MARK: Profile

    private static let firstNames = [
        "Ada", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Karin", "Luca", "Mara",
        "Nils", "Olga", "Paul", "Rosa", "Sami", "Tara", "Yusuf", "Amira", "Bruno", "Chloé", "Dario", "Emma", "Finn",
        "Hanna", "Ivan", "Julia", "Kai", "Lea", "Marek", "Noor", "Oskar", "Pia", "Rafael", "Sofia", "Timo", "Vera", "Zoe",
    ]
    private static let lastNames = [
        "Fischer", "Novak", "García", "Jensen", "Rossi", "Dubois", "Kowalski", "Murphy", "Berg", "Schmid", "Costa",
        "Laine", "Meyer", "Horvat", "Lindqvist", "Moreau", "Nowak", "Oliveira", "Petrov", "Quinn", "Richter", "Santos",
        "Weber", "Yilmaz", "Keller", "Bianchi", "Vogel", "Hansen", "Ortega", "Brandt",
    ]
    private static let companyStems = [
        "Nordwind", "Helios", "Brightpath", "Castell", "Mareva", "Quadrant", "Linde", "Atelier Rive", "Fjord", "Kestrel",
        "Vela", "Oakridge", "Sundby", "Praxis", "Alder", "Borealis", "Cobalt", "Delta Nord", "Elbe", "Falkenstein",
        "Granit", "Harbor", "Isar", "Juniper", "Kairos", "Lumen", "Meridian", "Nimbus", "Orion", "Pioneer",
    ]
    private static let industries = [
        ("Logistik", "logistics"), ("Solar", "energy"), ("Learning", "education"), ("Bau", "construction"),
        ("Foods", "food"), ("Software", "software"), ("Health", "healthcare"), ("Retail", "retail"),
        ("Hotels", "hospitality"), ("Engineering", "manufacturing"), ("Consulting", "services"),
    ]
    private static let legalForms = ["GmbH", "AG", "Ltd", "BV", "S.p.A.", "SARL", "AS", "plc", "S.L.", "ApS", "AB", "KG"]
    private static let titles = ["Head of Purchasing", "Office Manager", "CFO", "Operations Lead", "Managing Director"]
    private static let cities = [
        ("Berlin", "DE"), ("Hamburg", "DE"), ("Munich", "DE"), ("Cologne", "DE"), ("Vienna", "AT"), ("Zurich", "CH"),
        ("Amsterdam", "NL"), ("Rotterdam", "NL"), ("Paris", "FR"), ("Lyon", "FR"), ("Madrid", "ES"), ("Milan", "IT"),
        ("Dublin", "IE"), ("Copenhagen", "DK"), ("Stockholm", "SE"), ("Brussels", "BE"), ("Lisbon", "PT"), ("Warsaw", "PL"),
    ]
    private static let streets = ["Hauptstraße", "Market Street", "Rue de la Paix", "Via Roma", "Kongensgade", "Calle Mayor", "Ringweg", "Harbour Road"]
    static let agents = ["mia", "noah", "lena", "omar", "sofia", "jonas", "aylin", "tom"]

    private mutating func personName() -> (first: String, last: String) {
        (random.pick(Self.firstNames), random.pick(Self.lastNames))
    }

    /// The name of the person with this index, from a generator of its own, so a
    /// duplicate record can carry its original's name.
    private static func personName(index: Int) -> (first: String, last: String) {
        var names = DemoRandom(seed: DemoData.seed ^ 0x4E41_4D45, stream: UInt64(index))
        return (names.pick(firstNames), names.pick(lastNames))
    }

    private mutating func register() throws {
        let (city, country) = random.pick(Self.cities)
        let address = "\(random.pick(Self.streets)) \(random.int(1...180))"
        var traits = CustomerTraits(kind: customer.kind, city: city, country: country)
        traits.address = address
        var contacts: [ContactPoint] = []
        var tags: [String] = []
        let actor: String
        if isCompany {
            let (word, industry) = random.pick(Self.industries)
            let name = "\(random.pick(Self.companyStems)) \(word) \(random.pick(Self.legalForms))"
            traits.name = name
            traits.industry = industry
            let contact = personName()
            traits.contactPerson = ContactPerson(name: "\(contact.first) \(contact.last)", title: random.pick(Self.titles))
            let cents = Int64(random.logNormal(median: 24_000, spread: 0.8).rounded()) * 100
            traits.contractValue = Money(minorUnits: cents, currency: Self.currency)
            traits.dates = ["contractRenewal": Self.calendarDate(customer.registeredAt + 365 * Self.day)]
            let domain = name.lowercased().split(separator: " ").first.map(String.init) ?? "company"
            contacts = [
                ContactPoint(kind: .email, value: "purchasing@\(domain)-\(customer.index).example", isPrimary: true),
                ContactPoint(kind: .phone, value: phoneNumber(), isPrimary: true),
            ]
            owner = random.pick(Self.agents)
            tags = ["b2b"]
            actor = "agent:\(owner!)"
        } else {
            let name = Self.personName(index: customer.index)
            traits.name = "\(name.first) \(name.last)"
            let birthYear = random.int(1950...2004)
            let birthMonth = random.int(1...12)
            let birthDay = random.int(1...28)
            traits.dates = ["birthday": String(format: "%04d-%02d-%02d", birthYear, birthMonth, birthDay)]
            contacts = [ContactPoint(kind: .email, value: "\(name.first.lowercased()).\(name.last.lowercased()).\(customer.index)@example.com", isPrimary: true)]
            if random.chance(60) { contacts.append(ContactPoint(kind: .phone, value: phoneNumber(), isPrimary: true)) }
            if random.chance(40) { tags.append("newsletter") }
            actor = "system:signup"
        }
        // Customers from before the ledger started say when the relationship began.
        if customer.registeredAt < DemoData.start + 31 * Self.day, random.chance(80) {
            traits.firstContact = date(customer.registeredAt - random.int64(90...1_800) * Self.day)
        }
        try emit(CustomerRegistered(traits: traits, contacts: contacts, owner: owner, tags: tags), at: customer.registeredAt, actor: actor)

        let consentTime = customer.registeredAt + 60
        if isCompany {
            try emit(ConsentChanged(channel: "email", status: .granted, lawfulBasis: .contract, source: "framework contract"), at: consentTime, actor: actor)
            try emit(ConsentChanged(channel: "phone", status: .granted, lawfulBasis: .legitimateInterest, source: "account management"), at: consentTime, actor: actor)
        } else if random.chance(75) {
            try emit(ConsentChanged(channel: "email", status: .granted, lawfulBasis: .consent, source: "signup form"), at: consentTime, actor: actor)
            if random.chance(10) {
                try emit(ConsentChanged(channel: "email", status: .withdrawn, lawfulBasis: .consent, source: "unsubscribe link"), at: later(than: consentTime, days: 20...500), actor: "system:mailer")
            }
        }
        if !isCompany, random.chance(20) {
            try emit(ConsentChanged(channel: "sms", status: .granted, lawfulBasis: .consent, source: "app"), at: later(than: consentTime, days: 1...300), actor: "system:app")
        }
    }

    private mutating func phoneNumber() -> String {
        "+\(random.int(31...49)) \(random.int(100...999)) \(random.int(1_000_000...9_999_999))"
    }

    /// Moves, second email addresses, changed phones, owner changes, renewals, tags.
    private mutating func maintainProfile() throws {
        if random.chance(6) {
            let (city, country) = random.pick(Self.cities)
            let traits = CustomerTraits(address: "\(random.pick(Self.streets)) \(random.int(1...180))", city: city, country: country)
            try emit(CustomerUpdated(traits: traits), at: later(than: customer.registeredAt, days: 30...600), actor: "system:self-service")
        }
        if random.chance(10) {
            let contact = ContactPoint(kind: .email, value: "contact.\(customer.index).\(random.int(10...99))@mail.example")
            try emit(ContactAdded(contact), at: later(than: customer.registeredAt, days: 10...500), actor: "system:self-service")
        }
        if let current = owner, random.chance(12) {
            var next = random.pick(Self.agents)
            if next == current { next = Self.agents[(Self.agents.firstIndex(of: current)! + 1) % Self.agents.count] }
            try emit(OwnerAssigned(owner: next), at: later(than: customer.registeredAt, days: 60...650), actor: "agent:lead")
            owner = next
        }
        if isCompany {
            // Contract renewals: each anniversary moves the renewal date a year on.
            var renewal = customer.registeredAt + 365 * Self.day
            var value = Int64(random.logNormal(median: 24_000, spread: 0.8).rounded()) * 100
            while renewal - 14 * Self.day < Self.end, purchases.contains(where: { $0.seconds > renewal - 180 * Self.day }) {
                value = value * Int64(random.int(95...125)) / 100
                let traits = CustomerTraits(contractValue: Money(minorUnits: value, currency: Self.currency), dates: ["contractRenewal": Self.calendarDate(renewal + 365 * Self.day)])
                try emit(CustomerUpdated(traits: traits), at: renewal - random.int64(1...14) * Self.day, actor: "agent:\(owner ?? "lead")")
                renewal += 365 * Self.day
            }
        }
        if persona == .occasional, purchases.count <= 1 {
            try emit(CustomerTagged(tag: "low-frequency"), at: customer.registeredAt + 200 * Self.day, actor: "system:segments")
        }
    }

    // MARK: Commerce

    private mutating func buy() throws {
        guard persona != .prospect else { return }
        let medianCents = isCompany ? random.logNormal(median: 180_000, spread: 0.7) : random.logNormal(median: 6_000, spread: 0.6)
        // Active for a while; some come back after a long pause.
        let activeDays = random.exponential(mean: isCompany ? 900 : 420)
        let stopAt = customer.registeredAt + Int64(activeDays) * Self.day
        let comeback: Int64? = random.chance(12) ? stopAt + random.int64(200...320) * Self.day : nil
        var time = customer.registeredAt + Int64(random.exponential(mean: isCompany ? 20 : 6) * 86_400) + 600
        var growth = 0.0
        var orderNumber = 0
        var activeUntil = stopAt
        var cameBack = false
        while time < Self.end {
            if time > activeUntil {
                guard let comeback, !cameBack else { break }
                cameBack = true
                time = max(time, comeback)
                activeUntil = time + Int64(random.exponential(mean: 240)) * Self.day
                continue
            }
            try purchase(at: time, medianCents: medianCents, growth: growth, number: &orderNumber)
            if persona == .oneOff { break }
            growth += persona == .frequent ? 0.02 : 0
            time += Int64(max(1, random.exponential(mean: persona.meanGap) * 86_400))
        }
    }

    private mutating func purchase(at time: Int64, medianCents: Double, growth: Double, number: inout Int) throws {
        number += 1
        let orderID = "O-\(customer.id.rawValue)-\(number)"
        let cents = max(500, Int64((random.logNormal(median: medianCents, spread: 0.45) * (1 + growth)).rounded()))
        let channel = isCompany ? random.pick(["sales", "sales", "web"]) : random.pick(["web", "web", "app", "store"])
        let amount = Money(minorUnits: cents, currency: Self.currency)
        var lines: [OrderLine] = []
        if random.chance(60) {
            let count = random.int(1...3)
            var remaining = cents
            for line in 0..<count {
                let share = line == count - 1 ? remaining : remaining * Int64(random.int(30...70)) / 100
                remaining -= share
                lines.append(OrderLine(sku: "SKU-\(random.int(1_000...1_400))", quantity: random.int(1...(isCompany ? 40 : 3)), amount: Money(minorUnits: share, currency: Self.currency)))
            }
        }
        let actor = channel == "sales" ? "agent:\(owner ?? "sales")" : "system:shop"
        let purchaseID = try emit(PurchaseCompleted(orderId: orderID, amount: amount, channel: channel, lines: lines), at: time, actor: actor, correlation: orderID)
        if random.chance(3) {
            try emit(OrderCancelled(orderId: orderID, reason: random.pick(["customer request", "out of stock", "payment failed"])),
                     at: time + random.int64(600...2 * Self.day), actor: actor, correlation: orderID, causation: purchaseID)
            return
        }
        purchases.append((time, cents))
        activity.append(PurchaseActivity.Purchase(orderId: orderID, occurredAt: date(time), amount: amount, channel: channel, position: LogPosition(UInt64(sequence)), eventID: purchaseID))
        if random.chance(probability: 0.03 + 0.12 * (1 - experience)) {
            let refundTime = time + random.int64(3...30) * Self.day
            let refunded = random.chance(60) ? cents : cents * Int64(random.int(20...60)) / 100
            let refund = Money(minorUnits: refunded, currency: Self.currency)
            let refundID = try emit(RefundIssued(orderId: orderID, amount: refund, reason: random.pick(["damaged", "not as described", "late delivery", "changed mind"])),
                                    at: refundTime, actor: "agent:\(random.pick(Self.agents))", correlation: orderID, causation: purchaseID)
            refunds.append(PurchaseActivity.Refund(orderId: orderID, occurredAt: date(refundTime), amount: refund, position: LogPosition(UInt64(sequence)), eventID: refundID))
            problems.append(refundTime)
        }
        if random.chance(probability: 0.02 + 0.10 * (1 - experience)) {
            try complain(at: time + random.int64(1...10) * Self.day + random.int64(0...30_000), about: orderID)
        }
        if random.chance(18) {
            try askCSAT(at: time + random.int64(2...7) * Self.day)
        }
    }

    // MARK: Service

    private mutating func complain(at time: Int64, about orderID: String) throws {
        let complaintID = "CMP-\(customer.id.rawValue)-\(problems.count + 1)"
        let category = random.pick(["delivery", "product quality", "billing", "service", "website"])
        let severity: ComplaintSeverity = random.pick(weighted: [(.low, 35), (.medium, 40), (.high, 20), (.critical, 5)])
        let channel: Channel = random.pick([.phone, .email, .chat, .email, .social])
        try interaction(at: time - 300, channel: channel, direction: .inbound, subject: "Complaint: \(category)", outcome: "complaint logged", nextAction: nil)
        try emit(ComplaintOpened(complaintId: complaintID, category: category, severity: severity, description: "About order \(orderID)."),
                 at: time, actor: "agent:\(owner ?? random.pick(Self.agents))", correlation: complaintID)
        problems.append(time)
        if problems.count == 2 { try emit(CustomerTagged(tag: "complaint-risk"), at: time + 60, actor: "system:segments") }
        guard random.chance(90) else { return }
        let days = severity >= .high ? random.exponential(mean: 3) : random.exponential(mean: 8)
        let resolvedAt = time + Int64(days * 86_400) + 3_600
        try emit(ComplaintResolved(complaintId: complaintID, resolution: random.pick(["replacement sent", "refund granted", "explained", "voucher issued", "fixed"])),
                 at: resolvedAt, actor: "agent:\(owner ?? random.pick(Self.agents))", correlation: complaintID)
        if random.chance(55) {
            let score = Self.clamp(random.normal(mean: 2.5 + 3.5 * experience - (days > 10 ? 1.2 : 0), deviation: 1.0), 1...7)
            try survey(.ces, "ces-\(complaintID)", score: score, at: resolvedAt + random.int64(3_600...3 * Self.day))
        }
        if problems.count >= 2, random.chance(50) {
            try emit(CustomerUntagged(tag: "complaint-risk"), at: resolvedAt + random.int64(60...200) * Self.day, actor: "system:segments")
        }
    }

    // MARK: Interactions

    private mutating func contact() throws {
        let perMonth = isCompany ? random.uniform(1.2...3.0) : random.uniform(0.15...0.9) * (persona == .frequent ? 1.6 : 1)
        var time = customer.registeredAt + Int64(random.exponential(mean: 30 / perMonth) * 86_400)
        let lastPurchase = purchases.last?.seconds ?? customer.registeredAt
        while time < Self.end {
            // Contact thins out once the customer stops buying.
            let quiet = time > lastPurchase + 120 * Self.day
            if !quiet || random.chance(35) {
                let channel: Channel = isCompany
                    ? random.pick(weighted: [(.meeting, 20), (.phone, 25), (.email, 30), (.visit, 12), (.event, 8), (.chat, 3), (.other, 2)])
                    : random.pick(weighted: [(.email, 30), (.chat, 15), (.phone, 15), (.sms, 10), (.social, 10), (.visit, 8), (.event, 4), (.meeting, 3), (.other, 5)])
                let direction: Direction = quiet || random.chance(55) ? .outbound : .inbound
                let subject = quiet ? random.pick(["We miss you", "Win-back offer", "Checking in"]) : random.pick(["Delivery status", "Invoice question", "Product advice", "Contract renewal", "Newsletter reply", "Price request", "Onboarding", "Upgrade options"])
                let outcome = random.pick(["information given", "resolved", "follow-up needed", "no answer", "meeting booked", "offer sent"])
                let next: (String, Int64)? = random.chance(isCompany ? 35 : 20)
                    ? (random.pick(["Call back", "Send offer", "Schedule visit", "Send documentation", "Check delivery"]), random.int64(1...10) * Self.day)
                    : nil
                try interaction(at: time, channel: channel, direction: direction, subject: subject, outcome: outcome, nextAction: next)
            }
            time += Int64(random.exponential(mean: 30 / perMonth) * 86_400) + 1_800
        }
    }

    /// Records an interaction; a next action is then kept on time, late or never.
    private mutating func interaction(
        at time: Int64, channel: Channel, direction: Direction, subject: String, outcome: String,
        nextAction: (description: String, due: Int64)?, onTimePercent: Int = 55
    ) throws {
        interactionNumber += 1
        let interactionID = "I-\(customer.id.rawValue)-\(interactionNumber)"
        let agent = owner ?? random.pick(Self.agents)
        let action = nextAction.map { NextAction(description: $0.description, dueAt: date(time + $0.due)) }
        try emit(InteractionRecorded(interactionId: interactionID, channel: channel, direction: direction, subject: subject, agent: agent, outcome: outcome, nextAction: action),
                 at: time, actor: "agent:\(agent)", correlation: interactionID)
        guard let nextAction else { return }
        let due = time + nextAction.due
        let roll = random.int(0...99)
        let doneAt: Int64
        if roll < onTimePercent {
            doneAt = time + random.int64(600...max(601, nextAction.due - 600))
        } else if roll < onTimePercent + (100 - onTimePercent) * 6 / 10 {
            doneAt = due + random.int64(1...20) * Self.day
        } else {
            return  // never done: an open follow-up, overdue once its time has passed
        }
        try emit(FollowUpCompleted(interactionId: interactionID, outcome: random.pick(["done", "customer reached", "offer accepted", "no interest"])),
                 at: doneAt, actor: "agent:\(agent)", correlation: interactionID)
    }

    // MARK: Feedback

    /// A quarterly NPS survey goes to a quarter of the customers who have bought.
    private mutating func askNPS() throws {
        var quarter = Quarter(year: 2024, quarter: 1)
        while quarter.start.timeIntervalSince1970 < Double(Self.end) {
            let sentAt = Int64(quarter.start.timeIntervalSince1970) + random.int64(35...60) * Self.day + random.int64(8 * 3_600...20 * 3_600)
            if purchases.contains(where: { $0.seconds < sentAt }), random.chance(25) {
                let bought = purchases.filter { $0.seconds < sentAt && $0.seconds > sentAt - 365 * Self.day }.count
                let frequentBonus = min(2.0, Double(bought) * 0.12)
                let lapsed: Double = [.declining, .churned].contains(stage(at: sentAt)) ? 1.2 : 0
                let mean = 4.7 + 5.0 * experience + frequentBonus - lapsed - (hadProblem(before: sentAt, days: 90) ? 2.6 : 0)
                try survey(.nps, "nps-\(quarter)", score: Self.clamp(random.normal(mean: mean, deviation: 1.3), 0...10), at: sentAt)
            }
            quarter = quarter.next
        }
    }

    private mutating func askCSAT(at time: Int64) throws {
        let bought = purchases.filter { $0.seconds <= time && $0.seconds > time - 365 * Self.day }.count
        let mean = 2.3 + 2.3 * experience + min(0.6, Double(bought) * 0.05) - (hadProblem(before: time, days: 30) ? 1.5 : 0)
        try survey(.csat, "csat-\(Self.calendarDate(time).prefix(7))", score: Self.clamp(random.normal(mean: mean, deviation: 0.8), 1...5), at: time)
    }

    private func hadProblem(before time: Int64, days: Int64) -> Bool {
        problems.contains { $0 <= time && $0 > time - days * Self.day }
    }

    private mutating func survey(_ kind: SurveyKind, _ surveyID: String, score: Int, at time: Int64) throws {
        guard time < Self.end else { return }
        var dimensions: [String: Int]?
        if kind == .csat {
            dimensions = [
                "service": Self.clamp(random.normal(mean: Double(score), deviation: 0.7), 1...5),
                "product": Self.clamp(random.normal(mean: Double(score) + 0.3, deviation: 0.7), 1...5),
                "responseSpeed": Self.clamp(random.normal(mean: Double(score) - 0.2, deviation: 0.9), 1...5),
            ]
        }
        let comment: String? = random.chance(30)
            ? (score <= (kind == .nps ? 6 : 2) ? random.pick(["The hotline kept me waiting.", "Delivery was late again.", "Too expensive for what it is."]) : random.pick(["Fast delivery, thank you.", "Good value.", "Friendly staff.", "Would like more payment options."]))
            : nil
        let response = SurveyAnswered(
            surveyId: surveyID, kind: kind, score: score, dimensions: dimensions, comment: comment,
            channel: random.pick(["email", "email", "sms", "web"]), tierAtResponse: tier(at: time), stageAtResponse: stage(at: time)
        )
        try emit(response, at: time, actor: "system:survey")
        // Closing the loop: most detractors get a call back due within 48 hours.
        let detractor = (kind == .nps && score <= 6) || (kind == .csat && score <= 2)
        if detractor, random.chance(70) {
            try interaction(at: time + random.int64(1_800...30 * 3_600), channel: .phone, direction: .outbound, subject: "Detractor call-back",
                            outcome: random.pick(["apology made", "issue escalated", "no answer"]),
                            nextAction: ("Resolve the detractor's issue", 48 * 3_600), onTimePercent: 65)
        }
    }

    // MARK: Stage and tier when a survey is answered (the library's default rules)

    private func stage(at time: Int64) -> LifecycleStage {
        LifecycleRules.evaluate(purchases: PurchaseActivity(purchases: activity, refunds: refunds), at: date(time)).stage
    }

    private func tier(at time: Int64) -> Tier {
        TierRules.evaluate(purchases: PurchaseActivity(purchases: activity, refunds: refunds), at: date(time)).tier
    }

    // MARK: Duplicates

    /// A second record of an existing person: a registration with another email, a
    /// little activity, then a merge into the original (and, for one namesake, an unmerge).
    private mutating func runDuplicate() throws {
        let original = all[customer.duplicateOf!]
        let name = Self.personName(index: original.index)
        let traits = CustomerTraits(kind: .person, name: "\(name.first) \(name.last)")
        try emit(CustomerRegistered(traits: traits, contacts: [ContactPoint(kind: .email, value: "\(name.first.lowercased()).\(customer.index)@mail.example", isPrimary: true)]),
                 at: customer.registeredAt, actor: "system:signup")
        try interaction(at: customer.registeredAt + random.int64(1...5) * Self.day, channel: .chat, direction: .inbound, subject: "Product advice", outcome: "information given", nextAction: nil)
        if random.chance(60) {
            var orderNumber = 0
            try purchase(at: customer.registeredAt + random.int64(2...20) * Self.day, medianCents: 6_000, growth: 0, number: &orderNumber)
        }
        let mergedAt = customer.registeredAt + random.int64(25...60) * Self.day
        try emitMerge(CustomersMerged(survivor: original.id, merged: [customer.id]), survivor: original.id, at: mergedAt)
        if customer.isMistakenDuplicate {
            try emitMerge(CustomersUnmerged(survivor: original.id, restored: [customer.id]), survivor: original.id, at: mergedAt + random.int64(10...30) * Self.day)
        }
    }

    // MARK: Writing

    private func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(seconds))
    }

    private mutating func later(than time: Int64, days: ClosedRange<Int64>) -> Int64 {
        time + random.int64(days) * Self.day + random.int64(0...36_000)
    }

    static func calendarDate(_ seconds: Int64) -> String {
        let (year, month, day) = Timestamp.civil(daysSince1970: seconds / DemoData.day)
        return String(format: "%04d-%02d-%02d", Int(year), Int(month), Int(day))
    }

    static func clamp(_ value: Double, _ range: ClosedRange<Int>) -> Int {
        min(range.upperBound, max(range.lowerBound, Int(value.rounded())))
    }

    /// Adds an event to this customer's stream; events after the data set's end are
    /// left out (the id is drawn either way, so nothing else shifts).
    @discardableResult
    private mutating func emit(
        _ payload: some CustomerEventPayload, at seconds: Int64, actor: String, correlation: String? = nil, causation: EventID? = nil
    ) throws -> EventID {
        let occurredAt = date(seconds)
        let id = random.eventID(at: occurredAt)
        sequence += 1
        guard seconds < Self.end else { return id }
        let metadata = EventMetadata(correlationID: correlation, causationID: causation?.description, actor: actor)
        let event = try ProposedEvent(payload, occurredAt: occurredAt, id: id, metadata: metadata)
        drafts.append(DemoData.Draft(micros: seconds * 1_000_000, customer: Int32(customer.index), sequence: sequence, followers: 0, stream: customer.id, event: event))
        return id
    }

    /// Appends an identity event to the survivor's stream and this customer's, as one
    /// atomic part of the batch (each copy with its own id).
    private mutating func emitMerge(_ payload: some CustomerEventPayload, survivor: StreamID, at seconds: Int64) throws {
        let occurredAt = date(seconds)
        let survivorID = random.eventID(at: occurredAt)
        let ownID = random.eventID(at: occurredAt)
        sequence += 2
        guard seconds < Self.end else { return }
        let metadata = EventMetadata(actor: "agent:data-quality")
        let micros = seconds * 1_000_000
        drafts.append(DemoData.Draft(micros: micros, customer: Int32(customer.index), sequence: sequence - 1, followers: 1, stream: survivor,
                                     event: try ProposedEvent(payload, occurredAt: occurredAt, id: survivorID, metadata: metadata)))
        drafts.append(DemoData.Draft(micros: micros, customer: Int32(customer.index), sequence: sequence, followers: 0, stream: customer.id,
                                     event: try ProposedEvent(payload, occurredAt: occurredAt, id: ownID, metadata: metadata)))
    }
}
