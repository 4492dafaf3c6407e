import Foundation
public import LedgerCore

/// The thresholds of the care-dates view (domain.md §6), with the defaults of
/// docs/domain-rules/interactions.md.
public struct CareDatesPolicy: Sendable, Hashable, Codable {
    /// How far ahead to look: dates from today (the UTC day of the point of view's time)
    /// to today + this many days, both included. Default 30.
    public var horizonDays: Int
    /// Date traits that come back every year (on the same month and day; 29 February
    /// falls on 28 February in other years). Others are one-off dates. Default
    /// `birthday` and `anniversary`.
    public var yearlyDates: Set<String>

    /// A policy; every argument defaults to the documented default.
    public init(horizonDays: Int = 30, yearlyDates: Set<String> = ["birthday", "anniversary"]) {
        precondition(horizonDays >= 0, "The horizon is a day count")
        self.horizonDays = horizonDays
        self.yearlyDates = yearlyDates
    }

    /// The defaults.
    public static let standard = CareDatesPolicy()
}

/// A date trait coming up.
public struct CareDate: Sendable, Hashable {
    /// The customer (after merges).
    public var customer: StreamID
    /// The trait's name, such as `birthday` or `contractRenewal`.
    public var name: String
    /// The trait as recorded (for a birthday, the date of birth).
    public var recorded: CalendarDate
    /// The day it falls on next, on or after today.
    public var next: CalendarDate
    /// Days from today to ``next`` (0 = today).
    public var daysUntil: Int
    /// Whether it comes back every year.
    public var yearly: Bool

    /// A care date with its parts.
    public init(customer: StreamID, name: String, recorded: CalendarDate, next: CalendarDate, daysUntil: Int, yearly: Bool) {
        self.customer = customer
        self.name = name
        self.recorded = recorded
        self.next = next
        self.daysUntil = daysUntil
        self.yearly = yearly
    }
}

/// The care dates coming up, as of a point of view.
public struct CareDatesReport: Sendable, Hashable {
    /// The point of view; today is the UTC day of its time.
    public var asOf: AsOf
    /// The horizon and yearly names used.
    public var policy: CareDatesPolicy
    /// By ``CareDate/next``, then customer and name.
    public var dates: [CareDate]

    /// A report with its parts.
    public init(asOf: AsOf, policy: CareDatesPolicy, dates: [CareDate]) {
        self.asOf = asOf
        self.policy = policy
        self.dates = dates
    }
}

/// The newest value of each date trait of one customer, fed events in any order.
struct CareDatesAccumulator: Sendable {
    private var traits: [String: (date: CalendarDate, occurredAt: Date, position: LogPosition)] = [:]
    var forgotten = false

    static let eventTypes = [CustomerRegistered.eventType, CustomerUpdated.eventType, CustomerForgotten.eventType]

    mutating func add(_ record: CustomerEventRecord) {
        let dates: [String: String]?
        switch record.event {
        case .registered(let registration): dates = registration.traits.dates
        case .updated(let update): dates = update.traits.dates
        case .forgotten:
            forgotten = true
            return
        default: return
        }
        for (name, text) in dates ?? [:] {
            guard let date = CalendarDate(text) else { continue }
            if let existing = traits[name], (existing.occurredAt, existing.position) > (record.occurredAt, record.position) { continue }
            traits[name] = (date, record.occurredAt, record.position)
        }
    }

    func upcoming(for customer: StreamID, at time: Date, policy: CareDatesPolicy) -> [CareDate] {
        guard !forgotten else { return [] }
        let today = CareDates.calendarDate(of: time)
        return traits.compactMap { name, trait in
            let yearly = policy.yearlyDates.contains(name)
            let next = yearly ? CareDates.nextYearly(trait.date, onOrAfter: today) : trait.date
            let days = CareDates.days(from: today, to: next)
            guard days >= 0, days <= policy.horizonDays else { return nil }
            return CareDate(customer: customer, name: name, recorded: trait.date, next: next, daysUntil: days, yearly: yearly)
        }.sorted { ($0.next, $0.name) < ($1.next, $1.name) }
    }
}

/// UTC calendar-day arithmetic for care dates.
enum CareDates {
    static func calendarDate(of time: Date) -> CalendarDate {
        let parts = TimeMath.calendar.dateComponents([.year, .month, .day], from: time)
        return CalendarDate(String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!))!
    }

    static func start(of date: CalendarDate) -> Date {
        TimeMath.calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day))!
    }

    static func days(from start: CalendarDate, to end: CalendarDate) -> Int {
        Int((TimeMath.days(from: self.start(of: start), to: self.start(of: end))).rounded())
    }

    /// The month and day of `date` in `year`; 29 February is 28 February in other years.
    static func on(_ date: CalendarDate, in year: Int) -> CalendarDate {
        let day = min(date.day, CalendarDate.days(inMonth: date.month, year: year))
        return CalendarDate(String(format: "%04d-%02d-%02d", year, date.month, day))!
    }

    /// The first anniversary of `date` on or after `today`.
    static func nextYearly(_ date: CalendarDate, onOrAfter today: CalendarDate) -> CalendarDate {
        let thisYear = on(date, in: today.year)
        return thisYear >= today ? thisYear : on(date, in: today.year + 1)
    }
}

extension Ledger {
    /// One customer's date traits falling in the next `horizonDays` days; empty when
    /// none (or the customer is unknown or forgotten). Reads only its streams.
    public func careDates(of customer: StreamID, asOf: AsOf = .now(), policy: CareDatesPolicy = .standard) throws(LedgerError) -> [CareDate] {
        let history = try history(of: customer, asOf: asOf)
        guard !history.isEmpty, try !wasForgotten(history) else { return [] }
        var accumulator = CareDatesAccumulator()
        for record in history.records { accumulator.add(record) }
        return accumulator.upcoming(for: history.customer, at: asOf.time, policy: policy)
    }

    /// Every customer's date traits falling in the next `horizonDays` days. One pass
    /// over registrations and updates, keeping each customer's date traits. Forgotten
    /// customers are left out.
    public func upcomingCareDates(asOf: AsOf = .now(), policy: CareDatesPolicy = .standard) throws(LedgerError) -> CareDatesReport {
        var customers: [StreamID: CareDatesAccumulator] = [:]
        var forgotten: Set<StreamID> = []
        do {
            try forEachCustomerEvent(asOf: AsOf(time: .distantFuture), filter: .only([CustomerForgotten.eventType])) { owner, _ in
                forgotten.insert(owner)
            }
            try forEachCustomerEvent(asOf: asOf, filter: .only(CareDatesAccumulator.eventTypes)) { owner, record in
                customers[owner, default: CareDatesAccumulator()].add(record)
            }
        } catch {
            throw LedgerError.wrapping(error, while: "Reading care dates")
        }
        let dates = customers.filter { !forgotten.contains($0.key) }.flatMap { customer, accumulator in
            accumulator.upcoming(for: customer, at: asOf.time, policy: policy)
        }
        return CareDatesReport(
            asOf: asOf, policy: policy,
            dates: dates.sorted { ($0.next, $0.customer, $0.name) < ($1.next, $1.customer, $1.name) }
        )
    }
}
