public import ARLinkCore

/// How to read one ERP's extracts: column mapping, dialect, value formats and tolerance.
public struct ExtractOptions: Sendable, Hashable {
    /// Header names for each logical column.
    public var mapping: ColumnMapping
    /// Delimiter and caps of the CSV files.
    public var csv: CSVOptions
    /// How amounts are written (`1234.56`, `1,234.56`, `1.234,56`).
    public var numberFormat: NumberFormat
    /// How dates are written.
    public var dateFormat: DateFormat
    /// The currency of every amount when the file has no currency column (or an empty value).
    public var defaultCurrency: Currency?
    /// Bad rows to skip (and report) before giving up; 0 (the default) stops at the first.
    public var maxBadRows: Int

    /// Options for a preset with its usual formats (``ExtractPreset/defaultDateFormat``; plain
    /// numbers unless told otherwise).
    public init(
        preset: ExtractPreset = .generic, csv: CSVOptions = CSVOptions(), numberFormat: NumberFormat = .plain,
        dateFormat: DateFormat? = nil, defaultCurrency: Currency? = nil, maxBadRows: Int = 0
    ) {
        self.mapping = ColumnMapping(preset: preset)
        self.csv = csv
        self.numberFormat = numberFormat
        self.dateFormat = dateFormat ?? preset.defaultDateFormat
        self.defaultCurrency = defaultCurrency
        self.maxBadRows = max(0, maxBadRows)
    }
}

/// The paths of one extract. Without a customer master, customer columns are read from the
/// open-items file itself (Odoo's invoice export carries the partner fields).
public struct ExtractFiles: Sendable, Hashable {
    /// The open-items CSV (required).
    public var openItems: String
    /// The customer master CSV; nil when the open items carry the customer columns.
    public var customers: String?
    /// The optional payments CSV.
    public var payments: String?

    public init(openItems: String, customers: String? = nil, payments: String? = nil) {
        self.openItems = openItems
        self.customers = customers
        self.payments = payments
    }
}

/// Row counts of one read, for the run report.
public struct ExtractCounts: Sendable, Hashable {
    /// Data rows read from the open-items file (header, blank lines, summary rows and other
    /// documents not counted).
    public var openItemRows = 0
    /// A report's closing total lines in the open items (ERPNext's `'Total'` row), skipped.
    public var summaryRowsSkipped = 0
    /// Open-item rows that are not posted customer invoices or credit notes (Odoo vendor bills,
    /// drafts, cancelled moves), skipped.
    public var otherDocumentRowsSkipped = 0
    /// Data rows read from the customer master.
    public var customerRows = 0
    /// Data rows read from the payments file.
    public var paymentRows = 0
    /// Open items returned (rows that were good and passed the `keep` filter).
    public var openItemsKept = 0
    /// Rows skipped as bad (listed in ``Extract/problems``).
    public var badRows = 0
    /// Bytes read from all files.
    public var bytesRead: Int64 = 0

    public init() {}
}

/// A customer and a currency: the key of ``Extract/paymentTotals``.
public struct PaymentKey: Sendable, Hashable {
    public var customerID: String
    public var currency: Currency

    public init(customerID: String, currency: Currency) {
        self.customerID = customerID
        self.currency = currency
    }
}

/// What an extract read produced.
public struct Extract: Sendable {
    /// The good open items that passed `keep`, in file order.
    public var openItems: [OpenItem]
    /// Customers by ERP customer id.
    public var customers: CustomerDirectory
    /// The latest payment date per customer id (from the payments file, if any).
    public var lastPaymentDates: [String: LocalDate]
    /// The sum of the payments per customer id and currency, in minor units (payments file
    /// rows with an amount). One flat table: a table per customer would cost a heap block each.
    public var paymentTotals: [PaymentKey: Int64] = [:]
    /// Bad rows skipped (at most `maxBadRows`).
    public var problems: [RowProblem]
    public var counts: ExtractCounts
    /// The lines of repeated invoice numbers: their items are not in ``openItems`` (nor in
    /// the ``SortedOpenItems`` of ``ExtractReader/read(_:into:keep:)``).
    public var droppedLines: Set<Int> = []

    public init(openItems: [OpenItem], customers: CustomerDirectory, lastPaymentDates: [String: LocalDate], problems: [RowProblem], counts: ExtractCounts) {
        self.openItems = openItems
        self.customers = customers
        self.lastPaymentDates = lastPaymentDates
        self.problems = problems
        self.counts = counts
    }
}
