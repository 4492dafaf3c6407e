import CustomerLedger
import Foundation

/// The demo's data set: 40 customers (persons and companies) and their events over 2024,
/// with payloads shaped after the domain model (shared docs, domain.md §2).
///
/// Everything derives from ``DemoRandom`` with a fixed seed, including the event ids and
/// times, so building it again gives the same events and re-running the demo appends
/// nothing new.
struct DemoData {
    /// One customer of the data set.
    struct Customer {
        var id: StreamID
        var name: String
        var isCompany: Bool
    }

    static let seed: UInt64 = 0x00C0_FFEE_2024
    static let customerCount = 40

    private(set) var customers: [Customer] = []
    /// The events in the order they are appended: by occurredAt, then customer.
    private(set) var events: [(customer: StreamID, event: ProposedEvent)] = []

    private var random = DemoRandom(seed: DemoData.seed)
    private var orderNumber = 100_000
    /// Events before sorting: the time, the customer's index, the order within the customer.
    private var drafts: [(seconds: Int64, customer: Int, sequence: Int, event: ProposedEvent)] = []

    /// Builds the data set.
    init() throws {
        let registrations = (0..<Self.customerCount).map { _ in
            Self.start + Int64(random.int(0...180)) * Self.day + Int64(random.int(8 * 3_600...18 * 3_600))
        }
        var idsPerDay: [String: Int] = [:]
        for (index, registeredAt) in registrations.enumerated() {
            let date = Timestamp.format(Date(timeIntervalSince1970: Double(registeredAt)), fractionDigits: false)
            let day = date.prefix(10).replacingOccurrences(of: "-", with: "")
            idsPerDay[day, default: 0] += 1
            let serial = String(idsPerDay[day]!)
            let id = try StreamID("C\(day)\(String(repeating: "0", count: 3 - serial.count))\(serial)")
            try addCustomer(index: index, id: id, registeredAt: registeredAt)
        }
        drafts.sort { ($0.seconds, $0.customer, $0.sequence) < ($1.seconds, $1.customer, $1.sequence) }
        events = drafts.map { (customers[$0.customer].id, $0.event) }
        drafts = []
    }

    // MARK: Customers

    private static let start: Int64 = Timestamp.daysSince1970(year: 2024, month: 1, day: 1) * 86_400
    private static let end: Int64 = Timestamp.daysSince1970(year: 2025, month: 1, day: 1) * 86_400 - 1
    private static let day: Int64 = 86_400

    private static let firstNames = ["Ada", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Karin", "Luca", "Mara", "Nils", "Olga", "Paul", "Rosa", "Sami", "Tara", "Yusuf"]
    private static let lastNames = ["Fischer", "Novak", "García", "Jensen", "Rossi", "Dubois", "Kowalski", "Murphy", "Berg", "Schmid", "Costa", "Laine"]
    private static let companies = [
        ("Nordwind Logistik GmbH", "logistics"), ("Helios Solar AG", "energy"), ("Brightpath Learning Ltd", "education"),
        ("Castell Bau GmbH", "construction"), ("Mareva Foods S.p.A.", "food"), ("Quadrant Software BV", "software"),
        ("Linde Apotheken KG", "healthcare"), ("Atelier Rive SARL", "retail"), ("Fjord Hotels AS", "hospitality"),
        ("Kestrel Engineering plc", "manufacturing"), ("Vela Textiles S.L.", "manufacturing"), ("Oakridge Dental Group", "healthcare"),
        ("Sundby Design ApS", "retail"), ("Praxis Consulting AB", "services"),
    ]
    private static let titles = ["Head of Purchasing", "Office Manager", "CFO", "Operations Lead", "Managing Director"]
    private static let cities = [
        ("Berlin", "DE"), ("Hamburg", "DE"), ("Munich", "DE"), ("Vienna", "AT"), ("Zurich", "CH"), ("Amsterdam", "NL"),
        ("Paris", "FR"), ("Madrid", "ES"), ("Milan", "IT"), ("London", "GB"), ("Dublin", "IE"), ("Copenhagen", "DK"),
        ("Stockholm", "SE"),
    ]
    private static let currencies = ["CH": "CHF", "GB": "GBP", "DK": "DKK", "SE": "SEK"]
    private static let agents = ["mia", "noah", "lena", "omar", "sofia"]

    private mutating func addCustomer(index: Int, id: StreamID, registeredAt: Int64) throws(JSONPayload.Problem) {
        let isCompany = index % 3 == 2
        let (city, country) = random.pick(Self.cities)
        let currency = Self.currencies[country] ?? "EUR"
        var sequence = 0
        func next() -> Int {
            sequence += 1
            return sequence
        }
        let name: String
        var registration: [String: Any] = ["city": city, "country": country]
        if isCompany {
            let (company, industry) = Self.companies[(index / 3) % Self.companies.count]
            name = company
            let contact = "\(random.pick(Self.firstNames)) \(random.pick(Self.lastNames))"
            let domain = company.lowercased().split(separator: " ").first.map(String.init) ?? "company"
            registration.merge([
                "kind": "company", "name": company, "industry": industry,
                "contactPerson": ["name": contact, "title": random.pick(Self.titles)],
                "email": "purchasing@\(domain).example",
            ]) { $1 }
        } else {
            let first = random.pick(Self.firstNames)
            let last = random.pick(Self.lastNames)
            name = "\(first) \(last)"
            registration.merge([
                "kind": "person", "name": name,
                "email": "\(first.lowercased()).\(last.lowercased())@example.com",
                "phone": "+\(random.int(30...49)) \(random.int(100...999)) \(random.int(1_000_000...9_999_999))",
            ]) { $1 }
        }
        customers.append(Customer(id: id, name: name, isCompany: isCompany))
        let owner = random.pick(Self.agents)
        try add(index, next(), registeredAt, "customer.registered", registration, actor: isCompany ? "agent:\(owner)" : "system:signup")

        // Purchases, sometimes refunded.
        let purchaseCount = isCompany ? random.int(2...12) : random.pick([0, 1, 1, 2, 3, 4, 6, 9])
        let purchaseTimes = (0..<purchaseCount).map { _ in randomTime(after: registeredAt + Self.day) }.sorted()
        for time in purchaseTimes {
            orderNumber += 1
            let orderID = "O-\(orderNumber)"
            let cents = isCompany ? random.int(500...20_000) * 100 + random.int(0...99) : random.int(1_500...40_000)
            let channel = isCompany ? random.pick(["sales", "web", "sales"]) : random.pick(["web", "app", "store", "web"])
            let purchase = try add(index, next(), time, "purchase.completed", [
                "orderId": orderID, "amount": Self.decimal(cents), "currency": currency, "channel": channel,
                "items": random.int(1...(isCompany ? 40 : 5)),
            ], actor: channel == "sales" ? "agent:\(owner)" : "system:shop", correlationID: orderID)
            if random.chance(9) {
                let refundTime = time + Int64(random.int(3...20)) * Self.day
                if refundTime <= Self.end {
                    let refunded = random.chance(50) ? cents : cents / 2
                    try add(index, next(), refundTime, "refund.issued", [
                        "orderId": orderID, "amount": Self.decimal(refunded), "currency": currency,
                        "reason": random.pick(["damaged", "not as described", "late delivery", "changed mind"]),
                    ], actor: "agent:\(random.pick(Self.agents))", correlationID: orderID, causationID: purchase.description)
                }
            }
        }

        // Interactions on many channels, some opening a follow-up.
        for _ in 0..<(isCompany ? random.int(3...10) : random.int(1...6)) {
            let time = randomTime(after: registeredAt)
            let agent = random.pick(Self.agents)
            let channel = random.pick(["phone", "email", "sms", "chat", "social", "visit", "meeting", "event", "email", "phone"])
            var interaction: [String: Any] = [
                "channel": channel,
                "direction": random.pick(["inbound", "outbound"]),
                "subject": random.pick(["Delivery status", "Invoice question", "Product advice", "Contract renewal", "Complaint about service", "Newsletter reply", "Price request"]),
                "agent": agent,
                "outcome": random.pick(["resolved", "information given", "follow-up needed", "no answer", "meeting booked"]),
            ]
            if random.chance(30) {
                interaction["nextAction"] = [
                    "action": random.pick(["call back", "send offer", "schedule visit"]),
                    "dueAt": Timestamp.format(Date(timeIntervalSince1970: Double(time + 2 * Self.day)), fractionDigits: false),
                ]
            }
            try add(index, next(), time, "interaction.recorded", interaction, actor: "agent:\(agent)")
        }

        // Survey answers: NPS or CSAT.
        for _ in 0..<random.pick([0, 1, 1, 2]) {
            let time = randomTime(after: registeredAt + 7 * Self.day)
            let month = Timestamp.format(Date(timeIntervalSince1970: Double(time)), fractionDigits: false).prefix(7)
            var survey: [String: Any]
            if random.chance(60) {
                survey = ["surveyId": "nps-\(month)", "kind": "nps", "score": random.pick([3, 5, 6, 7, 8, 8, 9, 9, 10, 10])]
            } else {
                survey = [
                    "surveyId": "csat-\(month)", "kind": "csat", "score": random.pick([2, 3, 4, 4, 5, 5]),
                    "ratings": ["service": random.int(1...5), "product": random.int(2...5), "responseSpeed": random.int(1...5)],
                ]
            }
            if random.chance(40) {
                survey["comment"] = random.pick(["Fast delivery, thank you.", "The hotline kept me waiting.", "Good value.", "Would like more payment options."])
            }
            try add(index, next(), time, "survey.answered", survey, actor: "system:survey")
        }
    }

    /// A time between `after` and the end of 2024, in working hours.
    private mutating func randomTime(after: Int64) -> Int64 {
        let firstDay = min((after - Self.start) / Self.day + 1, 365)
        let day = Int64(random.int(Int(firstDay)...365))
        return Self.start + day * Self.day + Int64(random.int(7 * 3_600...21 * 3_600))
    }

    @discardableResult
    private mutating func add(
        _ customer: Int,
        _ sequence: Int,
        _ seconds: Int64,
        _ type: String,
        _ payload: [String: Any],
        actor: String,
        correlationID: String? = nil,
        causationID: String? = nil
    ) throws(JSONPayload.Problem) -> EventID {
        let occurredAt = Date(timeIntervalSince1970: Double(seconds))
        let id = random.eventID(at: occurredAt)
        let event = ProposedEvent(
            id: id,
            type: type,
            occurredAt: occurredAt,
            metadata: EventMetadata(correlationID: correlationID, causationID: causationID, actor: actor),
            payload: try JSONPayload.canonical(payload)
        )
        drafts.append((seconds, customer, sequence, event))
        return id
    }

    /// Cents as a decimal string: 12345 → "123.45". Money is never a floating-point number.
    private static func decimal(_ cents: Int) -> String {
        let fraction = String(cents % 100)
        return "\(cents / 100).\(fraction.count == 1 ? "0" + fraction : fraction)"
    }
}
