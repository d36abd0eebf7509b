import ARLinkCore
import Testing

@Suite("Money and currencies", .timeLimit(.minutes(10)))
struct MoneyTests {
    @Test("decimal strings use the currency's exponent", arguments: [
        ("USD", Int64(1250), "12.50"), ("EUR", -5, "-0.05"), ("JPY", 1250000, "1250000"),
        ("KWD", 1234, "1.234"), ("EUR", 0, "0.00"), ("IDR", 1250000, "12500.00"),
    ])
    func formats(code: String, minor: Int64, text: String) throws {
        let money = Money(minorUnits: minor, currency: try Currency(code))
        #expect(money.decimalString == text)
        #expect(try Money(decimal: text, currency: try Currency(code)) == money)
    }

    @Test("parsing refuses what is not an amount", arguments: ["", "-", "1.2.3", "12.345", "1,50", "abc", "1e5", " 1", "."])
    func refuses(text: String) throws {
        #expect(throws: CoreError(.invalidAmount, "")) { _ = try Money(decimal: text, currency: try Currency("EUR")) }
    }

    @Test("short fractions are padded: 12.5 EUR is 1250 cents")
    func pads() throws {
        #expect(try Money(decimal: "12.5", currency: try Currency("EUR")).minorUnits == 1250)
        #expect(try Money(decimal: "+7", currency: try Currency("EUR")).minorUnits == 700)
    }

    @Test("overflow and currency mismatch are errors, not wrong sums")
    func arithmetic() throws {
        let eur = try Currency("EUR"), usd = try Currency("USD")
        #expect(throws: CoreError(.overflow, "")) { _ = try Money(decimal: "99999999999999999999", currency: eur) }
        #expect(throws: CoreError(.currencyMismatch, "")) { _ = try Money(minorUnits: 1, currency: eur).adding(Money(minorUnits: 1, currency: usd)) }
        #expect(throws: CoreError(.overflow, "")) { _ = try Money(minorUnits: .max, currency: eur).adding(Money(minorUnits: 1, currency: eur)) }
        #expect(try Money(minorUnits: 150, currency: eur).subtracting(Money(minorUnits: 200, currency: eur)).minorUnits == -50)
    }

    @Test("Money stays 16 bytes (extracts hold millions), and currencies order by code")
    func compact() throws {
        #expect(MemoryLayout<Money>.stride == 16)
        #expect(try Currency("CHF") < Currency("EUR"))
        #expect(try Currency("USD").code == "USD")
        #expect(try Currency("KWD").exponent == 3)
        #expect(try [Currency("USD"), Currency("AUD"), Currency("EUR")].sorted().map(\.code) == ["AUD", "EUR", "USD"])
    }

    @Test("unknown currency codes are refused with the code named")
    func unknownCurrency() {
        do {
            _ = try Currency("EURO")
            Issue.record("expected an error")
        } catch let error as CoreError {
            #expect(error.code == .unknownCurrency)
            #expect(error.message.contains("\"EURO\""))
        } catch { Issue.record("unexpected \(error)") }
        #expect((try? Currency("eur"))?.code == "EUR")
    }
}

@Suite("Dates", .timeLimit(.minutes(10)))
struct LocalDateTests {
    @Test("round trip through days since 1970", arguments: ["1970-01-01", "2000-02-29", "2024-12-31", "2026-11-29", "1969-12-31", "2100-03-01",
                                                             "0001-01-01", "0999-09-09", "9999-12-31"])
    func roundTrip(text: String) throws {
        let date = try #require(LocalDate(iso: text))
        #expect(date.iso == text)
        #expect(LocalDate(daysSinceEpoch: date.daysSinceEpoch).iso == text)
    }

    @Test("every day from 1900 to 2200 prints as its own components") func everyDay() {
        var date = LocalDate(iso: "1900-01-01")!
        while date.components.year < 2200 {
            let (y, m, d) = date.components
            func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: w - String(v).count) + String(v) }
            let expected = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
            if date.iso != expected { Issue.record("\(date.daysSinceEpoch): \(date.iso) != \(expected)"); return }
            date = date.adding(days: 1)
        }
    }

    @Test("impossible dates are refused", arguments: ["2025-02-29", "2025-02-31", "2025-13-01", "2025-00-10", "2025-1-01", "20250101", "2025-04-31"])
    func impossible(text: String) {
        #expect(LocalDate(iso: text) == nil)
    }

    @Test("day arithmetic matches the calendar")
    func arithmetic() throws {
        let a = try #require(LocalDate(iso: "2024-02-28"))
        #expect(a.adding(days: 1).iso == "2024-02-29")
        #expect(a.adding(days: 2).iso == "2024-03-01")
        #expect(try #require(LocalDate(iso: "2026-01-01")).days(since: a) == 673)
        #expect(LocalDate(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(a.compact == "20240228")
    }
}

@Suite("Identifiers and minimisation", .timeLimit(.minutes(10)))
struct IdentifierTests {
    @Test("party ids are file-name safe", arguments: [("acme-collect", true), ("a", false), ("Acme", false), ("acme_collect", false), ("../x", false), ("9acme", false)])
    func partyIDs(text: String, valid: Bool) {
        #expect(((try? PartyID(text)) != nil) == valid)
    }

    @Test("only allowed fields leave, masked as configured")
    func minimisation() {
        let customer = Customer(id: "C1", name: "Müller, Søren", taxID: "DE123456789", email: "s@example.com", phone: "+49 1", city: "Kiel")
        let data = DataMinimisation(allowed: [.name, .taxID, .city], masks: [.taxID: .lastCharacters(4)]).apply(to: customer)
        #expect(data.fields == [.name: "Müller, Søren", .taxID: "*******6789", .city: "Kiel"])
        #expect(data.fields[.email] == nil)
    }
}
