import ARLinkCore

/// Produces the rows of one sample extract; ``SampleExtract/write(to:options:)`` drives it.
///
/// State is a few bytes per customer (currency, variant plan, change flags); items are made
/// one at a time from their own random stream and written straight to the buffers.
struct SampleGenerator {
    private let options: SampleExtract.Options
    private let exponents: [Int]
    private let currencyBytes: [[UInt8]]
    private let dates: SampleDates
    private let asOf: Int32
    /// The day the original invoices are dated around (``SampleExtract/Options/baseDate``).
    private let base: Int32
    /// Customers added per variant level.
    private let newPerLevel: Int
    /// Customers that receive a larger share of the invoices.
    private let heavy: [Int32]
    /// Currency index per customer (original ones, then added ones).
    private var customerCurrency: [UInt8] = []
    /// Variant plan per original customer (empty for variant 0).
    private var plans: [SampleCustomerPlan] = []
    /// Per original customer, what actually changed at the requested level (bit set of ``Flag``).
    private var flags: [UInt8] = []

    private enum Flag {
        static let paidOff: UInt8 = 1
        static let balanceChanged: UInt8 = 2
        static let disputed: UInt8 = 4
    }

    private static let terms: [Int32] = [14, 30, 30, 30, 45, 60]
    private static let invoicePrefix = Array("INV-".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let companyCodes = [Array("1000".utf8), Array("2000".utf8)]
    private static let documentTypes = [Array("RV".utf8), Array("DR".utf8), Array("DG".utf8)]
    private static let referencePrefix = Array("PO-".utf8)
    private static let paymentTerms = Array("NT".utf8)

    init(options: SampleExtract.Options, exponents: [Int]) {
        self.options = options
        self.exponents = exponents
        currencyBytes = options.currencies.map { Array($0.utf8) }
        asOf = options.asOf.daysSinceEpoch
        base = (options.baseDate ?? options.asOf).daysSinceEpoch
        dates = SampleDates(from: min(asOf, base) - 1000, through: max(asOf, base) + 100)
        newPerLevel = max(2, options.customers / 200)
        heavy = (0..<max(1, options.customers / 12)).map { k in
            var r = SampleRandom(seed: options.seed, stream: .heavy, index: UInt64(k))
            return Int32(r.below(options.customers))
        }
    }

    // MARK: - Customers

    /// Writes the header and every customer: the original ones, then those each level adds.
    mutating func writeCustomers(to out: SampleFileWriter) throws -> Int {
        try out.text(SampleExtract.customersHeader)
        if options.accountColumns { try out.text("," + SampleExtract.customersAccountHeader) }
        try out.byte(0x0A)
        let total = options.customers + newPerLevel * options.variant
        customerCurrency.reserveCapacity(total)
        for index in 0..<total {
            let isNew = index >= options.customers
            let record = SampleCustomerRecord.make(index: index, seed: options.seed, currencies: options.currencies, isNew: isNew)
            customerCurrency.append(UInt8(options.currencies.firstIndex(of: record.currency) ?? 0))
            let account = options.accountColumns
                ? SampleAccountRecord.make(customer: record, index: index, isNew: isNew, seed: options.seed, base: base) : nil
            try record.write(to: out, account: account)
        }
        if options.variant > 0 {
            plans = (0..<options.customers).map { SampleCustomerPlan(customer: $0, seed: options.seed, variant: options.variant) }
            flags = [UInt8](repeating: 0, count: options.customers)
        }
        return total
    }

    // MARK: - Items and payments

    /// Writes the headers, the original items (with the variant's changes) and the added
    /// customers' items, with the payments that explain every settled or reduced amount.
    mutating func writeItems(to out: SampleFileWriter, payments: SampleFileWriter) throws -> (items: Int, payments: Int) {
        try out.text(SampleExtract.openItemsHeader)
        if options.extraColumns { try out.text("," + SampleExtract.openItemsExtraHeader) }
        try out.byte(0x0A)
        try payments.text(SampleExtract.paymentsHeader + "\n")
        var itemRows = 0
        var paymentRows = 0
        for index in 0..<options.openItems {
            var r = SampleRandom(seed: options.seed, stream: .item, index: UInt64(index))
            let customer = r.chance(perMille: 350) ? Int(heavy[r.below(heavy.count)]) : r.below(options.customers)
            let roll = r.below(1000)
            let daysPastDue = Int32(roll * roll * 760 / 1_000_000) - 30
            var item = makeItem(number: index + 1, customer: customer, daysPastDue: daysPastDue, &r)
            paymentRows += try writeBasePayment(of: item, &r, to: payments)
            if options.variant > 0 {
                paymentRows += try applyVariant(to: &item, payments: payments)
            }
            if !item.removed {
                try write(item, to: out)
                itemRows += 1
            }
        }
        if options.variant > 0 {
            for level in 1...options.variant {
                for k in 0..<newPerLevel {
                    itemRows += try writeAddedCustomerItems(slot: (level - 1) * newPerLevel + k, to: out)
                }
            }
        }
        return (itemRows, paymentRows)
    }

    /// The ids of the customers whose data changed at the requested level.
    func changes() -> SampleExtract.Changes {
        var changes = SampleExtract.Changes()
        for (index, flag) in flags.enumerated() where flag != 0 {
            let id = SampleCustomerRecord.id(index: index)
            if flag & Flag.paidOff != 0 {
                changes.paidOff.append(id)
            } else if flag & Flag.balanceChanged != 0 {
                changes.balanceChanged.append(id)
            }
            if flag & Flag.disputed != 0 { changes.disputed.append(id) }
        }
        if options.variant > 0 {
            let first = options.customers + (options.variant - 1) * newPerLevel
            changes.added = (first..<(first + newPerLevel)).map { SampleCustomerRecord.id(index: $0) }
        }
        return changes
    }

    /// A base item: amounts, dates and flags with the shares documented on ``SampleExtract``.
    /// The settled or partially paid state is recorded in the returned item; the payment row
    /// is written by ``writeBasePayment(of:_:to:)`` with the same generator.
    private func makeItem(number: Int, customer: Int, daysPastDue: Int32, _ r: inout SampleRandom) -> SampleItem {
        let dueDay = base - daysPastDue
        let invoiceDay = min(dueDay - SampleGenerator.terms[r.below(SampleGenerator.terms.count)], base - Int32(r.below(3)))
        let exponent = exponents[Int(customerCurrency[customer])]
        var item = SampleItem(number: number, customer: customer, invoiceDay: invoiceDay, dueDay: dueDay, amount: 0, open: 0)
        if r.chance(perMille: 20) {
            item.amount = -SampleGenerator.scaled(Int64(r.within(10...2000)), exponent, &r)
            item.open = item.amount
        } else {
            item.amount = SampleGenerator.randomAmount(exponent, &r)
            let status = r.below(1000)
            if status < 40 {
                item.open = 0
                item.settled = true
            } else if status < 140 {
                item.open = max(1, min(item.amount - 1, item.amount * Int64(r.within(10...90)) / 100))
            } else {
                item.open = item.amount
            }
            item.disputed = !item.settled && r.chance(perMille: 30)
        }
        item.blocked = r.chance(perMille: 20)
        if item.open > 0 && daysPastDue > 0 {
            let promise = r.below(1000)
            if promise < 60 {
                item.promiseDay = base + Int32(r.within(1...30))
            } else if promise < 70 {
                item.promiseDay = max(dueDay + 1, base - Int32(r.within(1...60)))
            }
        }
        item.emptyFalse = r.chance(perMille: 100)
        return item
    }

    /// Writes the payment behind a settled or partially paid base item.
    private func writeBasePayment(of item: SampleItem, _ r: inout SampleRandom, to out: SampleFileWriter) throws -> Int {
        let paid = item.amount - item.open
        guard item.amount > 0, paid > 0 else { return 0 }
        let day = min(base, max(item.invoiceDay, item.dueDay + Int32(r.within(-10...20))))
        try writePayment(customer: item.customer, number: r.chance(perMille: 80) ? nil : item.number, day: day, amount: paid, to: out)
        return 1
    }

    /// Applies variant levels `1...variant` to an original item, writing the payments they
    /// imply and recording what changed at the requested level.
    private mutating func applyVariant(to item: inout SampleItem, payments: SampleFileWriter) throws -> Int {
        let plan = plans[item.customer]
        var rows = 0
        for level in 1...options.variant {
            let before = item
            var r = SampleRandom(seed: options.seed, stream: .change, index: UInt64(item.number) << 6 | UInt64(level))
            let paymentDay = asOf - Int32(r.below(7))
            guard item.isOpen else { break }
            if plan.paidAt == level {
                if item.open > 0 {
                    try writePayment(customer: item.customer, number: item.number, day: paymentDay, amount: item.open, to: payments)
                    rows += 1
                }
                if options.paidOff == .removed {
                    item.removed = true
                } else {
                    item.open = 0
                    item.settled = true
                }
            } else {
                if plan.changesBalance(at: level), item.open > 1 {
                    let reduced = max(1, item.open * Int64(r.within(35...90)) / 100)
                    try writePayment(customer: item.customer, number: item.number, day: paymentDay, amount: item.open - reduced, to: payments)
                    rows += 1
                    item.open = reduced
                }
                if plan.disputedAt == level, item.open > 0 { item.disputed = true }
            }
            if level == options.variant {
                var flag: UInt8 = 0
                if !item.isOpen { flag |= Flag.paidOff }
                if item.isOpen && item.open != before.open { flag |= Flag.balanceChanged }
                if item.disputed && !before.disputed { flag |= Flag.disputed }
                flags[item.customer] |= flag
            }
        }
        return rows
    }

    /// Writes the 1-4 overdue invoices of an added customer (slot 0 is the first added one).
    private func writeAddedCustomerItems(slot: Int, to out: SampleFileWriter) throws -> Int {
        let customer = options.customers + slot
        var r = SampleRandom(seed: options.seed, stream: .newCustomer, index: UInt64(customer) | 1 << 40)
        let count = r.within(1...4)
        let exponent = exponents[Int(customerCurrency[customer])]
        for m in 0..<count {
            let dueDay = asOf - Int32(r.within(35...240))
            let amount = SampleGenerator.randomAmount(exponent, &r)
            let item = SampleItem(
                number: options.openItems + slot * 4 + m + 1, customer: customer,
                invoiceDay: dueDay - SampleGenerator.terms[r.below(SampleGenerator.terms.count)],
                dueDay: dueDay, amount: amount, open: amount
            )
            try write(item, to: out)
        }
        return count
    }

    // MARK: - Rows

    private func write(_ item: SampleItem, to out: SampleFileWriter) throws {
        let exponent = exponents[Int(customerCurrency[item.customer])]
        try out.bytes(SampleGenerator.invoicePrefix)
        try out.unsigned(UInt64(item.number), minimumWidth: 6)
        try out.byte(0x2C)
        try out.byte(0x43)
        try out.unsigned(UInt64(item.customer + 1), minimumWidth: 6)
        try out.byte(0x2C)
        try dates.write(item.invoiceDay, to: out)
        try out.byte(0x2C)
        try dates.write(item.dueDay, to: out)
        try out.byte(0x2C)
        try out.amount(item.amount, exponent: exponent)
        try out.byte(0x2C)
        try out.amount(item.open, exponent: exponent)
        try out.byte(0x2C)
        try out.bytes(currencyBytes[Int(customerCurrency[item.customer])])
        try out.byte(0x2C)
        try flag(item.disputed, item.emptyFalse, to: out)
        try out.byte(0x2C)
        try flag(item.blocked, item.emptyFalse, to: out)
        try out.byte(0x2C)
        if let promise = item.promiseDay { try dates.write(promise, to: out) }
        try out.byte(0x2C)
        try flag(item.settled, item.emptyFalse, to: out)
        if options.extraColumns { try writeExtraColumns(item, to: out) }
        try out.byte(0x0A)
    }

    /// company_code, document_type, reference, payment_terms, dunning_level, posting_text;
    /// from a separate stream so that the other columns do not depend on them.
    private func writeExtraColumns(_ item: SampleItem, to out: SampleFileWriter) throws {
        var r = SampleRandom(seed: options.seed, stream: .extra, index: UInt64(item.number))
        try out.byte(0x2C)
        try out.bytes(SampleGenerator.companyCodes[item.customer % 7 == 0 ? 1 : 0])
        try out.byte(0x2C)
        try out.bytes(SampleGenerator.documentTypes[item.amount < 0 ? 2 : r.below(2)])
        try out.byte(0x2C)
        try out.bytes(SampleGenerator.referencePrefix)
        try out.unsigned(UInt64(r.below(10_000_000)), minimumWidth: 7)
        try out.byte(0x2C)
        try out.bytes(SampleGenerator.paymentTerms)
        try out.unsigned(UInt64(max(0, min(item.dueDay - item.invoiceDay, 99))), minimumWidth: 2)
        try out.byte(0x2C)
        let daysPastDue = asOf - item.dueDay
        try out.unsigned(item.open <= 0 || daysPastDue <= 0 ? 0 : UInt64(min(4, 1 + daysPastDue / 30)))
        try out.byte(0x2C)
        try out.field(SampleVocabulary.postingTexts[r.below(SampleVocabulary.postingTexts.count)])
    }

    private func writePayment(customer: Int, number: Int?, day: Int32, amount: Int64, to out: SampleFileWriter) throws {
        try out.byte(0x43)
        try out.unsigned(UInt64(customer + 1), minimumWidth: 6)
        try out.byte(0x2C)
        if let number {
            try out.bytes(SampleGenerator.invoicePrefix)
            try out.unsigned(UInt64(number), minimumWidth: 6)
        }
        try out.byte(0x2C)
        try dates.write(day, to: out)
        try out.byte(0x2C)
        try out.amount(amount, exponent: exponents[Int(customerCurrency[customer])])
        try out.byte(0x2C)
        try out.bytes(currencyBytes[Int(customerCurrency[customer])])
        try out.byte(0x0A)
    }

    @inline(__always)
    private func flag(_ value: Bool, _ emptyFalse: Bool, to out: SampleFileWriter) throws {
        if value {
            try out.bytes(SampleGenerator.trueBytes)
        } else if !emptyFalse {
            try out.bytes(SampleGenerator.falseBytes)
        }
    }

    // MARK: - Amounts

    /// An invoice amount: 40 % 20-500, 35 % 500-5,000, 20 % 5,000-25,000, 5 % up to 120,000
    /// major units; 70 % with a fractional part.
    private static func randomAmount(_ exponent: Int, _ r: inout SampleRandom) -> Int64 {
        let bucket = r.below(100)
        let major: Int
        switch bucket {
        case 0..<40: major = r.within(20...500)
        case 40..<75: major = r.within(500...5000)
        case 75..<95: major = r.within(5000...25000)
        default: major = r.within(25000...120_000)
        }
        return scaled(Int64(major), exponent, &r)
    }

    /// Major units in minor units, with random minor digits 70 % of the time.
    private static func scaled(_ major: Int64, _ exponent: Int, _ r: inout SampleRandom) -> Int64 {
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        var minor = major * scale
        if exponent > 0 && r.chance(perMille: 700) { minor += Int64(r.below(Int(scale))) }
        return minor
    }
}
