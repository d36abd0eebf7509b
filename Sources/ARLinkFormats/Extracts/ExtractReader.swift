public import ARLinkCore
import ARLinkSystem
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an ERP's accounts-receivable extract: open items, the customer master (joined by
/// customer id) and optional payments (last payment date per customer).
///
/// Files are streamed record by record (``CSVReader``); only the open items kept and the
/// customers are held in memory, never raw rows. Structural problems (missing or unreadable
/// file, UTF-16, wrong delimiter, missing required column, truncation) throw at once; bad rows
/// become ``RowProblem`` values, and the read throws on the first when
/// ``ExtractOptions/maxBadRows`` is 0, or after more than that many otherwise.
public struct ExtractReader: Sendable {
    public let options: ExtractOptions
    /// Open-items files at least this large are read by two threads (tests lower it).
    public var parallelThreshold: Int64 = 8 << 20
    /// Where the second thread's items wait for the first (in a private temporary folder).
    public var temporaryFolder = NSTemporaryDirectory()
    /// Called with a step's name as each step of the read ends (the outbound job's step trace).
    public var trace: @Sendable (StaticString) -> Void = { _ in }

    public init(options: ExtractOptions) {
        self.options = options
    }

    /// Reads the extract, holding the open items kept in memory (tests and small extracts;
    /// the outbound job uses ``read(_:into:keep:)``).
    /// - Parameters:
    ///   - files: open items, and optionally the customer master and payments.
    ///   - keep: decides which good open items are returned (all by default); items not kept
    ///     are still checked (duplicates, customers) but not stored, which bounds memory.
    /// - Returns: the open items kept, customers by id, last payment dates, skipped bad rows, counts.
    /// - Throws: ``FormatError``.
    public func read(_ files: ExtractFiles, keep: (OpenItem) throws -> Bool = { _ in true }) throws -> Extract {
        var items: [OpenItem] = []
        var extract = try read(files, sink: { items.append($0) }, keep: keep)
        let dropped = extract.droppedLines
        extract.openItems = dropped.isEmpty ? items : items.filter { !dropped.contains($0.sourceLine) }
        extract.counts.openItemsKept = extract.openItems.count
        return extract
    }

    /// Reads the extract, handing the open items kept to `spill` (sorted by customer through
    /// temporary files), so memory does not grow with the extract.
    /// - Returns: the extract without open items (``Extract/openItems`` is empty), and the
    ///   open items kept, duplicates dropped, sorted and grouped by customer.
    /// - Throws: ``FormatError``.
    public func read(_ files: ExtractFiles, into spill: OpenItemSpill, keep: (OpenItem) throws -> Bool) throws -> (Extract, SortedOpenItems) {
        do {
            var extract = try read(files, sink: spill.append, keep: keep)
            trace("open items read")
            let sorted = try spill.finish(dropping: extract.droppedLines)
            trace("sorted runs merged")
            extract.counts.openItemsKept = sorted.count
            return (extract, sorted)
        } catch {
            spill.discard()
            throw error
        }
    }

    private func read(_ files: ExtractFiles, sink: (OpenItem) throws -> Void, keep: (OpenItem) throws -> Bool) throws -> Extract {
        let log = ProblemLog(maxBadRows: options.maxBadRows)
        var counts = ExtractCounts()
        var master = CustomerMaster()
        if let path = files.customers {
            try readCustomers(path: path, into: &master, log: log, counts: &counts)
            trace("customers read")
        }
        var lastPayments: [String: LocalDate] = [:]
        var paymentTotals: [PaymentKey: Int64] = [:]
        if let path = files.payments {
            try readPayments(path: path, into: &lastPayments, totals: &paymentTotals, log: log, counts: &counts)
        }
        let dropped = try readOpenItems(
            path: files.openItems, master: &master, embedded: files.customers == nil, log: log, counts: &counts, keep: keep, sink: sink)
        counts.badRows = log.problems.count
        var extract = Extract(openItems: [], customers: master.byID, lastPaymentDates: lastPayments, problems: log.problems, counts: counts)
        extract.paymentTotals = paymentTotals
        extract.droppedLines = dropped
        return extract
    }

    /// Customers by id, and the line of each id by the bytes of the id (what the open items
    /// are looked up in).
    struct CustomerMaster: Sendable {
        var byID = CustomerDirectory()
        var index = ByteKeyTable(expected: 4096)
    }

    // MARK: - Open items

    /// Where each logical column is, and its name for messages.
    struct OpenItemLayout: Sendable {
        var fieldCount = 0
        var iInvoice = -1, iCustomer = -1, iInvoiceDate = -1, iDue = -1, iAmount = -1, iOpen = -1, iCurrency = -1
        var iDisputed = -1, iBlocked = -1, iPromise = -1, iSettled = -1, iDocumentType = -1, iPostingState = -1
        var nInvoice = "", nCustomer = "", nInvoiceDate = "", nDue = "", nAmount = "", nOpen = "", nCurrency = ""
        var nDisputed = "", nBlocked = "", nPromise = "", nSettled = "", nDocumentType = "", nPostingState = ""
        var embedded: HeaderIndex<CustomerColumn>?
    }

    /// Reads the open items, handing each good one that `keep` accepts to `sink`.
    /// - Returns: the lines of repeated invoices (found at the end), whose items the caller drops.
    private func readOpenItems(
        path: String, master: inout CustomerMaster, embedded: Bool, log: ProblemLog, counts: inout ExtractCounts,
        keep: (OpenItem) throws -> Bool, sink: (OpenItem) throws -> Void
    ) throws -> Set<Int> {
        let size = Self.fileSize(path: path)
        // A parallel pass reads the second half of a large file on another thread. Its start
        // is a guess (the first line break after the middle) that the first pass confirms.
        let split = (!embedded && size >= parallelThreshold) ? Self.splitPoint(path: path, size: size) : nil
        let csv = split.map { try? CSVReader(path: path, options: options.csv, start: 0, length: $0, firstLine: 1) } ?? nil
        let reader = try csv ?? CSVReader(path: path, options: options.csv)
        defer { counts.bytesRead += reader.bytesRead }
        let header = try reader.readHeader()
        let layout = try Self.layout(header: header, options: options, file: reader.displayName, embedded: embedded)
        let row = RowParser(csv: reader, options: options)
        var seen = DuplicateFinder(expected: Self.estimatedRows(size: size))
        var tally = RowTally()
        func onItem(_ item: OpenItem) throws { if try keep(item) { try sink(item) } }

        if let split, csv != nil {
            let second = try ParallelPass(reader: self, path: path, start: split, size: size, layout: layout, master: master)
            second.start()
            var confirmed = true
            do {
                try scanRows(row: row, layout: layout, master: &master, seen: &seen, tally: &tally, onItem: onItem, onProblem: log.add)
            } catch is CSVReader.RangeNotAtRecordBoundary {
                confirmed = false
            } catch {
                second.cancel()
                second.wait()
                throw error
            }
            if !confirmed { second.cancel() }
            second.wait()
            if confirmed, second.firstLine == reader.upcomingLine, let result = second.takeResult() {
                switch result {
                case .success(let part):
                    tally.add(part.tally)
                    counts.bytesRead += part.bytesRead
                    for problem in part.problems { try log.add(problem) }
                    if let error = part.error { throw error }
                    // The caller's filter runs here, on this thread, in file order.
                    while let item = try part.items.next() { try onItem(item) }
                    seen.append(part.seen)
                case .failure(let error):
                    throw error
                }
            } else {
                // The guess fell inside a quoted field: read the rest here.
                reader.extendToEndOfFile()
                try scanRows(row: row, layout: layout, master: &master, seen: &seen, tally: &tally, onItem: onItem, onProblem: log.add)
            }
        } else {
            try scanRows(row: row, layout: layout, master: &master, seen: &seen, tally: &tally, onItem: onItem, onProblem: log.add)
        }
        counts.openItemRows += tally.rows
        counts.summaryRowsSkipped += tally.summaryRows
        counts.otherDocumentRowsSkipped += tally.otherDocuments

        trace("open items scanned")
        // Duplicates are found in one sorted pass at the end; the later rows are dropped.
        let duplicates = try seen.duplicates { lines in try invoiceNumbers(path: path, layout: layout, lines: lines) }
        trace("duplicate invoices checked")
        var dropped = Set<Int>()
        for d in duplicates {
            let invoice = Location.quote(String(decoding: d.key, as: UTF8.self))
            try log.add(RowProblem(
                file: reader.displayName, line: d.line, column: layout.nInvoice, code: .duplicateInvoice,
                message: "\(Location.describe(file: reader.displayName, line: d.line, column: layout.nInvoice)): invoice \(invoice) appears again (first on line \(Location.grouped(d.firstLine))); invoice numbers must be unique in one extract"))
            dropped.insert(d.line)
        }
        // A header and nothing usable is what a failed ERP export job leaves behind: refused,
        // or the run would take every placed account for settled.
        let usable = tally.good - duplicates.count
        if usable <= 0 {
            var parts: [String] = []
            if tally.rows > 0 { parts.append("\(Location.grouped(tally.rows)) data rows, \(Location.grouped(log.problems.count)) of them bad") }
            if tally.summaryRows > 0 { parts.append("\(Location.grouped(tally.summaryRows)) summary rows skipped") }
            if tally.otherDocuments > 0 { parts.append("\(Location.grouped(tally.otherDocuments)) rows that are not posted customer invoices") }
            let found = parts.isEmpty ? "only a header" : parts.joined(separator: ", ")
            throw FormatError(.noUsableRows, "\(reader.displayName): the open items have no usable row (\(found)); an ERP export that failed half-way leaves such a file, and placing from it would recall every placed account. Export the open items again")
        }
        return dropped
    }

    /// The invoice numbers (trimmed bytes) on the given lines of the open-items file, read
    /// again (only when invoice numbers seem to repeat).
    private func invoiceNumbers(path: String, layout: OpenItemLayout, lines: Set<Int>) throws -> [Int: [UInt8]] {
        let csv = try CSVReader(path: path, options: options.csv)
        _ = try csv.readHeader()
        let row = RowParser(csv: csv, options: options)
        var keys: [Int: [UInt8]] = [:]
        while keys.count < lines.count, try csv.nextRecord() {
            guard lines.contains(row.line) else { continue }
            keys[row.line] = row.trimmedField(layout.iInvoice) { field in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(field.count)
                for i in 0..<field.count { bytes.append(field[i]) }
                return bytes
            }
        }
        return keys
    }

    static func layout(header: [String], options: ExtractOptions, file: String, embedded: Bool) throws -> OpenItemLayout {
        let map = options.mapping.openItems
        let cols = HeaderIndex<OpenItemColumn>(header: header, mapping: map)
        try cols.require(OpenItemColumn.allCases.filter(\.isRequired), mapping: map, file: file, header: header, preset: "open items")
        if !cols.has(.currency) && options.defaultCurrency == nil {
            throw FormatError(.missingColumn, "\(file) line 1: there is no currency column \"\(map[.currency] ?? "currency")\" and no default currency is configured (add the column or set default_currency)")
        }
        var l = OpenItemLayout()
        if embedded {
            let customerMap = options.mapping.embeddedCustomers
            let c = HeaderIndex<CustomerColumn>(header: header, mapping: customerMap)
            try c.require([.name], mapping: customerMap, file: file, header: header, preset: "no customer master was given, so customer columns must be in the open items")
            l.embedded = c
        }
        func n(_ c: OpenItemColumn) -> String { cols.name(c, mapping: map) }
        l.fieldCount = header.count
        l.iInvoice = cols[.invoiceNumber]; l.iCustomer = cols[.customerID]; l.iInvoiceDate = cols[.invoiceDate]
        l.iDue = cols[.dueDate]; l.iAmount = cols[.amount]; l.iOpen = cols[.openAmount]; l.iCurrency = cols[.currency]
        l.iDisputed = cols[.disputed]; l.iBlocked = cols[.blocked]; l.iPromise = cols[.promiseDate]; l.iSettled = cols[.settled]
        l.iDocumentType = cols[.documentType]; l.iPostingState = cols[.postingState]
        l.nDocumentType = n(.documentType); l.nPostingState = n(.postingState)
        l.nInvoice = n(.invoiceNumber); l.nCustomer = n(.customerID); l.nInvoiceDate = n(.invoiceDate); l.nDue = n(.dueDate)
        l.nAmount = n(.amount); l.nOpen = n(.openAmount); l.nCurrency = n(.currency); l.nDisputed = n(.disputed)
        l.nBlocked = n(.blocked); l.nPromise = n(.promiseDate); l.nSettled = n(.settled)
        return l
    }

    /// Reads the remaining records of `row.csv` as open items.
    func scanRows(
        row: RowParser, layout l: OpenItemLayout, master: inout CustomerMaster, seen: inout DuplicateFinder, tally: inout RowTally,
        onItem: (OpenItem) throws -> Void, onProblem: (RowProblem) throws -> Void
    ) throws {
        let csv = row.csv
        let customerMap = options.mapping.embeddedCustomers
        while try csv.nextRecord() {
            tally.rows += 1
            do {
                try row.checkFieldCount(expected: l.fieldCount)
                var creditNote = false
                if l.iDocumentType >= 0 || l.iPostingState >= 0 {
                    switch try row.document(type: l.iDocumentType, typeColumn: l.nDocumentType, state: l.iPostingState, stateColumn: l.nPostingState) {
                    case .invoice: break
                    case .creditNote: creditNote = true
                    case .other:
                        tally.rows -= 1
                        tally.otherDocuments += 1
                        continue
                    }
                }
                if row.trimmedField(l.iInvoice, { $0.isEmpty }) {
                    throw row.failure(.missingValue, column: l.nInvoice, "the value is empty (the invoice number is required)")
                }
                if row.trimmedField(l.iCustomer, { $0.isEmpty }) {
                    // A report's closing total line (ERPNext: empty Party, 'Total' as the voucher).
                    if row.trimmedField(l.iInvoice, RowParser.isTotalLabel) {
                        tally.rows -= 1
                        tally.summaryRows += 1
                        continue
                    }
                    throw row.failure(.missingValue, column: l.nCustomer, "the value is empty (the customer id is required)")
                }
                let currency = try row.currency(l.iCurrency, column: l.nCurrency)
                let due = try row.requiredDate(l.iDue, column: l.nDue, what: "the due date")
                let invoiceDate = try row.date(l.iInvoiceDate, column: l.nInvoiceDate)
                guard var open = try row.amount(l.iOpen, column: l.nOpen, currency: currency) else {
                    throw row.failure(.missingValue, column: l.nOpen, "the value is empty (the open amount is required)")
                }
                var amount = try row.amount(l.iAmount, column: l.nAmount, currency: currency) ?? open
                if creditNote {
                    // Odoo writes a refund's amounts positive; a credit note is negative here.
                    if open.minorUnits > 0 { open = Money(minorUnits: -open.minorUnits, currency: currency) }
                    if amount.minorUnits > 0 { amount = Money(minorUnits: -amount.minorUnits, currency: currency) }
                }
                let disputed = try row.bool(l.iDisputed, column: l.nDisputed)
                let blocked = try row.bool(l.iBlocked, column: l.nBlocked)
                let promise = try row.date(l.iPromise, column: l.nPromise)
                let settled = try row.bool(l.iSettled, column: l.nSettled, settledWords: true)

                var known = row.trimmedField(l.iCustomer) { master.index.find($0) } != nil
                if !known, let embeddedCols = l.embedded {
                    let id = try row.requiredText(l.iCustomer, column: l.nCustomer, what: "the customer id")
                    let customer = try Self.customer(row: row, cols: embeddedCols, mapping: customerMap, id: id)
                    let line = Int32(truncatingIfNeeded: row.line)
                    _ = row.trimmedField(l.iCustomer) { master.index.insert($0, value: line) }
                    master.byID.insert(customer, id: customer.id)
                    known = true
                }
                guard known else {
                    let id = try row.requiredText(l.iCustomer, column: l.nCustomer, what: "the customer id")
                    throw row.failure(.unknownCustomer, column: l.nCustomer, "customer \(Location.quote(id)) is not in the customer master (expected every open item's customer to be listed there; export both files together)")
                }
                let line = row.line
                row.trimmedField(l.iInvoice) { seen.add($0, line: line) }
                let invoice = try row.requiredText(l.iInvoice, column: l.nInvoice, what: "the invoice number")
                // A new (usually inline, small) string rather than the master's copy: reading
                // the customer record here costs a cache miss per row.
                let customerID = try row.requiredText(l.iCustomer, column: l.nCustomer, what: "the customer id")
                tally.good += 1
                try onItem(OpenItem(
                    invoiceNumber: invoice, customerID: customerID, invoiceDate: invoiceDate, dueDate: due,
                    amount: amount, openAmount: open, disputed: disputed, blocked: blocked,
                    promiseDate: promise, settled: settled, sourceLine: line))
            } catch let failure as RowFailure {
                try onProblem(failure.problem)
            }
        }
    }

    // MARK: - Customers

    private func readCustomers(path: String, into master: inout CustomerMaster, log: ProblemLog, counts: inout ExtractCounts) throws {
        let csv = try CSVReader(path: path, options: options.csv)
        defer { counts.bytesRead += csv.bytesRead }
        let header = try csv.readHeader()
        let map = options.mapping.customers
        let cols = HeaderIndex<CustomerColumn>(header: header, mapping: map)
        try cols.require(CustomerColumn.allCases.filter(\.isRequired), mapping: map, file: csv.displayName, header: header, preset: "customer master")
        let row = RowParser(csv: csv, options: options)
        let nID = cols.name(.customerID, mapping: map)
        let iID = cols[.customerID]
        while try csv.nextRecord() {
            counts.customerRows += 1
            do {
                try row.checkFieldCount(expected: header.count)
                let id = try row.requiredText(iID, column: nID, what: "the customer id")
                if let first = row.trimmedField(iID, { master.index.find($0) }) {
                    throw row.failure(.duplicateCustomer, column: nID, "customer \(Location.quote(id)) appears again (first on line \(Location.grouped(Int(first)))); customer ids must be unique in the master")
                }
                let customer = try Self.customer(row: row, cols: cols, mapping: map, id: id)
                let line = Int32(truncatingIfNeeded: row.line)
                _ = row.trimmedField(iID) { master.index.insert($0, value: line) }
                master.byID.insert(customer, id: customer.id)
            } catch let failure as RowFailure {
                try log.add(failure.problem)
            }
        }
    }

    private static func customer(row: RowParser, cols: HeaderIndex<CustomerColumn>, mapping: [CustomerColumn: String], id: String) throws -> Customer {
        func text(_ c: CustomerColumn) throws -> String? { try row.text(cols[c], column: cols.name(c, mapping: mapping)) }
        let name = try row.requiredText(cols[.name], column: cols.name(.name, mapping: mapping), what: "the customer name")
        return Customer(
            id: id, name: name, taxID: try text(.taxID), email: try text(.email), phone: try text(.phone),
            street: try text(.street), postalCode: try text(.postalCode), city: try text(.city),
            country: try text(.country), language: try text(.language), group: try text(.group),
            blocked: try row.bool(cols[.blocked], column: cols.name(.blocked, mapping: mapping)),
            transferConsent: try row.bool(cols[.transferConsent], column: cols.name(.transferConsent, mapping: mapping)),
            itemization: cols[.itemizationDate] >= 0 ? try itemization(row: row, cols: cols, mapping: mapping) : nil,
            flags: cols.hasFlagColumns ? try flags(row: row, cols: cols, mapping: mapping) : nil,
            sourceLine: row.line)
    }

    /// The row's flags: nil when none is set.
    private static func flags(row: RowParser, cols: HeaderIndex<CustomerColumn>, mapping: [CustomerColumn: String]) throws -> AccountFlags? {
        func flag(_ c: CustomerColumn) throws -> Bool { try row.bool(cols[c], column: cols.name(c, mapping: mapping)) }
        let iChapter = cols[.bankruptcyChapter]
        let nChapter = cols.name(.bankruptcyChapter, mapping: mapping)
        var chapter: Int?
        if let text = try row.text(iChapter, column: nChapter) {
            guard let n = Int(text), n > 0, n < 100 else {
                throw row.failure(.badValue, column: nChapter, "\(row.shown(iChapter)) is not a bankruptcy chapter (expected a whole number from 1 to 99, such as 7, 11 or 13, or empty)")
            }
            chapter = n
        }
        let flags = AccountFlags(
            communicationRestricted: try flag(.communicationRestricted),
            communicationRestriction: try row.text(cols[.communicationRestriction], column: cols.name(.communicationRestriction, mapping: mapping)),
            disputed: try flag(.disputedDebt), bankruptcyChapter: chapter, deceased: try flag(.deceased),
            attorneyRepresented: try flag(.attorneyRepresented))
        return flags.isEmpty ? nil : flags
    }

    /// The row's itemization: nil when `itemization_date` is empty; otherwise the type, the
    /// amount and the creditor's name and account are required, and interest, fees, payments
    /// and credits are zero when empty. Amounts are in `itemization_currency` (or the default
    /// currency) and may not be negative.
    private static func itemization(row: RowParser, cols: HeaderIndex<CustomerColumn>, mapping: [CustomerColumn: String]) throws -> Itemization? {
        func name(_ c: CustomerColumn) -> String { cols.name(c, mapping: mapping) }
        guard let date = try row.date(cols[.itemizationDate], column: name(.itemizationDate)) else { return nil }
        let iType = cols[.itemizationType]
        guard let typeText = try row.text(iType, column: name(.itemizationType)) else {
            throw row.failure(.missingValue, column: name(.itemizationType), "the value is empty (the itemization type is required with an itemization date; expected \(ItemizationType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let type = ItemizationType(rawValue: typeText.lowercased()) else {
            throw row.failure(.badValue, column: name(.itemizationType), "\(row.shown(iType)) is not an itemization type (expected \(ItemizationType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let currency = try row.currency(cols[.itemizationCurrency], column: name(.itemizationCurrency))
        func money(_ c: CustomerColumn, required: Bool) throws -> Money {
            guard let m = try row.amount(cols[c], column: name(c), currency: currency) else {
                if required { throw row.failure(.missingValue, column: name(c), "the value is empty (the amount on the itemization date is required with an itemization date)") }
                return .zero(currency)
            }
            guard m.minorUnits >= 0 else {
                throw row.failure(.badAmount, column: name(c), "\(row.shown(cols[c])) is negative (itemization amounts are zero or more; credits are listed as positive amounts)")
            }
            return m
        }
        func required(_ c: CustomerColumn, _ what: String) throws -> String {
            try row.requiredText(cols[c], column: name(c), what: what + ", with an itemization date")
        }
        return Itemization(
            date: date, type: type, amount: try money(.itemizationAmount, required: true),
            interest: try money(.itemizationInterest, required: false), fees: try money(.itemizationFees, required: false),
            payments: try money(.itemizationPayments, required: false), credits: try money(.itemizationCredits, required: false),
            creditorName: try required(.itemizationCreditorName, "the creditor's name on the itemization date"),
            creditorAccount: try required(.itemizationCreditorAccount, "the creditor's account number on the itemization date"))
    }

    // MARK: - Payments

    private func readPayments(
        path: String, into last: inout [String: LocalDate], totals: inout [PaymentKey: Int64], log: ProblemLog,
        counts: inout ExtractCounts
    ) throws {
        let csv = try CSVReader(path: path, options: options.csv)
        defer { counts.bytesRead += csv.bytesRead }
        let header = try csv.readHeader()
        let map = options.mapping.payments
        let cols = HeaderIndex<PaymentColumn>(header: header, mapping: map)
        try cols.require(PaymentColumn.allCases.filter(\.isRequired), mapping: map, file: csv.displayName, header: header, preset: "payments")
        let row = RowParser(csv: csv, options: options)
        while try csv.nextRecord() {
            counts.paymentRows += 1
            do {
                try row.checkFieldCount(expected: header.count)
                let id = try row.requiredText(cols[.customerID], column: cols.name(.customerID, mapping: map), what: "the customer id")
                let date = try row.requiredDate(cols[.paymentDate], column: cols.name(.paymentDate, mapping: map), what: "the payment date")
                if cols.has(.amount) && (cols.has(.currency) || options.defaultCurrency != nil) {
                    let currency = try row.currency(cols[.currency], column: cols.name(.currency, mapping: map))
                    if let paid = try row.amount(cols[.amount], column: cols.name(.amount, mapping: map), currency: currency) {
                        totals[PaymentKey(customerID: id, currency: currency), default: 0] &+= paid.minorUnits
                    }
                }
                if let previous = last[id], previous >= date { continue }
                last[id] = date
            } catch let failure as RowFailure {
                try log.add(failure.problem)
            }
        }
    }

    /// A generous row estimate from the file size (about 100 bytes a row), capped.
    static func estimatedRows(size: Int64) -> Int {
        Int(min(size / 100, 20_000_000))
    }

    static func fileSize(path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// The offset just after the first line break at or after the middle of the file.
    static func splitPoint(path: String, size: Int64) -> Int64? {
        let fd = Syscall.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Syscall.close(fd) }
        var offset = size / 2
        while offset < size {
            guard let buffer = Syscall.pread(fd, count: 1 << 16, at: offset), !buffer.isEmpty else { return nil }
            if let i = buffer.firstIndex(of: 10) { return offset + Int64(i) + 1 < size ? offset + Int64(i) + 1 : nil }
            offset += Int64(buffer.count)
        }
        return nil
    }
}

extension HeaderIndex where Column == CustomerColumn {
    /// Whether any flag column is in the header (when none is, no flag is read).
    var hasFlagColumns: Bool {
        has(.communicationRestricted) || has(.communicationRestriction) || has(.disputedDebt) || has(.bankruptcyChapter)
            || has(.deceased) || has(.attorneyRepresented)
    }
}
