/// Currencies numbered 0, 1, 2… in the order first met, with no allocation for the first
/// one (a customer usually buys in one currency).
struct CurrencySlots {
    private var first: Currency?
    private var others: [Currency] = []

    /// How many currencies have a slot.
    var count: Int { (first == nil ? 0 : 1) + others.count }

    /// The slot of `currency`, given the next one the first time.
    mutating func slot(of currency: Currency) -> Int {
        guard let first else {
            first = currency
            return 0
        }
        if currency == first { return 0 }
        if let index = others.firstIndex(of: currency) { return index + 1 }
        others.append(currency)
        return others.count
    }

    /// The currency in `slot`.
    subscript(slot: Int) -> Currency { slot == 0 ? first! : others[slot - 1] }
}

/// Sums of minor units per currency, then one dictionary.
struct CurrencyTotals {
    private var slots = CurrencySlots()
    private var firstTotal: Int64 = 0
    private var otherTotals: [Int64] = []

    mutating func add(_ amount: Int64, _ currency: Currency) {
        let slot = slots.slot(of: currency)
        if slot == 0 {
            firstTotal += amount
        } else {
            if slot > otherTotals.count { otherTotals.append(0) }
            otherTotals[slot - 1] += amount
        }
    }

    var byCurrency: [Currency: Money] {
        guard slots.count > 0 else { return [:] }
        var result: [Currency: Money] = [:]
        result.reserveCapacity(slots.count)
        for slot in 0..<slots.count {
            result[slots[slot]] = Money(minorUnits: slot == 0 ? firstTotal : otherTotals[slot - 1], currency: slots[slot])
        }
        return result
    }
}
