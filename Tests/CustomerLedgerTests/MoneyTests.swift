@testable import CustomerLedger
import Foundation
import Testing

@Suite struct MoneyTests {
    static let kwd = try! Currency("KWD")

    @Test(arguments: [
        ("12.30", "USD", 1230),
        ("12.3", "USD", 1230),
        ("12", "USD", 1200),
        ("-5.00", "USD", -500),
        ("0", "USD", 0),
        ("0.01", "USD", 1),
        ("007.50", "EUR", 750),
        ("12.345", "KWD", 12345),
        ("1500", "JPY", 1500),
        ("92233720368547758.07", "USD", Int64.max),
    ] as [(String, String, Int64)])
    func parsesExactAmounts(_ text: String, _ code: String, _ minorUnits: Int64) throws {
        let money = try Money(text, try Currency(code))
        #expect(money.minorUnits == minorUnits)
        #expect(money.currency.code == code)
    }

    @Test(arguments: [
        ("0.001", "USD", "has 3 decimals, but USD has 2: amounts are exact, never rounded"),
        ("12.345", "USD", "has 3 decimals, but USD has 2"),
        ("15.5", "JPY", "has 1 decimals, but JPY has 0"),
        ("12.3456", "KWD", "has 4 decimals, but KWD has 3"),
        ("abc", "USD", "is not a decimal number"),
        ("1.", "USD", "ends with a decimal point"),
        (".5", "USD", "is not a decimal number"),
        ("", "USD", "is not a decimal number"),
        ("-", "USD", "is not a decimal number"),
        ("+5", "USD", "is not a decimal number"),
        ("1,50", "USD", "is not a decimal number"),
        ("1.2.3", "USD", "is not a decimal number"),
        (" 1", "USD", "is not a decimal number"),
        ("1e3", "USD", "is not a decimal number"),
        ("92233720368547758.08", "USD", "is too large"),
        ("99999999999999999999", "JPY", "is too large"),
    ] as [(String, String, String)])
    func refusesAnythingInexact(_ text: String, _ code: String, _ words: String) throws {
        let error = #expect(throws: LedgerError.self) { try Money(text, try Currency(code)) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.hasPrefix("Amount \(text.debugDescription) in \(code) ") == true)
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [
        (Money(minorUnits: 1230, currency: .usd), "12.30"),
        (Money(minorUnits: -5, currency: .usd), "-0.05"),
        (Money(minorUnits: 0, currency: .eur), "0.00"),
        (Money(minorUnits: 1500, currency: .jpy), "1500"),
        (Money(minorUnits: -1500, currency: .jpy), "-1500"),
        (Money(minorUnits: 12345, currency: kwd), "12.345"),
        (Money(minorUnits: 5, currency: kwd), "0.005"),
        (Money(minorUnits: .max, currency: .usd), "92233720368547758.07"),
    ])
    func writesTheCurrencysDecimals(_ money: Money, _ text: String) throws {
        #expect(money.amountText == text)
        #expect(try Money(text, money.currency) == money)
    }

    @Test func currencyCodesAreThreeUpperCaseLetters() throws {
        #expect(try Currency("KWD").minorUnitDigits == 3)
        #expect(try Currency("JPY").minorUnitDigits == 0)
        #expect(try Currency("CHF").minorUnitDigits == 2)
        for bad in ["usd", "US", "USDX", "", "U$D", "ÜSD"] {
            let error = #expect(throws: LedgerError.self) { try Currency(bad) }
            #expect(error?.message.contains("is not an ISO 4217 code") == true)
        }
    }

    /// The binary layout stores a code as three packed bytes; read that way, a currency is
    /// the one its text names, with the same digits, and anything but three upper-case
    /// letters is refused.
    @Test func aPackedCodeIsTheCurrencyItsLettersName() throws {
        for code in ["USD", "EUR", "GBP", "JPY", "KWD", "CLF", "CHF", "AAA", "ZZZ"] {
            let packed = code.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let currency = try #require(Currency(packedCode: packed))
            #expect(currency == (try Currency(code)))
            #expect(currency.code == code)
            #expect(currency.minorUnitDigits == (try Currency(code)).minorUnitDigits)
        }
        for bad: UInt32 in [0, 0x55_73_44, 0x55_53_5B, 0x40_53_44, 0x0155_5344] {
            #expect(Currency(packedCode: bad) == nil, "\(String(bad, radix: 16))")
        }
    }

    @Test func amountsOfDifferentCurrenciesOrderByTheirCodes() {
        let jpy = Money(minorUnits: 1, currency: .jpy)
        #expect(Money(minorUnits: 9_999, currency: .eur) < jpy)
        #expect(jpy < Money(minorUnits: 0, currency: .usd))
        #expect(!(Money(minorUnits: 5, currency: .usd) < Money(minorUnits: 5, currency: .usd)))
        #expect([Money(minorUnits: 2, currency: .usd), Money(minorUnits: 3, currency: .eur), Money(minorUnits: 1, currency: .usd)].sorted()
            == [Money(minorUnits: 3, currency: .eur), Money(minorUnits: 1, currency: .usd), Money(minorUnits: 2, currency: .usd)])
    }

    @Test func aJSONAmountWithTooManyDecimalsIsAnErrorNamingThem() throws {
        let json = Data(#"{"orderId":"O-1","amount":"12.345","currency":"USD"}"#.utf8)
        let error = #expect(throws: LedgerError.self) {
            try EventTypeRegistry().payload(fromJSON: json, type: PurchaseCompleted.eventType, schemaVersion: 1)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message == #"purchase.completed: "amount" is invalid: Amount "12.345" in USD has 3 decimals, but USD has 2: amounts are exact, never rounded."#)
    }

    @Test func aJSONAmountMustBeADecimalString() throws {
        let json = Data(#"{"orderId":"O-1","amount":12.3,"currency":"USD"}"#.utf8)
        let error = #expect(throws: LedgerError.self) {
            try EventTypeRegistry().payload(fromJSON: json, type: PurchaseCompleted.eventType, schemaVersion: 1)
        }
        #expect(error?.message == #"purchase.completed: "amount" must be a string."#)
    }

    @Test func sumsStayInTheirCurrency() {
        #expect(usd("1.10") + usd("2.25") == usd("3.35"))
        #expect(usd("1.10") - usd("2.25") == usd("-1.15"))
        #expect(usd("1") < usd("1.01"))
    }
}
