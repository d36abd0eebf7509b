/// One generated row of `customers.csv`, before it is written.
struct SampleCustomerRecord {
    var id: String
    var name: String
    var taxID: String
    var email: String
    var phone: String
    var street: String
    var postalCode: String
    var city: String
    var country: String
    var language: String
    var group: String
    /// `true`, `false`, or nil for an empty field (read as not blocked).
    var blocked: Bool?
    /// The currency the customer is invoiced in (ISO code).
    var currency: String
    /// A person rather than a company (not a column; it shapes the account columns).
    var isPerson: Bool

    /// Customer ids are `C` and at least six digits: index 0 is `C000001`.
    static func id(index: Int) -> String {
        let digits = String(index + 1)
        return "C" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Makes customer `index` from its own random stream.
    ///
    /// Customers added by a variant (`isNew`) are ordinary, unblocked trading customers.
    /// Customer 0 is always "Müller, Søren" and customer 1 a company whose name holds
    /// double quotes, so that even tiny extracts exercise CSV quoting and UTF-8.
    static func make(index: Int, seed: UInt64, currencies: [String], isNew: Bool) -> SampleCustomerRecord {
        var r = SampleRandom(seed: seed, stream: isNew ? .newCustomer : .customer, index: UInt64(index))
        let country = pickCountry(&r)
        let city = r.pick(country.cities)
        let isPerson = (index == 0 && !isNew) || ((index != 1 || isNew) && r.chance(perMille: 330))

        var first = r.pick(SampleVocabulary.firstNames)
        var last = r.pick(SampleVocabulary.lastNames)
        if index == 0 && !isNew { first = "Søren"; last = "Müller" }
        let name: String
        let email: String
        if isPerson {
            name = (index == 0 || r.chance(perMille: 500)) ? "\(last), \(first)" : "\(first) \(last)"
            email = "\(SampleVocabulary.slug(first)).\(SampleVocabulary.slug(last))@\(r.pick(SampleVocabulary.personalMailDomains))"
        } else {
            let brand = r.pick(SampleVocabulary.brandWords)
            let trade = r.pick(SampleVocabulary.tradeWords)
            let other = r.pick(SampleVocabulary.lastNames)
            let legal = r.pick(country.legalForms)
            let pattern = index == 1 && !isNew ? 70 : r.below(100)
            let domain: String
            switch pattern {
            case 0..<25: name = "\(last) \(trade) \(legal)"; domain = SampleVocabulary.slug(last) + SampleVocabulary.slug(trade)
            case 25..<50: name = "\(brand) \(trade) \(legal)"; domain = SampleVocabulary.slug(brand) + SampleVocabulary.slug(trade)
            case 50..<65: name = "\(last) & \(other) \(legal)"; domain = SampleVocabulary.slug(last) + SampleVocabulary.slug(other)
            case 65..<73: name = "\"\(brand)\" \(trade) \(legal)"; domain = SampleVocabulary.slug(brand)
            case 73..<80: name = "\(last), \(other) & Partner \(legal)"; domain = SampleVocabulary.slug(last) + SampleVocabulary.slug(other)
            default: name = "\(brand) \(legal)"; domain = SampleVocabulary.slug(brand)
            }
            email = "\(r.pick(SampleVocabulary.mailboxes))@\(domain).\(country.code.lowercased()).example"
        }

        let taxID = (isPerson ? r.chance(perMille: 80) : r.chance(perMille: 950)) ? makeTaxID(country.tax, &r) : ""
        let phone = r.chance(perMille: 900) ? makePhone(country, city, &r) : ""
        let street = makeStreet(country, &r)
        let postalCode = makePostalCode(country.postalStyle, city.postalPrefix, &r)

        var group: String
        if isPerson {
            group = r.chance(perMille: 850) ? "retail" : ""
        } else {
            let g = r.below(1000)
            switch g {
            case 0..<25: group = "intercompany"
            case 25..<105: group = "key_account"
            case 105..<135: group = "public_sector"
            case 135..<175: group = ""
            default: group = country.code == "DE" ? "domestic" : "export"
            }
        }
        var blocked: Bool? = {
            let b = r.below(1000)
            return b < 20 ? true : (b < 120 ? nil : false)
        }()
        if isNew {
            if group == "intercompany" || group == "public_sector" { group = country.code == "DE" ? "domestic" : "export" }
            blocked = false
        }

        var currency = currencies.contains(country.currency) ? country.currency : currencies[0]
        if currencies.count > 1 && r.chance(perMille: 40) {
            currency = currencies[1 + r.below(currencies.count - 1)]
        }
        return SampleCustomerRecord(
            id: id(index: index), name: name, taxID: taxID, email: r.chance(perMille: 920) ? email : "",
            phone: phone, street: street, postalCode: postalCode, city: city.name, country: country.code,
            language: (country.code == "NL" && r.chance(perMille: 200)) ? "en" : country.language,
            group: group, blocked: blocked, currency: currency, isPerson: isPerson
        )
    }

    /// Writes the row (twelve fields, then the account columns when given, and LF) in
    /// `customers.csv` column order.
    func write(to out: SampleFileWriter, account: SampleAccountRecord?) throws {
        for (position, value) in [id, name, taxID, email, phone, street, postalCode, city, country, language, group].enumerated() {
            if position > 0 { try out.byte(0x2C) }
            try out.field(value)
        }
        try out.byte(0x2C)
        if let blocked { try out.text(blocked ? "true" : "false") }
        if let account { try account.write(to: out) }
        try out.byte(0x0A)
    }

    private static func pickCountry(_ r: inout SampleRandom) -> SampleCountry {
        var roll = r.below(1000)
        for country in SampleVocabulary.countries {
            if roll < country.weight { return country }
            roll -= country.weight
        }
        return SampleVocabulary.countries[0]
    }

    private static func digits(_ count: Int, _ r: inout SampleRandom) -> String {
        var s = ""
        for _ in 0..<count { s.unicodeScalars.append(Unicode.Scalar(UInt8(0x30 + r.below(10)))) }
        return s
    }

    private static func letters(_ count: Int, _ r: inout SampleRandom) -> String {
        var s = ""
        for _ in 0..<count { s.unicodeScalars.append(Unicode.Scalar(UInt8(0x41 + r.below(26)))) }
        return s
    }

    private static func makeTaxID(_ style: SampleCountry.TaxStyle, _ r: inout SampleRandom) -> String {
        switch style {
        case let .digits(prefix, count, suffix): prefix + digits(count, &r) + suffix
        case .employerID: digits(2, &r) + "-" + digits(7, &r)
        }
    }

    private static func makePhone(_ country: SampleCountry, _ city: SampleCountry.City, _ r: inout SampleRandom) -> String {
        switch country.code {
        case "US", "GB": "\(country.phonePrefix) \(city.areaCode)\(digits(country.code == "US" ? 2 : 3, &r))"
        case "FR": "\(country.phonePrefix) \(city.areaCode) \(digits(2, &r)) \(digits(2, &r)) \(digits(2, &r)) \(digits(2, &r))"
        default: "\(country.phonePrefix) \(city.areaCode) \(digits(r.within(6...8), &r))"
        }
    }

    private static func makeStreet(_ country: SampleCountry, _ r: inout SampleRandom) -> String {
        let name = r.pick(country.streets)
        var number = String(r.within(1...180))
        if r.chance(perMille: 60) { number += "a" }
        switch country.streetStyle {
        case .nameThenNumber:
            return "\(name) \(number)"
        case .numberThenName:
            let base = "\(r.within(1...980)) \(name)"
            switch (country.code, r.below(10)) {
            case ("US", 0), ("US", 1): return "\(base), Suite \(r.within(1...40) * 10)"
            case ("GB", 0): return "Unit \(r.within(1...30)), \(base)"
            default: return base
            }
        }
    }

    private static func makePostalCode(_ style: SampleCountry.PostalStyle, _ prefix: String, _ r: inout SampleRandom) -> String {
        switch style {
        case let .digits(length): prefix + digits(max(0, length - prefix.count), &r)
        case .dutch: prefix + digits(2, &r) + " " + letters(2, &r)
        case .british: "\(prefix) \(r.below(10))\(letters(2, &r))"
        }
    }
}
