import ARLinkCore
import ARLinkFormats
import ARLinkStore

#if canImport(Glibc)
import Glibc
#endif

/// What one pass over a file has gathered so far; written to the ledger at its end.
struct PassState {
    let partner: String
    let fileID: String
    let reconciler: Reconciler
    /// Partner, file and update id prefix (`{partner}-{sha256 prefix}-`), shared by the pass's updates.
    let constants: PassConstants
    /// `constants.shared`, what each update points to.
    let shared: UnsafePointer<PassShared>
    var positions: PositionCache
    /// Payments accepted in this pass, and where each is by the key of its id (for reversals).
    var payments: [PendingPayment] = []
    /// Built on the first reversal (most files have none).
    var paymentIndex: [EventKey: Int32] = [:]
    var paymentIndexBuilt = false
    /// Payments of this file reversed in it: payment id → reversal id.
    var reversedInFile: [String: String] = [:]
    /// Payments of earlier files reversed in this one: payment id → reversal id.
    var earlierReversed: [String: String] = [:]
    /// The day the file was created (payments dated later are rejected) and the partner's margin
    /// before a placement; the as-of dates of the partner's batches, read on the first payment.
    var fileCreatedOn: LocalDate?
    var paymentDateMarginDays = 30
    var placementRange: ClosedRange<LocalDate>??
    /// Payment excess over the open balance by `account TAB currency` (earlier files' unreversed
    /// payments, then this pass's), read on the first promise: a promise's baseline is all that
    /// was paid, as its judgement is (``InboundLedger/accountPaid(_:partner:accountRef:currency:)``).
    var excess: [String: Int64]?
    /// The newest promise per account and invoice (see ``setPromise(_:slot:)``).
    var promises: [PromiseKey: InboundLedger.NewPromise] = [:]
    /// The newest promise for a whole account, by the account's slot, when accounts were read at
    /// once (an array lookup instead of a hashed one per promise).
    var accountPromises: [InboundLedger.NewPromise?] = []
    var rejections: [(line: Int, eventID: String, reason: RejectionReason)] = []
    /// Accepted and rejected events, indexed by `FeedbackEventType.slot`.
    var typeCounts = [(accepted: Int, rejected: Int)](repeating: (0, 0), count: FeedbackEventType.allCases.count)
    var result = InboundJob.PassResult()

    init(partner: String, sha: String, fileID: String, reconciler: Reconciler, limits: PositionCache.Limits) {
        positions = PositionCache(limits: limits)
        self.partner = partner
        self.fileID = fileID
        self.reconciler = reconciler
        constants = PassConstants(partner: partner, fileID: fileID, updatePrefix: "\(partner)-\(sha.prefix(16))-")
        shared = UnsafePointer(constants.shared)
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

    /// Keeps `promise` as the newest for its account and invoice (or whole account), superseding
    /// the one before it in this pass.
    mutating func setPromise(_ promise: InboundLedger.NewPromise, slot: Int32) {
        let invoice = promise.invoiceNumber ?? ""
        if invoice.isEmpty, slot >= 0, positions.slots != nil {
            if accountPromises.isEmpty { accountPromises = Array(repeating: nil, count: positions.count) }
            accountPromises[Int(slot)] = promise
        } else {
            promises[PromiseKey(accountRef: promise.accountRef, invoiceNumber: invoice, slot: slot)] = promise
        }
    }

    /// Every promise kept by ``setPromise(_:slot:)``, and none left in the state.
    mutating func takePromises() -> [InboundLedger.NewPromise] {
        var all = Array(promises.values)
        promises = [:]
        for promise in accountPromises { if let promise { all.append(promise) } }
        accountPromises = []
        return all
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

/// What a promise is for: an account, and one of its invoices or all of them (empty), as the
/// ledger's one-open-promise index tells them apart.
struct PromiseKey: Hashable {
    var accountRef: String
    var invoiceNumber: String
    /// The account's slot when accounts were read at once (-1 otherwise): hashed instead of the
    /// two strings, 250,000 times for a million-event file.
    var slot: Int32 = -1

    static func == (a: PromiseKey, b: PromiseKey) -> Bool { a.accountRef == b.accountRef && a.invoiceNumber == b.invoiceNumber }

    func hash(into hasher: inout Hasher) {
        if slot >= 0 {
            hasher.combine(slot)  // equal keys have equal slots: the slot is the account's
        } else {
            hasher.combine(accountRef)
        }
        hasher.combine(invoiceNumber.utf8.count)
    }
}

/// A payment accepted in a pass, until the pass writes it (allocations in stored text form).
struct PendingPayment {
    var eventID: String
    var accountRef: String
    var allocations: String
    /// The part over the open balance, if any.
    var excess: Money? = nil
}

/// Every placed account of a partner, numbered, when all were read at once: the reading
/// thread looks each event's account reference up here, and the reconciling thread finds the
/// account by its number.
///
/// An open-addressing table over the references' UTF-8 bytes (FNV-1a, then MurmurHash3's
/// finaliser), at most half full: a lookup hashes a dozen bytes and compares one reference,
/// where `Dictionary<String, _>` seeded SipHash cost a fifth of the reading thread. Only our
/// own references are in the table, so a partner's file cannot make its probe chains longer.
final class AccountSlots: @unchecked Sendable {
    /// Per bucket: the upper 32 bits of the reference's hash, then its record's offset in
    /// `arena` + 1 (0 is an empty bucket). One word per bucket, so a probe touches one cache line.
    private let buckets: UnsafeMutablePointer<UInt64>
    private let mask: Int
    /// One record per reference, back to back: its slot (Int32), its length (UInt32), its bytes.
    /// A hit reads one bucket and one record: two cache misses, where four separate arrays cost
    /// four (the table is a few hundred KB, and parsing streams a hundred MB past it).
    private let arena: UnsafeMutableRawPointer

    /// - Parameter refs: distinct references; each one's slot is its position here.
    init(_ refs: [String]) {
        var capacity = 16
        while capacity < refs.count * 2 { capacity *= 2 }
        buckets = .allocate(capacity: capacity)
        buckets.initialize(repeating: 0, count: capacity)
        mask = capacity - 1
        let total = refs.reduce(0) { $0 + 8 + $1.utf8.count }
        arena = .allocate(byteCount: max(8, total), alignment: 8)
        var offset = 0
        for (n, ref) in refs.enumerated() {
            var text = ref
            let hash = text.withUTF8 { utf8 -> Int in
                arena.storeBytes(of: Int32(n), toByteOffset: offset, as: Int32.self)
                arena.storeBytes(of: UInt32(utf8.count), toByteOffset: offset + 4, as: UInt32.self)
                if let base = utf8.baseAddress, !utf8.isEmpty { (arena + offset + 8).copyMemory(from: base, byteCount: utf8.count) }
                return Self.hash(utf8)
            }
            var at = hash & mask
            while buckets[at] != 0 { at = (at + 1) & mask }
            buckets[at] = UInt64(UInt(bitPattern: hash) >> 32) << 32 | UInt64(offset + 1)
            offset += 8 + ref.utf8.count
        }
    }

    deinit {
        buckets.deallocate()
        arena.deallocate()
    }

    /// The account's number; -1 when it is not placed.
    func slot(of accountRef: String) -> Int32 {
        var text = accountRef
        return text.withUTF8 { slot(of: $0, hash: Self.hash($0)) }
    }

    /// The slots of many references at once: all hashes first, then all probes, so that the
    /// probes' cache misses overlap instead of following one another.
    func slots(of count: Int, _ reference: (Int) -> String, into store: (Int, Int32) -> Void) {
        if hashScratch.count < count { hashScratch = [Int](repeating: 0, count: count) }
        for index in 0..<count {
            var text = reference(index)
            hashScratch[index] = text.withUTF8 { Self.hash($0) }
        }
        for index in 0..<count {
            var text = reference(index)
            let hash = hashScratch[index]
            store(index, text.withUTF8 { slot(of: $0, hash: hash) })
        }
    }

    /// Used by ``slots(of:_:into:)`` (one reading thread at a time).
    private var hashScratch: [Int] = []

    private func slot(of key: UnsafeBufferPointer<UInt8>, hash: Int) -> Int32 {
        let tag = UInt64(UInt(bitPattern: hash) >> 32)
        var at = hash & mask
        while true {
            let entry = buckets[at]
            if entry == 0 { return -1 }
            if entry >> 32 == tag {
                let offset = Int(entry & 0xFFFF_FFFF) - 1
                let length = Int(arena.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                if length == key.count && (key.isEmpty || memcmp(arena + offset + 8, key.baseAddress!, length) == 0) {
                    return arena.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                }
            }
            at = (at + 1) & mask
        }
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }
}

/// Every placed account of a partner as read at once: positions in reference order, and the
/// table that numbers them.
struct PlacedAccounts: @unchecked Sendable {
    let table: [AccountPosition]
    let slots: AccountSlots
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
    /// Set when every account was read at once: then accounts are found by slot in `table`.
    private(set) var slots: AccountSlots?
    private var table: [AccountPosition] = []
    private var touchedSlots: [Bool] = []
    /// Accounts read one by one (more than `limits.preload` placed), by reference.
    private var positions: [String: AccountPosition?] = [:]
    private var touched: Set<String> = []

    init(limits: Limits) { self.limits = limits }

    /// How many accounts were read at once (0 when they are read one by one).
    var count: Int { table.count }

    /// What the partner paid so far (net of reversals) on the account's invoices in `currency`,
    /// summed over the account's invoices in place (the array shared, the account not copied).
    mutating func paid(_ accountRef: String, slot: Int32, currency: Currency, partner: String, db: StoreTransaction) throws -> Int64 {
        let invoices = slots != nil ? (slot >= 0 ? table[Int(slot)].invoices : [])
                                    : try position(accountRef, slot: slot, partner: partner, db: db)?.invoices ?? []
        return invoices.reduce(0) { $1.placed.currency == currency ? $0 + $1.paidMinor : $0 }
    }

    /// Reads every placed account at once when there are few enough.
    mutating func preload(_ db: StoreTransaction, partner: String) {
        if let all = Self.readAll(db, partner: partner, limit: limits.preload) { adopt(all) }
    }

    /// Every placed account of `partner`, numbered, when there are at most `limit`; nil otherwise.
    /// (Read on another thread while a fetched file is opened: see ``InboundJob/receive``.)
    static func readAll(_ db: StoreTransaction, partner: String, limit: Int) -> PlacedAccounts? {
        guard let all = try? InboundLedger.positions(db, partner: partner, limit: limit) else { return nil }
        let refs = all.keys.sorted()
        return PlacedAccounts(table: refs.map { all[$0]! }, slots: AccountSlots(refs))
    }

    /// Takes accounts read by ``readAll(_:partner:limit:)`` (with nothing changed in the ledger since).
    mutating func adopt(_ all: PlacedAccounts) {
        table = all.table
        touchedSlots = Array(repeating: false, count: all.table.count)
        slots = all.slots
    }

    /// The account as the pass sees it; `slot` is its number in ``slots`` (from the reading thread).
    mutating func position(_ accountRef: String, slot: Int32, partner: String, db: StoreTransaction) throws -> AccountPosition? {
        if slots != nil { return slot >= 0 ? table[Int(slot)] : nil }
        if let cached = positions[accountRef] { return cached }
        let position = try InboundLedger.position(db, partner: partner, accountRef: accountRef)
        if positions.count >= limits.cached {
            try flush(db, partner: partner)
            positions.removeAll(keepingCapacity: true)
        }
        positions[accountRef] = .some(position)
        return position
    }

    /// Adds allocations (negative for reversals) to the cached paid amounts.
    mutating func apply(_ allocations: [Allocation], to accountRef: String, slot: Int32) {
        guard !allocations.isEmpty else { return }
        if slots != nil {
            guard slot >= 0 else { return }
            let n = Int(slot)
            for allocation in allocations {
                // Mutated in place: no copy of the invoices per payment.
                if let index = table[n].invoices.firstIndex(where: { $0.invoiceNumber == allocation.invoiceNumber }) {
                    table[n].invoices[index].paidMinor += allocation.amount.minorUnits
                }
            }
            touchedSlots[n] = true
            return
        }
        guard case .some(.some) = positions[accountRef] else { return }
        for allocation in allocations {
            if let index = positions[accountRef]??.invoices.firstIndex(where: { $0.invoiceNumber == allocation.invoiceNumber }) {
                positions[accountRef]??.invoices[index].paidMinor += allocation.amount.minorUnits
            }
        }
        touched.insert(accountRef)
    }

    /// Writes the paid amounts of every account changed since the last flush.
    mutating func flush(_ db: StoreTransaction, partner: String) throws {
        // Slots are numbered in reference order, so both ways write in key order.
        for n in touchedSlots.indices where touchedSlots[n] {
            let position = table[n]
            for invoice in position.invoices {
                try InboundLedger.setPaid(db, partner: partner, accountRef: position.accountRef, invoiceNumber: invoice.invoiceNumber,
                                          paidMinor: invoice.paidMinor)
            }
            touchedSlots[n] = false
        }
        for ref in touched.sorted() {
            guard case .some(.some(let position)) = positions[ref] else { continue }
            for invoice in position.invoices {
                try InboundLedger.setPaid(db, partner: partner, accountRef: ref, invoiceNumber: invoice.invoiceNumber, paidMinor: invoice.paidMinor)
            }
        }
        touched.removeAll()
    }
}
