import ARLinkCore

/// The Regulation F itemization and the account flags of one generated customer: the columns
/// of ``SampleExtract/customersAccountHeader`` appended to its `customers.csv` row.
///
/// Drawn from the customer's own stream (``SampleRandom/Stream/account``), so the other
/// customer columns are the same with or without them. Shares: an itemization for about 90 %
/// of US customers (a US agency needs it for the validation notice) and 20 % of the others;
/// communication restricted about 4 % (half with a free text), disputed 2 %, bankruptcy 0.8 %,
/// deceased 0.4 % of persons, attorney-represented 1.5 %.
struct SampleAccountRecord {
    /// The itemization's columns as written, or nil for none (ten empty fields).
    var itemization: ItemizationColumns?
    var communicationRestricted = false
    var communicationRestriction: String?
    var disputedDebt = false
    var bankruptcyChapter: Int?
    var deceased = false
    var attorneyRepresented = false

    /// One itemization as written: the date and amounts already in the extract's form.
    struct ItemizationColumns {
        var day: Int32
        var type: ItemizationType
        var currency: String
        var exponent: Int
        var amount: Int64
        var interest: Int64
        var fees: Int64
        var payments: Int64
        var credits: Int64
        var creditorName: String
        var creditorAccount: String
    }

    /// Makes the account columns of `customer`, a person or a company, with itemization dates
    /// before `base` (the day the invoices are dated around, never after the extraction date).
    static func make(customer: SampleCustomerRecord, index: Int, isNew: Bool, seed: UInt64, base: Int32) -> SampleAccountRecord {
        var r = SampleRandom(seed: seed, stream: .account, index: UInt64(index) | (isNew ? 1 << 40 : 0))
        var account = SampleAccountRecord()
        if r.chance(perMille: customer.country == "US" ? 900 : 200) {
            account.itemization = makeItemization(customer, &r, base: base)
        }
        if r.chance(perMille: 40) {
            account.communicationRestricted = true
            if r.chance(perMille: 500) { account.communicationRestriction = r.pick(SampleVocabulary.communicationRestrictions) }
        }
        account.disputedDebt = r.chance(perMille: 20)
        if r.chance(perMille: 8) {
            account.bankruptcyChapter = customer.isPerson ? (r.chance(perMille: 700) ? 7 : 13) : (r.chance(perMille: 700) ? 11 : 7)
        }
        account.deceased = customer.isPerson && r.chance(perMille: 4)
        account.attorneyRepresented = r.chance(perMille: 15)
        return account
    }

    private static func makeItemization(_ customer: SampleCustomerRecord, _ r: inout SampleRandom, base: Int32) -> ItemizationColumns {
        let roll = r.below(100)
        let type: ItemizationType
        if customer.isPerson {
            type = roll < 50 ? .lastStatement : roll < 75 ? .chargeOff : roll < 90 ? .lastPayment : roll < 98 ? .transaction : .judgment
        } else {
            type = roll < 70 ? .lastStatement : roll < 85 ? .transaction : roll < 95 ? .lastPayment : .chargeOff
        }
        let daysBefore: ClosedRange<Int> = switch type {
        case .lastStatement: 20...95
        case .lastPayment: 30...300
        case .transaction: 60...400
        case .chargeOff: 120...540
        case .judgment: 200...900
        }
        let exponent = Currency.exponents[customer.currency] ?? 2
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let amount = Int64(r.within(50...40_000)) * scale + Int64(r.below(Int(scale)))
        let accrues = type == .chargeOff || type == .judgment
        return ItemizationColumns(
            day: base - Int32(r.within(daysBefore)), type: type, currency: customer.currency, exponent: exponent,
            amount: amount,
            interest: r.chance(perMille: accrues ? 600 : 100) ? amount * Int64(r.within(1...9)) / 100 : 0,
            fees: r.chance(perMille: 300) ? Int64(r.within(5...75)) * scale : 0,
            payments: r.chance(perMille: 250) ? amount * Int64(r.within(5...40)) / 100 : 0,
            credits: r.chance(perMille: 50) ? Int64(r.within(10...200)) * scale : 0,
            creditorName: r.pick(SampleVocabulary.creditorNames),
            creditorAccount: "AR-" + String(100_000_000 + r.below(900_000_000))
        )
    }

    /// Writes the sixteen columns, each preceded by a comma.
    func write(to out: SampleFileWriter) throws {
        if let item = itemization {
            try out.byte(0x2C)
            try out.text(LocalDate(daysSinceEpoch: item.day).iso)
            try out.byte(0x2C)
            try out.text(item.type.rawValue)
            try out.byte(0x2C)
            try out.text(item.currency)
            for value in [item.amount, item.interest, item.fees, item.payments, item.credits] {
                try out.byte(0x2C)
                try out.amount(value, exponent: item.exponent)
            }
            try out.byte(0x2C)
            try out.field(item.creditorName)
            try out.byte(0x2C)
            try out.field(item.creditorAccount)
        } else {
            try out.text(",,,,,,,,,,")
        }
        try out.byte(0x2C)
        try out.text(communicationRestricted ? "true" : "false")
        try out.byte(0x2C)
        if let text = communicationRestriction { try out.field(text) }
        try out.byte(0x2C)
        try out.text(disputedDebt ? "true" : "false")
        try out.byte(0x2C)
        if let chapter = bankruptcyChapter { try out.unsigned(UInt64(chapter)) }
        try out.byte(0x2C)
        try out.text(deceased ? "true" : "false")
        try out.byte(0x2C)
        try out.text(attorneyRepresented ? "true" : "false")
    }
}
