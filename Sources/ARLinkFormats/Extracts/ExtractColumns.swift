/// Logical columns of the open-items extract (the `generic` preset's header names).
public enum OpenItemColumn: String, Sendable, Hashable, CaseIterable, Codable {
    case invoiceNumber = "invoice_number"
    case customerID = "customer_id"
    case invoiceDate = "invoice_date"
    case dueDate = "due_date"
    case amount
    case openAmount = "open_amount"
    case currency
    case disputed
    case blocked
    case promiseDate = "promise_date"
    case settled
    /// The document's type: invoices and credit notes count, other documents are skipped.
    case documentType = "document_type"
    /// Whether the document is posted: other states (draft, cancelled) are skipped.
    case postingState = "posting_state"

    /// Columns that must be in the header; the others may be absent.
    public var isRequired: Bool {
        switch self {
        case .invoiceNumber, .customerID, .dueDate, .openAmount: true
        default: false
        }
    }
}

/// Logical columns of the customer master (the `generic` preset's header names).
public enum CustomerColumn: String, Sendable, Hashable, CaseIterable, Codable {
    case customerID = "customer_id"
    case name
    case taxID = "tax_id"
    case email
    case phone
    case street
    case postalCode = "postal_code"
    case city
    case country
    case language
    case group
    case blocked
    /// Yes when the debtor consented to the transfer of their data abroad (optional; read for
    /// partners with `transfer_basis: consent`).
    case transferConsent = "transfer_consent"
    // The debt's itemization for a US validation notice (all optional; see docs/extracts.md).
    case itemizationDate = "itemization_date"
    case itemizationType = "itemization_type"
    case itemizationCurrency = "itemization_currency"
    case itemizationAmount = "itemization_amount"
    case itemizationInterest = "itemization_interest"
    case itemizationFees = "itemization_fees"
    case itemizationPayments = "itemization_payments"
    case itemizationCredits = "itemization_credits"
    case itemizationCreditorName = "itemization_creditor_name"
    case itemizationCreditorAccount = "itemization_creditor_account"
    // Flags that travel with the account (all optional; see docs/extracts.md).
    case communicationRestricted = "communication_restricted"
    /// Free text: personal data.
    case communicationRestriction = "communication_restriction"
    case disputedDebt = "disputed_debt"
    case bankruptcyChapter = "bankruptcy_chapter"
    case deceased
    case attorneyRepresented = "attorney_represented"

    /// Columns that must be in the header; the others may be absent.
    public var isRequired: Bool { self == .customerID || self == .name }

    /// Personal data: messages name the column but never quote its value.
    var isPersonal: Bool {
        switch self {
        case .customerID, .group, .blocked, .country, .language, .transferConsent: false
        case .itemizationDate, .itemizationType, .itemizationCurrency, .itemizationAmount, .itemizationInterest,
             .itemizationFees, .itemizationPayments, .itemizationCredits, .itemizationCreditorName: false
        case .communicationRestricted, .disputedDebt, .bankruptcyChapter, .deceased, .attorneyRepresented: false
        default: true
        }
    }
}

/// Logical columns of the optional payments extract (the `generic` preset's header names).
public enum PaymentColumn: String, Sendable, Hashable, CaseIterable, Codable {
    case customerID = "customer_id"
    case invoiceNumber = "invoice_number"
    case paymentDate = "payment_date"
    case amount
    case currency

    /// Columns that must be in the header; the others may be absent.
    public var isRequired: Bool { self == .customerID || self == .paymentDate }
}

/// Ready-made column mappings for common ERP exports (see docs/extracts.md).
public enum ExtractPreset: String, Sendable, Hashable, CaseIterable, Codable {
    /// arlink's own documented columns (`invoice_number, customer_id, ...`).
    case generic
    /// ERPNext: the Accounts Receivable report exported as CSV, and the Customer list export.
    case erpnext
    /// Odoo: the invoice (`account.move`) export, optionally the partner (`res.partner`)
    /// export, and the payments export.
    case odoo

    /// The ERP's default date format: ERPNext's default system format `dd-mm-yyyy`; ISO
    /// otherwise.
    public var defaultDateFormat: DateFormat {
        self == .erpnext ? .dayMonthYearDash : .iso
    }
}

/// Which header name holds each logical column, per file. A custom mapping starts from a
/// preset and renames any column; a column mapped to no header is treated as absent.
public struct ColumnMapping: Sendable, Hashable {
    /// Header name per open-items column.
    public var openItems: [OpenItemColumn: String]
    /// Header name per customer column in the customer master.
    public var customers: [CustomerColumn: String]
    /// Header name per customer column in the open-items file, read when there is no master.
    public var embeddedCustomers: [CustomerColumn: String]
    /// Header name per payments column.
    public var payments: [PaymentColumn: String]

    /// A mapping from explicit header names.
    public init(openItems: [OpenItemColumn: String], customers: [CustomerColumn: String], payments: [PaymentColumn: String]) {
        self.openItems = openItems
        self.customers = customers
        self.embeddedCustomers = customers
        self.payments = payments
    }

    /// The mapping of a preset.
    public init(preset: ExtractPreset) {
        switch preset {
        case .generic:
            // document_type and posting_state only when mapped: a generic extract's own
            // "document_type" column (SAP's DR, DG, ...) means something else.
            openItems = Dictionary(uniqueKeysWithValues: OpenItemColumn.allCases.filter { $0 != .documentType && $0 != .postingState }
                .map { ($0, $0.rawValue) })
            customers = Dictionary(uniqueKeysWithValues: CustomerColumn.allCases.map { ($0, $0.rawValue) })
            embeddedCustomers = customers
            payments = Dictionary(uniqueKeysWithValues: PaymentColumn.allCases.map { ($0, $0.rawValue) })
        case .erpnext:
            // Accounts Receivable report (erpnext/accounts/report/accounts_receivable), CSV export.
            openItems = [
                .invoiceNumber: "Voucher No", .customerID: "Party", .invoiceDate: "Posting Date",
                .dueDate: "Due Date", .amount: "Invoiced Amount", .openAmount: "Outstanding Amount",
                .currency: "Currency",
            ]
            // Customer list (Report view) export: field labels of the Customer doctype; ID is `name`.
            customers = [
                .customerID: "ID", .name: "Customer Name", .taxID: "Tax ID", .email: "Email Id",
                .phone: "Mobile No", .language: "Print Language", .group: "Customer Group", .blocked: "Is Frozen",
            ]
            // Without a Customer export: the report's own columns (the first "Customer Name").
            embeddedCustomers = [.customerID: "Party", .name: "Customer Name", .group: "Customer Group"]
            // Payment Entry list export.
            payments = [
                .customerID: "Party", .paymentDate: "Posting Date",
                .amount: "Paid Amount", .currency: "Paid From Account Currency",
            ]
        case .odoo:
            // account.move export: the partner's external id is the account reference.
            openItems = [
                .invoiceNumber: "name", .customerID: "partner_id/id", .invoiceDate: "invoice_date",
                .dueDate: "invoice_date_due", .amount: "amount_total", .openAmount: "amount_residual",
                .currency: "currency_id", .settled: "payment_state", .documentType: "move_type", .postingState: "state",
            ]
            // res.partner export, joined by external id.
            customers = [
                .customerID: "id", .name: "name", .taxID: "vat", .email: "email", .phone: "phone",
                .street: "street", .postalCode: "zip", .city: "city", .country: "country_id/code",
                .language: "lang", .group: "category_id",
            ]
            // Without it: the partner's display name, and partner sub-fields when exported.
            embeddedCustomers = [
                .customerID: "partner_id/id", .name: "partner_id", .taxID: "partner_id/vat",
                .email: "partner_id/email", .phone: "partner_id/phone", .street: "partner_id/street",
                .postalCode: "partner_id/zip", .city: "partner_id/city", .country: "partner_id/country_id/code",
                .language: "partner_id/lang", .group: "partner_id/category_id",
            ]
            // account.payment export.
            payments = [
                .customerID: "partner_id/id", .invoiceNumber: "ref", .paymentDate: "date",
                .amount: "amount", .currency: "currency_id",
            ]
        }
    }
}
