import ARLinkCore
import ARLinkFormats
import ARLinkSampleData
import Foundation
import Testing

/// The sample ERP extract generator: determinism, CSV shape, referential integrity, the
/// documented mix of cases, and the controlled changes of later variants.
@Suite("Sample extract", .timeLimit(.minutes(10)))
struct SampleExtractTests {
    static let asOf = LocalDate(year: 2026, month: 11, day: 29) ?? LocalDate(daysSinceEpoch: 20_000)

    static func options(
        customers: Int = 400, items: Int = 4000, seed: UInt64 = 42, variant: Int = 0,
        paidOff: SampleExtract.PaidOffStyle = .markedSettled, extra: Bool = false, accountColumns: Bool = true
    ) -> SampleExtract.Options {
        SampleExtract.Options(
            asOf: asOf, customers: customers, openItems: items, seed: seed, variant: variant, paidOff: paidOff,
            extraColumns: extra, accountColumns: accountColumns
        )
    }

    // MARK: - Determinism

    @Test("the same options give the same bytes; another seed gives other bytes")
    func deterministic() throws {
        for options in [Self.options(), Self.options(variant: 2, extra: true)] {
            let a = try SampleOutput(options)
            let b = try SampleOutput(options)
            defer { a.remove(); b.remove() }
            for name in SampleOutput.names {
                #expect(try a.data(name) == b.data(name), "\(name) differs between two runs")
                #expect(try sha256(a.path(name)) == sha256(b.path(name)))
            }
        }
        let base = try SampleOutput(Self.options())
        let other = try SampleOutput(Self.options(seed: 43))
        defer { base.remove(); other.remove() }
        for name in SampleOutput.names {
            #expect(try sha256(base.path(name)) != sha256(other.path(name)), "\(name) does not depend on the seed")
        }
    }

    /// Pins the output (with and without the account columns) so that a change to the generator (or a platform difference) is
    /// noticed: tests elsewhere may rely on particular customers and invoices. Update the
    /// digests deliberately when the generator changes.
    @Test("the output for seed 42 is pinned by its SHA-256 digests")
    func pinnedDigests() throws {
        let out = try SampleOutput(Self.options(customers: 50, items: 500, variant: 1, extra: true))
        let plain = try SampleOutput(Self.options(customers: 50, items: 500, variant: 1, extra: true, accountColumns: false))
        defer { out.remove(); plain.remove() }
        #expect(try sha256(out.path(SampleExtract.customersFileName)) == "18e2d1de067424271ef01ec7f545b3c1fe887434084dbd9e4cb8ad7393b69adc")
        #expect(try sha256(plain.path(SampleExtract.customersFileName)) == "d521e7ae65b1d22f803e2b87bbb93b9ae29a0d065978afa603d68412af8a2037")
        #expect(try sha256(out.path(SampleExtract.openItemsFileName)) == "f2cfc7c621b3838bba9fd57ac0c054ef72b008176ecdeae931611880a14e22e8")
        #expect(try sha256(out.path(SampleExtract.paymentsFileName)) == "16f266c693ffb4f6856f8747505c978d3a88fc0f7e9857a1e48497ed31f3d949")
    }

    @Test("extra columns leave the generic columns byte-for-byte unchanged")
    func extraColumnsAreAppendedOnly() throws {
        let plain = try SampleOutput(Self.options())
        let extra = try SampleOutput(Self.options(extra: true))
        defer { plain.remove(); extra.remove() }
        let a = try plain.records(SampleExtract.openItemsFileName)
        let b = try extra.records(SampleExtract.openItemsFileName)
        #expect(a.count == b.count)
        #expect(b[0] == a[0] + SampleExtract.openItemsExtraHeader.split(separator: ",").map(String.init))
        for (row, extended) in zip(a, b) {
            #expect(extended.count == 17)
            #expect(Array(extended.prefix(11)) == row)
        }
        #expect(try extra.text(SampleExtract.openItemsFileName).contains("\"Freight \"\"express\"\" surcharge\""))
        #expect(try extra.data(SampleExtract.customersFileName) == plain.data(SampleExtract.customersFileName))
        #expect(try extra.data(SampleExtract.paymentsFileName) == plain.data(SampleExtract.paymentsFileName))
    }

    @Test("account columns are appended only: the other columns and files are byte-for-byte the same without them")
    func accountColumnsAreAppendedOnly() throws {
        let plain = try SampleOutput(Self.options(variant: 1, accountColumns: false))
        let full = try SampleOutput(Self.options(variant: 1))
        defer { plain.remove(); full.remove() }
        let a = try plain.records(SampleExtract.customersFileName)
        let b = try full.records(SampleExtract.customersFileName)
        #expect(a.count == b.count)
        #expect(b[0] == a[0] + SampleExtract.customersAccountHeader.split(separator: ",").map(String.init))
        for (row, extended) in zip(a, b) {
            #expect(extended.count == 28)
            #expect(Array(extended.prefix(12)) == row)
        }
        #expect(try full.data(SampleExtract.openItemsFileName) == plain.data(SampleExtract.openItemsFileName))
        #expect(try full.data(SampleExtract.paymentsFileName) == plain.data(SampleExtract.paymentsFileName))
    }

    @Test("the extract reader reads the itemization and flag columns back as written, in the documented shares")
    func accountColumnsReadBack() throws {
        let out = try SampleOutput(Self.options(customers: 5000, items: 2000))
        defer { out.remove() }
        let extract = try ExtractReader(options: ExtractOptions(preset: .generic)).read(ExtractFiles(
            openItems: out.summary.openItemsPath, customers: out.summary.customersPath, payments: out.summary.paymentsPath))
        #expect(extract.problems.isEmpty)
        var us = 0, usItemized = 0, others = 0, othersItemized = 0
        var types: Set<String> = []
        var restricted = 0, texts = 0, disputed = 0, bankrupt = 0, deceased = 0, attorney = 0
        for row in try out.rows(SampleExtract.customersFileName) {
            let id = row["customer_id"] ?? ""
            let customer = try #require(extract.customers[id], "\(id) was not read")
            let isUS = row["country"] == "US"
            if isUS { us += 1 } else { others += 1 }
            if let date = row["itemization_date"], !date.isEmpty {
                if isUS { usItemized += 1 } else { othersItemized += 1 }
                let item = try #require(customer.itemization, "\(id) lost its itemization")
                types.insert(item.type.rawValue)
                #expect(item.date.iso == date && item.date < Self.asOf)
                #expect(item.type.rawValue == row["itemization_type"])
                #expect(item.currency.code == row["itemization_currency"])
                #expect(item.amount.decimalString == row["itemization_amount"] && item.amount.minorUnits > 0)
                #expect(item.interest.decimalString == row["itemization_interest"])
                #expect(item.fees.decimalString == row["itemization_fees"])
                #expect(item.payments.decimalString == row["itemization_payments"])
                #expect(item.credits.decimalString == row["itemization_credits"])
                #expect(item.creditorName == row["itemization_creditor_name"] && item.creditorAccount == row["itemization_creditor_account"])
            } else {
                #expect(customer.itemization == nil)
            }
            let text = row["communication_restriction"].flatMap { $0.isEmpty ? nil : $0 }
            let flags = customer.flags ?? AccountFlags()
            #expect(flags.communicationRestricted == (row["communication_restricted"] == "true"))
            #expect(flags.communicationRestriction == text)
            #expect(flags.disputed == (row["disputed_debt"] == "true"))
            #expect(flags.bankruptcyChapter == row["bankruptcy_chapter"].flatMap { Int($0) })
            #expect(flags.deceased == (row["deceased"] == "true"))
            #expect(flags.attorneyRepresented == (row["attorney_represented"] == "true"))
            if flags.communicationRestricted { restricted += 1 }
            if text != nil { texts += 1 }
            if flags.disputed { disputed += 1 }
            if let chapter = flags.bankruptcyChapter { bankrupt += 1; #expect([7, 11, 13].contains(chapter)) }
            if flags.deceased { deceased += 1 }
            if flags.attorneyRepresented { attorney += 1 }
        }
        // About 90 % of US customers and 20 % of the others are itemized; every type occurs.
        #expect(us > 200 && (800...970).contains(usItemized * 1000 / us), "US: \(usItemized) of \(us)")
        #expect((150...250).contains(othersItemized * 1000 / others), "others: \(othersItemized) of \(others)")
        #expect(types == Set(ItemizationType.allCases.map(\.rawValue)))
        // Flags: restricted 4 % (half with a text), disputed 2 %, bankruptcy 0.8 %, deceased 0.4 % of persons, attorney 1.5 %.
        #expect((120...280).contains(restricted) && texts > restricted / 4 && texts < restricted * 3 / 4, "\(restricted), \(texts)")
        #expect((60...140).contains(disputed) && (20...70).contains(bankrupt) && (1...20).contains(deceased) && (40...110).contains(attorney),
                "\(disputed), \(bankrupt), \(deceased), \(attorney)")
    }

    // MARK: - Shape and integrity

    @Test("headers are the generic preset's, every row has that many fields, files are UTF-8 with LF")
    func shape() throws {
        let out = try SampleOutput(Self.options(variant: 1))
        defer { out.remove() }
        let headers = [
            SampleExtract.customersFileName: SampleExtract.customersHeader + "," + SampleExtract.customersAccountHeader,
            SampleExtract.openItemsFileName: SampleExtract.openItemsHeader,
            SampleExtract.paymentsFileName: SampleExtract.paymentsHeader,
        ]
        for (name, header) in headers {
            let data = try out.data(name)
            #expect(String(data: data, encoding: .utf8) != nil, "\(name) is not UTF-8")
            #expect(!data.contains(0x0D), "\(name) has a CR")
            #expect(data.last == 0x0A, "\(name) does not end with LF")
            let records = try out.records(name)
            let columns = header.split(separator: ",").map(String.init)
            #expect(records[0] == columns)
            for (line, record) in records.enumerated() {
                #expect(record.count == columns.count, "\(name) line \(line + 1) has \(record.count) fields")
            }
        }
        let summary = out.summary
        #expect(try out.records(SampleExtract.customersFileName).count - 1 == summary.customers)
        #expect(try out.records(SampleExtract.openItemsFileName).count - 1 == summary.openItems)
        #expect(try out.records(SampleExtract.paymentsFileName).count - 1 == summary.payments)
        let sizes = try SampleOutput.names.map { try out.data($0).count }
        #expect(Int64(sizes.reduce(0, +)) == summary.bytes)
        #expect(summary.openItemsPath == out.path(SampleExtract.openItemsFileName))
    }

    @Test("invoice numbers are unique and every referenced customer and invoice exists")
    func integrity() throws {
        let out = try SampleOutput(Self.options(variant: 2))
        defer { out.remove() }
        let customers = try out.rows(SampleExtract.customersFileName)
        let items = try out.rows(SampleExtract.openItemsFileName)
        let payments = try out.rows(SampleExtract.paymentsFileName)
        let customerIDs = Set(customers.map { $0["customer_id"] ?? "" })
        #expect(customerIDs.count == customers.count)
        let numbers = items.map { $0["invoice_number"] ?? "" }
        #expect(Set(numbers).count == numbers.count)
        #expect(numbers.allSatisfy { $0.hasPrefix("INV-") && $0.count >= 10 })
        for item in items {
            #expect(customerIDs.contains(item["customer_id"] ?? "?"), "item \(item["invoice_number"] ?? "") names an unknown customer")
        }
        let numberSet = Set(numbers)
        for payment in payments {
            #expect(customerIDs.contains(payment["customer_id"] ?? "?"))
            if let number = payment["invoice_number"], !number.isEmpty { #expect(numberSet.contains(number)) }
        }
        // Each invoice is invoiced in its customer's one currency.
        var currencyOfCustomer: [String: String] = [:]
        for item in items {
            let id = item["customer_id"] ?? ""
            let currency = item["currency"] ?? ""
            #expect(currencyOfCustomer[id, default: currency] == currency, "customer \(id) has two currencies")
            currencyOfCustomer[id] = currency
        }
    }

    @Test("values parse, and the documented mix of cases is present")
    func realisticMix() throws {
        let out = try SampleOutput(Self.options(customers: 1000, items: 10000))
        defer { out.remove() }
        let items = try out.rows(SampleExtract.openItemsFileName)
        let asOf = Self.asOf
        var notDue = 0, credit = 0, partial = 0, settled = 0, disputed = 0, blocked = 0, openPromise = 0
        var currencies: [String: Int] = [:]
        for item in items {
            let due = try #require(LocalDate(iso: item["due_date"] ?? ""))
            let invoiced = try #require(LocalDate(iso: item["invoice_date"] ?? ""))
            #expect(due <= asOf.adding(days: 30) && due >= asOf.adding(days: -731))
            #expect(invoiced <= asOf && invoiced <= due)
            let amount = try Money.parseMinorUnits(item["amount"] ?? "", exponent: 2)
            let open = try Money.parseMinorUnits(item["open_amount"] ?? "", exponent: 2)
            #expect((item["amount"] ?? "").split(separator: ".").last?.count == 2, "amounts carry two decimals")
            let isSettled = try bool(item["settled"])
            if amount < 0 {
                credit += 1
                #expect(open == amount)
            } else {
                #expect(open >= 0 && open <= amount)
                if isSettled { #expect(open == 0) } else { #expect(open > 0) }
                if open > 0 && open < amount { partial += 1 }
            }
            if isSettled { settled += 1 }
            if try bool(item["disputed"]) { disputed += 1 }
            if try bool(item["blocked"]) { blocked += 1 }
            if let text = item["promise_date"], !text.isEmpty {
                let promise = try #require(LocalDate(iso: text))
                if promise > asOf { openPromise += 1 }
            }
            if due > asOf { notDue += 1 }
            currencies[item["currency"] ?? "", default: 0] += 1
        }
        let n = items.count
        #expect(n == 10000)
        #expect((n / 10...n / 3).contains(notDue), "not yet due: \(notDue)")
        #expect((n / 100...n / 25).contains(credit), "credit notes: \(credit)")
        #expect((n / 20...n / 6).contains(partial), "partially paid: \(partial)")
        #expect((n / 50...n / 12).contains(settled), "settled: \(settled)")
        #expect((n / 70...n / 15).contains(disputed), "disputed: \(disputed)")
        #expect((n / 100...n / 25).contains(blocked), "blocked: \(blocked)")
        #expect((n / 100...n / 10).contains(openPromise), "open promises: \(openPromise)")
        #expect(Set(currencies.keys) == ["EUR", "USD"])
        #expect((currencies["EUR"] ?? 0) > 3 * (currencies["USD"] ?? 0))
        #expect((currencies["USD"] ?? 0) > n / 20)

        let customers = try out.rows(SampleExtract.customersFileName)
        let groups = Dictionary(grouping: customers, by: { $0["group"] ?? "" }).mapValues(\.count)
        #expect((groups["intercompany"] ?? 0) >= 5, "intercompany customers: \(groups["intercompany"] ?? 0)")
        #expect((groups["retail"] ?? 0) > 100)
        let blockedCustomers = try customers.filter { try bool($0["blocked"]) }.count
        #expect((5...60).contains(blockedCustomers), "blocked customers: \(blockedCustomers)")
        #expect(Set(customers.compactMap { $0["country"] }).isSuperset(of: ["DE", "AT", "NL", "FR", "GB", "US"]))
        #expect(customers.allSatisfy { !($0["name"] ?? "").isEmpty })
        #expect(customers.allSatisfy { ($0["email"] ?? "").isEmpty || ($0["email"] ?? "").hasSuffix(".example") })
        let payments = try out.rows(SampleExtract.paymentsFileName)
        #expect(payments.count >= partial + settled - credit)
        for payment in payments {
            let day = try #require(LocalDate(iso: payment["payment_date"] ?? ""))
            #expect(day <= asOf)
            #expect(try Money.parseMinorUnits(payment["amount"] ?? "", exponent: 2) > 0)
        }
    }

    @Test("names with commas, quotes and non-ASCII letters are quoted correctly")
    func quotingAndUnicode() throws {
        let out = try SampleOutput(Self.options())
        defer { out.remove() }
        let raw = try out.text(SampleExtract.customersFileName)
        #expect(raw.contains("C000001,\"Müller, Søren\","))
        #expect(raw.contains("C000002,\"\"\""), "customer 2's name starts with a doubled quote")
        let names = try out.rows(SampleExtract.customersFileName).compactMap { $0["name"] }
        #expect(names[0] == "Müller, Søren")
        #expect(names[1].hasPrefix("\"") && names[1].dropFirst().contains("\""))
        #expect(names.filter { $0.contains(",") }.count > 20)
        #expect(names.filter { $0.contains("\"") }.count > 5)
        #expect(names.filter { $0.unicodeScalars.contains { !$0.isASCII } }.count > 40)
        #expect(names.contains { $0.contains("'") })
    }

    @Test("the extract reader with the generic preset accepts every row", arguments: [false, true])
    func readsWithGenericPreset(extraColumns: Bool) throws {
        let out = try SampleOutput(Self.options(variant: 1, extra: extraColumns))
        defer { out.remove() }
        let extract = try ExtractReader(options: ExtractOptions(preset: .generic)).read(ExtractFiles(
            openItems: out.summary.openItemsPath, customers: out.summary.customersPath, payments: out.summary.paymentsPath))
        #expect(extract.problems.isEmpty)
        #expect(extract.counts.openItemRows == out.summary.openItems)
        #expect(extract.counts.customerRows == out.summary.customers)
        #expect(extract.counts.paymentRows == out.summary.payments)
        #expect(extract.openItems.count == out.summary.openItems)
        #expect(extract.customers["C000001"]?.name == "Müller, Søren")
        let rows = try out.rows(SampleExtract.openItemsFileName)
        for (item, row) in zip(extract.openItems, rows) {
            #expect(item.invoiceNumber == row["invoice_number"])
            #expect(item.openAmount.decimalString == row["open_amount"])
            #expect(item.dueDate.iso == row["due_date"])
            #expect(try item.settled == bool(row["settled"]) && item.disputed == bool(row["disputed"]))
            #expect(item.promiseDate?.iso == (row["promise_date"].flatMap { $0.isEmpty ? nil : $0 }))
        }
        #expect(extract.lastPaymentDates.count > 50)
    }

    // MARK: - Variants

    @Test("variant 1 pays off, reduces and disputes the customers it lists, adds new ones, and leaves the rest alone")
    func variantOne() throws {
        try checkVariant(1)
    }

    @Test("variant 2 changes further customers on top of variant 1")
    func variantTwo() throws {
        try checkVariant(2)
    }

    func checkVariant(_ level: Int) throws {
        let customersCount = 1000
        let before = try SampleOutput(Self.options(customers: customersCount, items: 8000, variant: level - 1))
        let after = try SampleOutput(Self.options(customers: customersCount, items: 8000, variant: level))
        defer { before.remove(); after.remove() }
        let changes = after.summary.changes

        // Customers: the earlier file is a prefix; the added ones follow.
        let oldCustomers = try before.data(SampleExtract.customersFileName)
        let newCustomers = try after.data(SampleExtract.customersFileName)
        #expect(newCustomers.prefix(oldCustomers.count) == oldCustomers)
        #expect(changes.added.count == max(2, customersCount / 200))
        #expect(after.summary.customers == before.summary.customers + changes.added.count)

        let oldItems = try before.rows(SampleExtract.openItemsFileName)
        let newItems = try after.rows(SampleExtract.openItemsFileName)
        let oldByCustomer = Dictionary(grouping: oldItems, by: { $0["customer_id"] ?? "" })
        let newByCustomer = Dictionary(grouping: newItems, by: { $0["customer_id"] ?? "" })

        // The lists are about the documented shares, and disjoint where they must be.
        #expect((customersCount / 40...customersCount / 12).contains(changes.paidOff.count), "paid off: \(changes.paidOff.count)")
        #expect((customersCount / 40...customersCount / 12).contains(changes.balanceChanged.count), "changed: \(changes.balanceChanged.count)")
        #expect((customersCount / 200...customersCount / 25).contains(changes.disputed.count), "disputed: \(changes.disputed.count)")
        #expect(Set(changes.paidOff).isDisjoint(with: changes.balanceChanged))
        #expect(changes.paidOff == changes.paidOff.sorted())

        func openItems(_ rows: [[String: String]]?) throws -> [[String: String]] {
            try (rows ?? []).filter { row in
                try !bool(row["settled"]) && (try Money.parseMinorUnits(row["open_amount"] ?? "", exponent: 2)) != 0
            }
        }
        for id in changes.paidOff {
            #expect(try !openItems(oldByCustomer[id]).isEmpty, "\(id) had nothing open before")
            #expect(try openItems(newByCustomer[id]).isEmpty, "\(id) still has open items")
            #expect(newByCustomer[id]?.count == oldByCustomer[id]?.count, "marked-settled style keeps the rows")
        }
        for id in changes.balanceChanged {
            let old = try openItems(oldByCustomer[id]).map { try Money.parseMinorUnits($0["open_amount"] ?? "", exponent: 2) }
            let new = try openItems(newByCustomer[id]).map { try Money.parseMinorUnits($0["open_amount"] ?? "", exponent: 2) }
            #expect(new.reduce(0, +) < old.reduce(0, +), "\(id) balance did not go down")
            #expect(new.count == old.count)
        }
        for id in changes.disputed {
            let oldDisputed = try (oldByCustomer[id] ?? []).filter { try bool($0["disputed"]) }.count
            let newDisputed = try (newByCustomer[id] ?? []).filter { try bool($0["disputed"]) }.count
            #expect(newDisputed > oldDisputed, "\(id) has no new dispute")
        }
        for id in changes.added {
            #expect(oldByCustomer[id] == nil)
            let rows = try #require(newByCustomer[id])
            #expect((1...4).contains(rows.count))
            for row in rows {
                let due = try #require(LocalDate(iso: row["due_date"] ?? ""))
                #expect(Self.asOf.days(since: due) > 30)
                #expect(try !bool(row["disputed"]) && !bool(row["settled"]) && !bool(row["blocked"]))
            }
        }
        // Everyone else is untouched, row for row.
        let touched = Set(changes.paidOff + changes.balanceChanged + changes.disputed + changes.added)
        var untouched = 0
        for (id, rows) in oldByCustomer where !touched.contains(id) {
            let unchanged = newByCustomer[id] == rows
            #expect(unchanged, "\(id) changed without being listed")
            untouched += 1
        }
        #expect(untouched > customersCount / 2)
        // The same invoice numbers keep their customer, dates and amount.
        let newByNumber = Dictionary(uniqueKeysWithValues: newItems.map { ($0["invoice_number"] ?? "", $0) })
        for old in oldItems {
            let new = try #require(newByNumber[old["invoice_number"] ?? ""])
            for column in ["customer_id", "invoice_date", "due_date", "amount", "currency"] {
                #expect(new[column] == old[column])
            }
        }
        // Every reduction or pay-off is explained by a new payment row.
        let oldPayments = try before.rows(SampleExtract.paymentsFileName)
        let newPayments = try after.rows(SampleExtract.paymentsFileName)
        var remaining = Dictionary(newPayments.map { ($0, 1) }, uniquingKeysWith: +)
        for payment in oldPayments {
            #expect(remaining[payment, default: 0] > 0, "an earlier payment row is missing")
            remaining[payment, default: 0] -= 1
        }
        let paying = Set(remaining.filter { $0.value > 0 }.keys.map { $0["customer_id"] ?? "" })
        #expect(Set(changes.balanceChanged).isSubset(of: paying))
        #expect(paying.isSubset(of: Set(changes.balanceChanged + changes.paidOff)))
    }

    @Test("a later as-of date with a fixed base date keeps the invoices and ages them")
    func laterRunOnLaterDay() throws {
        let first = try SampleOutput(Self.options())
        var options = Self.options(variant: 1)
        options.baseDate = Self.asOf
        options.asOf = Self.asOf.adding(days: 7)
        let later = try SampleOutput(options)
        defer { first.remove(); later.remove() }
        let touched = Set(later.summary.changes.paidOff + later.summary.changes.balanceChanged + later.summary.changes.disputed)
        let before = try first.rows(SampleExtract.openItemsFileName)
        let after = Dictionary(uniqueKeysWithValues: try later.rows(SampleExtract.openItemsFileName).map { ($0["invoice_number"] ?? "", $0) })
        var same = 0
        for row in before where !touched.contains(row["customer_id"] ?? "") {
            let unchanged = after[row["invoice_number"] ?? ""] == row
            #expect(unchanged, "\(row["invoice_number"] ?? "") changed")
            same += 1
        }
        #expect(same > before.count / 2)
        let newPayments = try later.rows(SampleExtract.paymentsFileName).compactMap { LocalDate(iso: $0["payment_date"] ?? "") }
        #expect(newPayments.contains { $0 > Self.asOf }, "the variant's payments fall in the week after the first run")
        #expect(newPayments.allSatisfy { $0 <= options.asOf })
    }

    @Test("with the removed style, paid-off customers disappear from the open items")
    func removedStyle() throws {
        let marked = try SampleOutput(Self.options(variant: 1))
        let removed = try SampleOutput(Self.options(variant: 1, paidOff: .removed))
        defer { marked.remove(); removed.remove() }
        #expect(marked.summary.changes == removed.summary.changes)
        let paidOff = Set(removed.summary.changes.paidOff)
        #expect(!paidOff.isEmpty)
        let rows = try removed.rows(SampleExtract.openItemsFileName)
        let markedRows = try marked.rows(SampleExtract.openItemsFileName)
        let leftOpen = try rows.filter { try paidOff.contains($0["customer_id"] ?? "") && !bool($0["settled"]) }
        #expect(leftOpen.isEmpty, "paid-off customers still have unsettled items")
        let others = markedRows.filter { !paidOff.contains($0["customer_id"] ?? "") }
        #expect(rows.filter { !paidOff.contains($0["customer_id"] ?? "") } == others)
        #expect(rows.count < markedRows.count)
    }

    // MARK: - Errors and atomicity

    @Test("bad options are refused before anything is written")
    func invalidOptions() throws {
        let folder = NSTemporaryDirectory() + "arlink-sample-bad-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var bad: [SampleExtract.Options] = []
        var o = Self.options(); o.openItems = -1; bad.append(o)
        o = Self.options(); o.customers = 0; bad.append(o)
        o = Self.options(); o.variant = SampleExtract.maximumVariant + 1; bad.append(o)
        o = Self.options(); o.currencies = []; bad.append(o)
        o = Self.options(); o.currencies = ["EUR", "XYZ"]; bad.append(o)
        o = Self.options(); o.currencies = ["eur"]; bad.append(o)
        o = Self.options(); o.baseDate = Self.asOf.adding(days: 1); bad.append(o)
        for options in bad {
            #expect(throws: SampleExtractError(.invalidOptions, "")) { try SampleExtract.write(to: folder, options: options) }
        }
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test("a folder that cannot be written is a write failure")
    func writeFailure() throws {
        let file = NSTemporaryDirectory() + "arlink-sample-file-\(UUID().uuidString.prefix(8))"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let error = try #require(throws: SampleExtractError.self) {
            try SampleExtract.write(to: file + "/sub", options: Self.options())
        }
        #expect(error.code == .writeFailed)
        #expect(error.exitStatus != .success)
    }

    @Test("a file that cannot be put in place fails the write and leaves no temporary files")
    func renameFailure() throws {
        let folder = NSTemporaryDirectory() + "arlink-sample-blocked-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A non-empty folder where open_items.csv should go: rename(2) cannot replace it.
        try FileManager.default.createDirectory(atPath: folder + "/" + SampleExtract.openItemsFileName + "/x", withIntermediateDirectories: true)
        let error = try #require(throws: SampleExtractError.self) {
            try SampleExtract.write(to: folder, options: Self.options())
        }
        #expect(error.code == .writeFailed)
        #expect(error.message.contains(SampleExtract.openItemsFileName))
        let left = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(!left.contains { $0.hasSuffix(".tmp") }, "temporary files left: \(left)")
    }

    @Test("only the three finished files are left in the folder, and a rerun replaces them")
    func noTemporaryFiles() throws {
        let out = try SampleOutput(Self.options())
        defer { out.remove() }
        let first = try out.data(SampleExtract.openItemsFileName)
        _ = try SampleExtract.write(to: out.folder, options: Self.options(items: 100))
        let listing = try FileManager.default.contentsOfDirectory(atPath: out.folder).sorted()
        #expect(listing == SampleOutput.names.sorted())
        #expect(try out.data(SampleExtract.openItemsFileName) != first)
        #expect(try out.records(SampleExtract.openItemsFileName).count == 101)
    }
}

// MARK: - Helpers

/// One generated extract in a fresh temporary folder.
fileprivate struct SampleOutput {
    static let names = [SampleExtract.customersFileName, SampleExtract.openItemsFileName, SampleExtract.paymentsFileName]
    let folder: String
    let summary: SampleExtract.Summary

    init(_ options: SampleExtract.Options) throws {
        folder = NSTemporaryDirectory() + "arlink-sample-\(UUID().uuidString.prefix(8))"
        summary = try SampleExtract.write(to: folder, options: options)
    }

    func path(_ name: String) -> String { folder + "/" + name }
    func data(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(name))) }
    func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }
    func records(_ name: String) throws -> [[String]] { try TinyCSV.records(try data(name)) }

    /// Rows as column-name dictionaries (header excluded).
    func rows(_ name: String) throws -> [[String: String]] {
        let all = try records(name)
        guard let header = all.first else { return [] }
        return all.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

/// A strict RFC 4180 splitter for the tests: LF records, quoted fields with doubled quotes.
fileprivate enum TinyCSV {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static func records(_ data: Data) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var wasQuoted = false
        let bytes = [UInt8](data)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == 0x22 {
                guard field.isEmpty, !wasQuoted else { throw Malformed(description: "quote inside an unquoted field at byte \(i)") }
                inQuotes = true
                wasQuoted = true
            } else if b == 0x2C || b == 0x0A {
                record.append(String(decoding: field, as: UTF8.self))
                field = []
                wasQuoted = false
                if b == 0x0A {
                    records.append(record)
                    record = []
                }
            } else {
                guard !wasQuoted else { throw Malformed(description: "text after a closing quote at byte \(i)") }
                field.append(b)
            }
            i += 1
        }
        guard !inQuotes, field.isEmpty, record.isEmpty else { throw Malformed(description: "the last record is not terminated") }
        return records
    }
}

/// `true`, `false` or empty (false).
fileprivate func bool(_ text: String?) throws -> Bool {
    switch text ?? "" {
    case "true": return true
    case "false", "": return false
    default: throw TinyCSV.Malformed(description: "\(text ?? "") is not a boolean")
    }
}

/// The SHA-256 of a file as printed by the system's `sha256sum`.
fileprivate func sha256(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sha256sum", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, let digest = String(decoding: output, as: UTF8.self).split(separator: " ").first else {
        throw TinyCSV.Malformed(description: "sha256sum failed on \(path)")
    }
    return String(digest)
}
