public import ARLinkCore
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

    public init(options: ExtractOptions) {
        self.options = options
    }

    /// Reads the extract.
    /// - Parameters:
    ///   - files: open items, and optionally the customer master and payments.
    ///   - keep: decides which good open items are returned (all by default); items not kept
    ///     are still checked (duplicates, customers) but not stored, which bounds memory.
    /// - Returns: the open items kept, customers by id, last payment dates, skipped bad rows, counts.
    /// - Throws: ``FormatError``.
    public func read(_ files: ExtractFiles, keep: (OpenItem) throws -> Bool = { _ in true }) throws -> Extract {
        let log = ProblemLog(maxBadRows: options.maxBadRows)
        var counts = ExtractCounts()
        var master = CustomerMaster()
        if let path = files.customers {
            try readCustomers(path: path, into: &master, log: log, counts: &counts)
        }
        var lastPayments: [String: LocalDate] = [:]
        if let path = files.payments {
            try readPayments(path: path, into: &lastPayments, log: log, counts: &counts)
        }
        let items = try readOpenItems(
            path: files.openItems, master: &master, embedded: files.customers == nil, log: log, counts: &counts, keep: keep)
        counts.badRows = log.problems.count
        var customers: [String: Customer] = [:]
        customers.reserveCapacity(master.list.count)
        for customer in master.list { customers[customer.id] = customer }
        return Extract(openItems: items, customers: customers, lastPaymentDates: lastPayments, problems: log.problems, counts: counts)
    }

    /// Customers in reading order, indexed by the bytes of their id.
    struct CustomerMaster {
        var list: [Customer] = []
        var index = ByteKeyTable(expected: 4096)
    }

    // MARK: - Open items

    private func readOpenItems(
        path: String, master: inout CustomerMaster, embedded: Bool, log: ProblemLog, counts: inout ExtractCounts,
        keep: (OpenItem) throws -> Bool
    ) throws -> [OpenItem] {
        let csv = try CSVReader(path: path, options: options.csv)
        defer { counts.bytesRead += csv.bytesRead }
        let header = try csv.readHeader()
        let map = options.mapping.openItems
        let cols = HeaderIndex<OpenItemColumn>(header: header, mapping: map)
        try cols.require(OpenItemColumn.allCases.filter(\.isRequired), mapping: map, file: csv.displayName, header: header, preset: "open items")
        if !cols.has(.currency) && options.defaultCurrency == nil {
            throw FormatError(.missingColumn, "\(csv.displayName) line 1: there is no currency column \"\(map[.currency] ?? "currency")\" and no default currency is configured (add the column or set default_currency)")
        }
        let customerMap = options.mapping.customers
        var embeddedCols: HeaderIndex<CustomerColumn>?
        if embedded {
            let c = HeaderIndex<CustomerColumn>(header: header, mapping: customerMap)
            try c.require([.name], mapping: customerMap, file: csv.displayName, header: header, preset: "no customer master was given, so customer columns must be in the open items")
            embeddedCols = c
        }
        let row = RowParser(csv: csv, options: options)
        let iInvoice = cols[.invoiceNumber], iCustomer = cols[.customerID], iInvoiceDate = cols[.invoiceDate]
        let iDue = cols[.dueDate], iAmount = cols[.amount], iOpen = cols[.openAmount], iCurrency = cols[.currency]
        let iDisputed = cols[.disputed], iBlocked = cols[.blocked], iPromise = cols[.promiseDate], iSettled = cols[.settled]
        func n(_ c: OpenItemColumn) -> String { cols.name(c, mapping: map) }
        let nInvoice = n(.invoiceNumber), nCustomer = n(.customerID), nInvoiceDate = n(.invoiceDate), nDue = n(.dueDate)
        let nAmount = n(.amount), nOpen = n(.openAmount), nCurrency = n(.currency), nDisputed = n(.disputed)
        let nBlocked = n(.blocked), nPromise = n(.promiseDate), nSettled = n(.settled)
        let fieldCount = header.count

        let estimate = Self.estimatedRows(path: path)
        var items: [OpenItem] = []
        items.reserveCapacity(estimate)
        var seen = DuplicateFinder(expected: estimate)

        while try csv.nextRecord() {
            counts.openItemRows += 1
            do {
                try row.checkFieldCount(expected: fieldCount)
                if row.trimmedField(iInvoice, { $0.isEmpty }) {
                    throw row.failure(.missingValue, column: nInvoice, "the value is empty (the invoice number is required)")
                }
                if row.trimmedField(iCustomer, { $0.isEmpty }) {
                    throw row.failure(.missingValue, column: nCustomer, "the value is empty (the customer id is required)")
                }
                let currency = try row.currency(iCurrency, column: nCurrency)
                let due = try row.requiredDate(iDue, column: nDue, what: "the due date")
                let invoiceDate = try row.date(iInvoiceDate, column: nInvoiceDate)
                guard let open = try row.amount(iOpen, column: nOpen, currency: currency) else {
                    throw row.failure(.missingValue, column: nOpen, "the value is empty (the open amount is required)")
                }
                let amount = try row.amount(iAmount, column: nAmount, currency: currency) ?? open
                let disputed = try row.bool(iDisputed, column: nDisputed)
                let blocked = try row.bool(iBlocked, column: nBlocked)
                let promise = try row.date(iPromise, column: nPromise)
                let settled = try row.bool(iSettled, column: nSettled, settledWords: true)

                var customerIndex = row.trimmedField(iCustomer) { master.index.find($0) }
                if customerIndex == nil, let embeddedCols {
                    let id = try row.requiredText(iCustomer, column: nCustomer, what: "the customer id")
                    let customer = try Self.customer(row: row, cols: embeddedCols, mapping: customerMap, id: id)
                    let newIndex = Int32(master.list.count)
                    _ = row.trimmedField(iCustomer) { master.index.insert($0, value: newIndex) }
                    master.list.append(customer)
                    customerIndex = newIndex
                }
                guard customerIndex != nil else {
                    let id = try row.requiredText(iCustomer, column: nCustomer, what: "the customer id")
                    throw row.failure(.unknownCustomer, column: nCustomer, "customer \(Location.quote(id)) is not in the customer master (expected every open item's customer to be listed there; export both files together)")
                }
                let line = row.line
                row.trimmedField(iInvoice) { seen.add($0, line: line) }
                let invoice = try row.requiredText(iInvoice, column: nInvoice, what: "the invoice number")
                // A new (usually inline, small) string rather than the master's copy: reading
                // the customer record here costs a cache miss per row.
                let customerID = try row.requiredText(iCustomer, column: nCustomer, what: "the customer id")
                let item = OpenItem(
                    invoiceNumber: invoice, customerID: customerID, invoiceDate: invoiceDate, dueDate: due,
                    amount: amount, openAmount: open, disputed: disputed, blocked: blocked,
                    promiseDate: promise, settled: settled, sourceLine: line)
                if try keep(item) { items.append(item) }
            } catch let failure as RowFailure {
                try log.add(failure.problem)
            }
        }
        // Duplicates are found in one sorted pass at the end; the later rows are dropped.
        let duplicates = seen.duplicates()
        if !duplicates.isEmpty {
            var dropped = Set<Int>()
            for d in duplicates {
                let invoice = Location.quote(String(decoding: d.key, as: UTF8.self))
                try log.add(RowProblem(
                    file: csv.displayName, line: d.line, column: nInvoice, code: .duplicateInvoice,
                    message: "\(Location.describe(file: csv.displayName, line: d.line, column: nInvoice)): invoice \(invoice) appears again (first on line \(Location.grouped(d.firstLine))); invoice numbers must be unique in one extract"))
                dropped.insert(d.line)
            }
            items.removeAll { dropped.contains($0.sourceLine) }
        }
        counts.openItemsKept = items.count
        return items
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
                    throw row.failure(.duplicateCustomer, column: nID, "customer \(Location.quote(id)) appears again (first on line \(Location.grouped(master.list[Int(first)].sourceLine))); customer ids must be unique in the master")
                }
                let customer = try Self.customer(row: row, cols: cols, mapping: map, id: id)
                let newIndex = Int32(master.list.count)
                _ = row.trimmedField(iID) { master.index.insert($0, value: newIndex) }
                master.list.append(customer)
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
            blocked: try row.bool(cols[.blocked], column: cols.name(.blocked, mapping: mapping)), sourceLine: row.line)
    }

    // MARK: - Payments

    private func readPayments(path: String, into last: inout [String: LocalDate], log: ProblemLog, counts: inout ExtractCounts) throws {
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
                    _ = try row.amount(cols[.amount], column: cols.name(.amount, mapping: map), currency: currency)
                }
                if let previous = last[id], previous >= date { continue }
                last[id] = date
            } catch let failure as RowFailure {
                try log.add(failure.problem)
            }
        }
    }

    /// A generous row estimate from the file size (about 100 bytes a row), capped.
    private static func estimatedRows(path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return min(Int(info.st_size) / 100, 20_000_000)
    }
}
