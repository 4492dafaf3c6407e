import Foundation

/// The few numbers the value projections keep per customer: built from one customer's
/// ``PurchaseActivity``, or accumulated in a population pass without keeping the
/// purchases. Only amounts in the policy's currency count; the others are counted per
/// currency.
struct ValueTally: Sendable, Hashable {
    /// Counted purchases, all history.
    var purchases = 0
    var grossMinorUnits: Int64 = 0
    var refundedMinorUnits: Int64 = 0
    var firstPurchase: Date?
    var lastPurchase: Date?
    /// Purchases and net spend in the RFM window.
    var windowPurchases = 0
    var windowNetMinorUnits: Int64 = 0
    /// Lifetimes inputs, by UTC day number: the first and latest purchase day seen, how
    /// many distinct days, and the purchases on the first day.
    var firstDay: Int?
    var lastDay = 0
    var distinctDays = 0
    var firstDayMinorUnits: Int64 = 0
    /// A purchase came earlier than a day already seen (the log is not in `occurredAt`
    /// order for this customer): the distinct days must be recounted from the history.
    var daysOutOfOrder = false
    /// Purchases and refunds left out, per currency.
    var otherCurrencyEvents: [Currency: Int] = [:]
    var otherCurrencyPurchases = 0

    init() {}

    /// The tally of one customer's activity by `time`.
    init(activity: PurchaseActivity, at time: Date, policy: ValuePolicy) {
        let windowStart = policy.window.start(endingAt: time)
        for purchase in activity.purchases where purchase.occurredAt <= time {
            addPurchase(purchase.amount, at: purchase.occurredAt, windowStart: windowStart, policy: policy)
        }
        for refund in activity.refunds where refund.occurredAt <= time {
            addRefund(refund.amount, at: refund.occurredAt, windowStart: windowStart, policy: policy)
        }
    }

    /// Whether anything in the policy's currency was counted.
    var hasActivity: Bool { purchases > 0 || refundedMinorUnits != 0 }

    mutating func addPurchase(_ amount: Money, at date: Date, windowStart: Date?, policy: ValuePolicy) {
        guard amount.currency == policy.currency else {
            otherCurrencyEvents[amount.currency, default: 0] += 1
            otherCurrencyPurchases += 1
            return
        }
        purchases += 1
        grossMinorUnits += amount.minorUnits
        if firstPurchase.map({ date < $0 }) ?? true { firstPurchase = date }
        if lastPurchase.map({ date > $0 }) ?? true { lastPurchase = date }
        if windowStart.map({ date > $0 }) ?? true {
            windowPurchases += 1
            windowNetMinorUnits += amount.minorUnits
        }
        let day = Self.dayNumber(date)
        if let firstDay {
            if day > lastDay {
                distinctDays += 1
                lastDay = day
            } else if day < lastDay {
                daysOutOfOrder = true
            }
            if day == firstDay { firstDayMinorUnits += amount.minorUnits }
        } else {
            firstDay = day
            lastDay = day
            distinctDays = 1
            firstDayMinorUnits = amount.minorUnits
        }
    }

    mutating func addRefund(_ amount: Money, at date: Date, windowStart: Date?, policy: ValuePolicy) {
        guard amount.currency == policy.currency else {
            otherCurrencyEvents[amount.currency, default: 0] += 1
            return
        }
        refundedMinorUnits += amount.minorUnits
        if windowStart.map({ date > $0 }) ?? true { windowNetMinorUnits -= amount.minorUnits }
    }

    /// The UTC day holding `date`, as days since 1970-01-01.
    static func dayNumber(_ date: Date) -> Int {
        Int((date.timeIntervalSince1970 / TimeMath.secondsPerDay).rounded(.down))
    }

    /// The lifetimes model inputs at `time`, or `nil` before the first purchase.
    func lifetimesInputs(at time: Date, policy: ValuePolicy) -> LifetimesInputs? {
        guard let firstDay else { return nil }
        let frequency = distinctDays - 1
        let repeatMinorUnits = grossMinorUnits - firstDayMinorUnits
        return LifetimesInputs(
            frequency: frequency, recency: lastDay - firstDay, T: Self.dayNumber(time) - firstDay,
            repeatSpend: Money(minorUnits: repeatMinorUnits, currency: policy.currency)
        )
    }

    /// Historic lifetime value and model inputs.
    func lifetimeValue(of customer: StreamID, at time: Date, policy: ValuePolicy) -> LifetimeValue {
        LifetimeValue(
            customer: customer, historic: Money(minorUnits: grossMinorUnits - refundedMinorUnits, currency: policy.currency),
            purchases: purchases, inputs: lifetimesInputs(at: time, policy: policy)
        )
    }

    /// Recency, frequency and monetary value, or `nil` without a purchase in the window.
    func rfmValues(at time: Date, policy: ValuePolicy) -> RFMValues? {
        guard windowPurchases > 0, let lastPurchase else { return nil }
        return RFMValues(
            recencyDays: Self.dayNumber(time) - Self.dayNumber(lastPurchase), frequency: windowPurchases,
            monetary: Money(minorUnits: windowNetMinorUnits, currency: policy.currency)
        )
    }
}

/// The value tallies of every customer in a point of view.
struct ValuePopulation: Sendable {
    var tallies: [StreamID: ValueTally] = [:]

    /// Purchases and refunds left out, per currency, over all customers.
    var otherCurrencyEvents: [Currency: Int] {
        var total: [Currency: Int] = [:]
        for tally in tallies.values { total.merge(tally.otherCurrencyEvents, uniquingKeysWith: +) }
        return total
    }

    /// Customers whose counted purchases are all in other currencies.
    var customersOnlyInOtherCurrencies: Int {
        tallies.values.count { $0.purchases == 0 && $0.otherCurrencyPurchases > 0 }
    }

    init(tallies: [StreamID: ValueTally]) { self.tallies = tallies }

    /// One pass over the purchases and refunds (after a pass over the cancellations), a
    /// tally per customer; customers whose purchases the log holds out of `occurredAt`
    /// order are recounted from their history, so the result is exact.
    init(ledger: Ledger, asOf: AsOf, policy: ValuePolicy) throws(LedgerError) {
        var pass = PopulationPass(asOf: asOf)
        pass.value = ValueAccumulator(asOf: asOf, policy: policy)
        do {
            try pass.run(on: ledger)
        } catch {
            throw LedgerError.wrapping(error, while: "Reading purchases and refunds")
        }
        self = try pass.value!.finish(owners: pass.owners, ledger: ledger)
    }
}

/// The value projections' share of a population pass: a ``ValueTally`` per customer slot
/// that had a counted purchase or refund.
struct ValueAccumulator: Sendable {
    let asOf: AsOf
    let policy: ValuePolicy
    let windowStart: Date?
    /// By owner slot; `nil` until the customer's first purchase or refund.
    private var tallies: [ValueTally?] = []

    init(asOf: AsOf, policy: ValuePolicy) {
        self.asOf = asOf
        self.policy = policy
        windowStart = policy.window.start(endingAt: asOf.time)
    }

    /// Takes one event that counts (purchases and refunds of cancelled orders are left
    /// out by the pass).
    mutating func consume(_ owner: PopulationOwner, _ record: CustomerEventRecord) {
        switch record.event {
        case .purchaseCompleted(let purchase):
            start(owner.slot)
            tallies[owner.slot]!.addPurchase(purchase.amount, at: record.occurredAt, windowStart: windowStart, policy: policy)
        case .refundIssued(let refund):
            start(owner.slot)
            tallies[owner.slot]!.addRefund(refund.amount, at: record.occurredAt, windowStart: windowStart, policy: policy)
        default:
            break
        }
    }

    private mutating func start(_ slot: Int) {
        while tallies.count <= slot { tallies.append(nil) }
        if tallies[slot] == nil { tallies[slot] = ValueTally() }
    }

    /// The tallies by customer id, the ones whose purchases came out of `occurredAt` order
    /// recounted from their history.
    func finish(owners: PopulationOwners, ledger: Ledger) throws(LedgerError) -> ValuePopulation {
        var byOwner: [StreamID: ValueTally] = [:]
        byOwner.reserveCapacity(tallies.count)
        for (slot, tally) in tallies.enumerated() {
            guard var tally else { continue }
            let owner = owners.ids[slot]
            if tally.daysOutOfOrder {
                let history = try ledger.history(of: owner, asOf: asOf)
                tally = ValueTally(activity: PurchaseActivity(history.records), at: asOf.time, policy: policy)
            }
            byOwner[owner] = tally
        }
        return ValuePopulation(tallies: byOwner)
    }
}
