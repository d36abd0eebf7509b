import ARLinkCore
import ARLinkFormats
import ARLinkStore
import GRDB

/// What one pass over a file has gathered so far; written to the ledger at its end.
struct PassState {
    let partner: String
    let fileID: String
    let reconciler: Reconciler
    /// `{partner}-{sha256 prefix}-`: update ids continue with `{line}-{n}`.
    let updatePrefix: String
    var positions: PositionCache
    /// The key of every event read, in file order until sorted at the end.
    var keys: [EventKey] = []
    /// Payments accepted in this pass, and where each is by the key of its id (for reversals).
    var payments: [PendingPayment] = []
    /// Built on the first reversal (most files have none, and it is 10 MB per 250,000 payments).
    var paymentIndex: [EventKey: Int32] = [:]
    var paymentIndexBuilt = false
    /// Payments of this file reversed in it: payment id → reversal id.
    var reversedInFile: [String: String] = [:]
    /// Payments of earlier files reversed in this one: payment id → reversal id.
    var earlierReversed: [String: String] = [:]
    /// The newest promise per account and invoice (`account NUL invoice`).
    var promises: [String: InboundLedger.NewPromise] = [:]
    var rejections: [(line: Int, eventID: String, reason: RejectionReason)] = []
    /// Accepted and rejected events, indexed by `FeedbackEventType.slot`.
    var typeCounts = [(accepted: Int, rejected: Int)](repeating: (0, 0), count: FeedbackEventType.allCases.count)
    var result = InboundJob.PassResult()

    init(partner: String, sha: String, fileID: String, reconciler: Reconciler, limits: PositionCache.Limits) {
        positions = PositionCache(limits: limits)
        self.partner = partner
        self.fileID = fileID
        self.reconciler = reconciler
        updatePrefix = "\(partner)-\(sha.prefix(16))-"
    }

    mutating func buildPaymentIndex() {
        guard !paymentIndexBuilt else { return }
        paymentIndexBuilt = true
        for (index, payment) in payments.enumerated() { paymentIndex[EventKey(payment.eventID)] = Int32(index) }
    }

    /// A payment accepted earlier in this pass, as the ledger will hold it (after ``buildPaymentIndex()``).
    func payment(_ eventID: String) -> InboundLedger.Payment? {
        guard let index = paymentIndex[EventKey(eventID)], payments[Int(index)].eventID == eventID else { return nil }
        let p = payments[Int(index)]
        var payment = InboundLedger.Payment(eventID: p.eventID, accountRef: p.accountRef, allocations: [], reversedBy: reversedInFile[eventID])
        payment.encodedAllocations = p.allocations
        return payment
    }

    mutating func count(_ type: FeedbackEventType, accepted: Bool) {
        let index = type.slot
        if accepted { typeCounts[index].accepted += 1 } else { typeCounts[index].rejected += 1 }
    }

    /// The counts by type name, types without events left out.
    var countsByType: [String: (accepted: Int, rejected: Int)] {
        var out: [String: (accepted: Int, rejected: Int)] = [:]
        for type in FeedbackEventType.allCases where typeCounts[type.slot] != (0, 0) { out[type.rawValue] = typeCounts[type.slot] }
        return out
    }

    mutating func reject(_ event: FeedbackEvent, line: Int, reason: RejectionReason) {
        rejections.append((line, event.eventID, reason))
        result.rejected[reason, default: 0] += 1
        count(event.type, accepted: false)
    }
}

/// A payment accepted in a pass, until the pass writes it (allocations in stored text form).
struct PendingPayment {
    var eventID: String
    var accountRef: String
    var allocations: String
}

/// The accounts read during one file's pass, kept in step with the allocations it applies,
/// so each account is read from the ledger once per file (all at once when the partner has
/// at most 100,000 placed accounts: about 22 MB with two invoices each). Paid amounts changed
/// in the pass are written back by ``flush(_:partner:)``; when 100,000 accounts were read one
/// by one, the cache writes back and starts over (memory stays bounded whatever the ledger).
struct PositionCache {
    /// When to read every account at once, and how many to keep when reading one by one.
    struct Limits: Sendable {
        var preload = 100_000
        var cached = 100_000
    }

    let limits: Limits
    private var positions: [String: AccountPosition?] = [:]
    private var touched: Set<String> = []
    private var complete = false

    init(limits: Limits) { self.limits = limits }

    /// Reads every placed account at once when there are few enough.
    mutating func preload(_ db: Database, partner: String) {
        guard let all = try? InboundLedger.positions(db, partner: partner, limit: limits.preload) else { return }
        positions = all.mapValues { .some($0) }
        complete = true
    }

    mutating func position(_ accountRef: String, partner: String, db: Database) throws -> AccountPosition? {
        if let cached = positions[accountRef] { return cached }
        if complete { return nil }
        let position = try InboundLedger.position(db, partner: partner, accountRef: accountRef)
        if positions.count >= limits.cached {
            try flush(db, partner: partner)
            positions.removeAll(keepingCapacity: true)
        }
        positions[accountRef] = .some(position)
        return position
    }

    /// Adds allocations (negative for reversals) to the cached paid amounts.
    mutating func apply(_ allocations: [Allocation], to accountRef: String) {
        guard !allocations.isEmpty, case .some(.some) = positions[accountRef] else { return }
        for allocation in allocations {
            // Mutated in place through the dictionary: no copy of the invoices per payment.
            if let index = positions[accountRef]??.invoices.firstIndex(where: { $0.invoiceNumber == allocation.invoiceNumber }) {
                positions[accountRef]??.invoices[index].paidMinor += allocation.amount.minorUnits
            }
        }
        touched.insert(accountRef)
    }

    /// Writes the paid amounts of every account changed since the last flush.
    mutating func flush(_ db: Database, partner: String) throws {
        for ref in touched.sorted() {
            guard case .some(.some(let position)) = positions[ref] else { continue }
            for invoice in position.invoices {
                try InboundLedger.setPaid(db, partner: partner, accountRef: ref, invoiceNumber: invoice.invoiceNumber, paidMinor: invoice.paidMinor)
            }
        }
        touched.removeAll()
    }
}
