/// One generated open item (invoice or credit note) before it is written.
struct SampleItem {
    /// The item's number: written as `INV-` and at least six digits.
    var number: Int
    /// Index of the customer (0 is `C000001`).
    var customer: Int
    var invoiceDay: Int32
    var dueDay: Int32
    /// Original amount in minor units (negative for a credit note).
    var amount: Int64
    /// Open amount in minor units.
    var open: Int64
    var disputed = false
    var blocked = false
    var settled = false
    /// Left out of `open_items.csv` (a paid-off customer in ``SampleExtract/PaidOffStyle/removed`` style).
    var removed = false
    /// Promise-to-pay date, if any.
    var promiseDay: Int32?
    /// Write false flags as empty fields rather than `false`.
    var emptyFalse = false

    /// Still open for collection: listed, not settled, with a non-zero open amount.
    var isOpen: Bool { !removed && !settled && open != 0 }
}
