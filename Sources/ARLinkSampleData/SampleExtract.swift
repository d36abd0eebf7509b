public import ARLinkCore
import Foundation

/// A deterministic, realistic ERP accounts-receivable extract for the demo, tests and the
/// benchmark: `customers.csv`, `open_items.csv` and `payments.csv` in the columns of the
/// `generic` extract preset.
///
/// The files are UTF-8, comma-delimited with a header row and LF line ends, quoted as
/// RFC 4180 requires (some customer names hold commas, quotes and non-ASCII letters on
/// purpose). Dates are `YYYY-MM-DD`, amounts plain decimals with the currency's exponent,
/// booleans `true`, `false` or empty (empty means false).
///
/// The same options give the same bytes on every machine: every record draws from its own
/// SplitMix64 stream keyed by the seed and the record's index, without floating point.
///
/// ## What the base extract (variant 0) holds
/// - Customers `C000001`… in eight countries, most invoiced in the first currency of
///   ``Options/currencies``, US customers in USD (and a few percent in another listed currency);
///   groups `domestic`, `export`, `key_account`, `public_sector`, `retail`, `intercompany`
///   (about 2 % of companies) or empty; about 2 % blocked. Customer `C000001` is always
///   "Müller, Søren" and `C000002` a company with quotes in its name.
/// - With ``Options/accountColumns`` (the default), each customer's Regulation F itemization
///   (about 90 % of US customers and 20 % of the others; types `last_statement`, `charge_off`,
///   `last_payment`, `transaction`, `judgment`, dated before the base date, in the customer's
///   currency, with interest, fees, payments and credits for some) and account flags:
///   communication restricted about 4 % (half with a free text), disputed debt 2 %, bankruptcy
///   0.8 % (chapter 7 or 13 for persons, 11 or 7 for companies), deceased 0.4 % of persons,
///   attorney-represented 1.5 %.
/// - Open items `INV-000001`… (unique), spread over customers with some heavy accounts,
///   due from about two years before `asOf` (or ``Options/baseDate``) to 30 days after it
///   (about 20 % not yet due);
///   about 2 % credit notes (negative amounts), 4 % settled (`open_amount` 0, `settled`
///   true), 10 % partially paid (`open_amount` < `amount`), 3 % disputed, 2 % blocked,
///   6 % of overdue items with an open promise date after `asOf` and 1 % with a broken one.
/// - Payments: one row per settled or partially paid invoice (some on account, with no
///   invoice number), dated no later than `asOf`.
///
/// ## Later runs: variants
/// ``Options/variant`` `n > 0` gives the extract of the n-th later run: the same customers
/// and invoice numbers, with the changes of levels `1...n` applied cumulatively. At each
/// level, each original customer not yet paid off draws once:
/// - about 5 %: **paid off** - every item settled (`open_amount` 0, `settled` true), or left
///   out of `open_items.csv` when ``Options/paidOff`` is ``PaidOffStyle/removed``;
///   a payment row for each item's open amount;
/// - about 5 %: **balance changed** - every item with an open amount above one minor unit
///   drops to 35-90 % of it (a partial payment row for the difference);
/// - about 2 %: **disputed** - every item with a positive open amount becomes disputed.
/// Plus `max(2, customers / 200)` **new customers** per level (`C…` after the original ones,
/// unblocked, never intercompany or public sector), each with 1-4 overdue, undisputed,
/// unsettled invoices numbered after the original ones. Later levels do not touch them.
/// ``Summary/changes`` lists the customers whose data actually changed at level `n`
/// (compared with variant `n - 1`), so tests can predict places, updates and recalls.
public enum SampleExtract {
    /// File names inside the output folder.
    public static let customersFileName = "customers.csv"
    public static let openItemsFileName = "open_items.csv"
    public static let paymentsFileName = "payments.csv"

    /// Header rows (the `generic` preset's column names).
    public static let customersHeader = "customer_id,name,tax_id,email,phone,street,postal_code,city,country,language,group,blocked"
    /// Columns appended to `customers.csv` with ``Options/accountColumns``: the Regulation F
    /// itemization and the flags that travel with the account (see docs/extracts.md).
    public static let customersAccountHeader =
        "itemization_date,itemization_type,itemization_currency,itemization_amount,itemization_interest,itemization_fees,"
        + "itemization_payments,itemization_credits,itemization_creditor_name,itemization_creditor_account,"
        + "communication_restricted,communication_restriction,disputed_debt,bankruptcy_chapter,deceased,attorney_represented"
    public static let openItemsHeader = "invoice_number,customer_id,invoice_date,due_date,amount,open_amount,currency,disputed,blocked,promise_date,settled"
    /// Columns appended to `open_items.csv` with ``Options/extraColumns``: SAP-like company
    /// code and document type, the customer's order reference, payment terms, dunning level
    /// and a free posting text (sometimes with commas or quotes).
    public static let openItemsExtraHeader = "company_code,document_type,reference,payment_terms,dunning_level,posting_text"
    public static let paymentsHeader = "customer_id,invoice_number,payment_date,amount,currency"

    /// How a paid-off customer's invoices appear in a later variant.
    public enum PaidOffStyle: Sendable, Hashable {
        /// Still listed, with `open_amount` 0 and `settled` true.
        case markedSettled
        /// No longer listed in `open_items.csv`.
        case removed
    }

    /// What to generate.
    public struct Options: Sendable, Hashable {
        /// Customers in the base extract (at least 1).
        public var customers: Int
        /// Open items in the base extract (0 or more).
        public var openItems: Int
        /// The seed: the same seed gives the same bytes.
        public var seed: UInt64
        /// The extraction date: no payment is later, and a variant's payments and added
        /// customers' due dates are placed just before it.
        public var asOf: LocalDate
        /// The day the original invoices are dated around (due from about two years before it
        /// to 30 days after; promises and their payments likewise); nil means ``asOf``. Keep it
        /// fixed and move ``asOf`` forward to simulate later runs on later days: the same
        /// invoices then simply age. Must not be after ``asOf``.
        public var baseDate: LocalDate?
        /// ISO 4217 codes; the first is the main currency, the others are used where a
        /// country invoices in them (USD for US customers) and by a few percent of customers.
        public var currencies: [String]
        /// 0 for the base extract, n for the n-th later run (at most ``maximumVariant``).
        public var variant: Int
        /// How paid-off customers appear in variants above 0.
        public var paidOff: PaidOffStyle
        /// Append six columns that real ERP exports carry and the `generic` preset ignores
        /// (``openItemsExtraHeader``): about 150 bytes per item instead of 80, as the design's
        /// benchmark assumes ("1,000,000 open items, about 150 MB"). The other columns are
        /// byte-for-byte the same either way.
        public var extraColumns: Bool
        /// Append the Regulation F itemization and account-flag columns to `customers.csv`
        /// (``customersAccountHeader``; shares on ``SampleExtract``). The other columns are
        /// byte-for-byte the same either way.
        public var accountColumns: Bool

        public init(
            asOf: LocalDate, customers: Int = 3000, openItems: Int = 30000, seed: UInt64 = 42,
            currencies: [String] = ["EUR", "USD"], variant: Int = 0, paidOff: PaidOffStyle = .markedSettled,
            extraColumns: Bool = false, baseDate: LocalDate? = nil, accountColumns: Bool = true
        ) {
            self.asOf = asOf; self.customers = customers; self.openItems = openItems; self.seed = seed
            self.currencies = currencies; self.variant = variant; self.paidOff = paidOff
            self.extraColumns = extraColumns
            self.accountColumns = accountColumns
            self.baseDate = baseDate
        }
    }

    /// The largest supported ``Options/variant``.
    public static let maximumVariant = 60

    /// Customers whose data changed at one variant level, by customer id in ascending order.
    public struct Changes: Sendable, Hashable {
        /// Customers with open items before whose items are now all settled or removed.
        public var paidOff: [String] = []
        /// Customers whose open amounts went down (and who were not paid off).
        public var balanceChanged: [String] = []
        /// Customers with at least one item newly disputed.
        public var disputed: [String] = []
        /// Customers added at this level, all with overdue open items.
        public var added: [String] = []

        public init() {}
    }

    /// What was written.
    public struct Summary: Sendable {
        /// Rows (without header) in `customers.csv`.
        public var customers: Int
        /// Rows (without header) in `open_items.csv`.
        public var openItems: Int
        /// Rows (without header) in `payments.csv`.
        public var payments: Int
        /// Total size of the three files.
        public var bytes: Int64
        public var openItemsPath: String
        public var customersPath: String
        public var paymentsPath: String
        /// What this variant changed compared with the previous one (empty for variant 0).
        public var changes: Changes
    }

    /// Writes the three files into `directory` (created if missing), each under a temporary
    /// name that is renamed when all three are complete.
    ///
    /// Memory stays bounded (about 20 bytes of state per customer plus three 1 MiB buffers)
    /// whatever the number of items.
    /// - Returns: row counts, sizes, paths and the variant's changes.
    /// - Throws: ``SampleExtractError/Code/invalidOptions`` for negative counts, an empty or
    ///   unknown currency list or a variant out of range; ``SampleExtractError/Code/writeFailed``
    ///   when a file cannot be created, written, synced or renamed. No final file is ever
    ///   half written and temporary files are removed; the three renames happen after all
    ///   files are complete, so only a failing rename can leave the earlier files renamed.
    public static func write(to directory: String, options: Options) throws -> Summary {
        let exponents = try validate(options)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SampleExtractError(.writeFailed, "cannot create folder \(directory): \(error.localizedDescription)")
        }
        let folder = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let customersOut = try SampleFileWriter(path: "\(folder)/\(customersFileName)")
        let itemsOut = try SampleFileWriter(path: "\(folder)/\(openItemsFileName)")
        let paymentsOut = try SampleFileWriter(path: "\(folder)/\(paymentsFileName)")

        var generator = SampleGenerator(options: options, exponents: exponents)
        let customerRows = try generator.writeCustomers(to: customersOut)
        let (itemRows, paymentRows) = try generator.writeItems(to: itemsOut, payments: paymentsOut)
        for out in [customersOut, itemsOut, paymentsOut] { try out.finish() }
        for out in [customersOut, itemsOut, paymentsOut] { try out.commit() }

        return Summary(
            customers: customerRows, openItems: itemRows, payments: paymentRows,
            bytes: customersOut.byteCount + itemsOut.byteCount + paymentsOut.byteCount,
            openItemsPath: itemsOut.path, customersPath: customersOut.path, paymentsPath: paymentsOut.path,
            changes: generator.changes()
        )
    }

    /// Checks the options and returns each currency's exponent.
    private static func validate(_ options: Options) throws -> [Int] {
        guard options.customers >= 1, options.customers <= 100_000_000 else {
            throw SampleExtractError(.invalidOptions, "customers must be between 1 and 100000000, not \(options.customers)")
        }
        guard options.openItems >= 0, options.openItems <= 1_000_000_000 else {
            throw SampleExtractError(.invalidOptions, "openItems must be between 0 and 1000000000, not \(options.openItems)")
        }
        guard (0...maximumVariant).contains(options.variant) else {
            throw SampleExtractError(.invalidOptions, "variant must be between 0 and \(maximumVariant), not \(options.variant)")
        }
        if let baseDate = options.baseDate, baseDate > options.asOf {
            throw SampleExtractError(.invalidOptions, "baseDate \(baseDate) is after asOf \(options.asOf) (expected the invoices' base date on or before the extraction date)")
        }
        guard options.currencies.count <= 100 else {
            throw SampleExtractError(.invalidOptions, "currencies lists \(options.currencies.count) codes (at most 100)")
        }
        guard !options.currencies.isEmpty else {
            throw SampleExtractError(.invalidOptions, "currencies is empty (expected ISO 4217 codes such as EUR, USD)")
        }
        var exponents: [Int] = []
        for code in options.currencies {
            guard code.count == 3, code == code.uppercased(), let exponent = Currency.exponents[code] else {
                throw SampleExtractError(.invalidOptions, "currency \"\(code.prefix(16))\" is not an upper-case ISO 4217 code (expected e.g. EUR, USD)")
            }
            exponents.append(exponent)
        }
        return exponents
    }
}
