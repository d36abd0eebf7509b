public import GRDB
public import ARLinkCore

/// Reads and writes the placement ledger inside a caller's transaction.
///
/// All functions take the `Database` of a ``StateStore/write(_:)`` or ``StateStore/read(_:)``
/// block, so ledger changes and the audit entries describing them commit together.
public enum PlacementLedger {
    /// Accounts active with `partner`, by account reference.
    public static func activePlacements(_ tx: StoreTransaction, partner: String) throws -> [String: PlacedAccount] {
        let db = tx.db
        var out: [String: PlacedAccount] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT account_ref, fingerprint FROM placement WHERE partner = ? AND status = 'active'", arguments: [partner])
        while let row = try rows.next() {
            let ref: String = row[0]
            out[ref] = PlacedAccount(accountRef: ref, fingerprint: row[1])
        }
        return out
    }

    /// The balances and invoice numbers last placed for those of `refs` that are active with `partner`.
    public static func placedPositions(_ tx: StoreTransaction, partner: String, refs: some Sequence<String>)
        throws -> [String: (balances: [Money], invoices: [String])] {
        let db = tx.db
        var out: [String: (balances: [Money], invoices: [String])] = [:]
        let statement = try db.cachedStatement(sql: "SELECT balances, invoices FROM placement WHERE partner = ? AND account_ref = ? AND status = 'active'")
        for ref in refs {
            guard let row = try Row.fetchOne(statement, arguments: [partner, ref]) else { continue }
            let invoices: String? = row[1]
            out[ref] = (decodeBalances(row[0]), invoices.map { PlacedInvoices.decode($0).map(\.invoiceNumber) } ?? [])
        }
        return out
    }

    /// Reads what ``encodeBalances(_:)`` wrote (`{"EUR":"12.50"}`); unreadable pairs are left out.
    static func decodeBalances(_ text: String) -> [Money] {
        let inner = text.dropFirst().dropLast()
        return inner.split(separator: ",").compactMap { pair -> Money? in
            let parts = pair.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let currency = try? Currency(String(parts[0].filter { $0 != "\"" })) else { return nil }
            return try? Money(decimal: String(parts[1].filter { $0 != "\"" }), currency: currency)
        }
    }

    /// Account references active with any partner other than `partner`.
    public static func activeElsewhere(_ tx: StoreTransaction, partner: String) throws -> Set<String> {
        let db = tx.db
        return Set(try String.fetchAll(db, sql: "SELECT account_ref FROM placement WHERE partner <> ? AND status = 'active'", arguments: [partner]))
    }

    /// The batch of `partner` for `asOf`, if one was built.
    public static func batch(_ tx: StoreTransaction, partner: String, asOf: String) throws -> OutboundBatch? {
        let db = tx.db
        return try Row.fetchOne(db, sql: "SELECT * FROM outbound_batch WHERE partner = ? AND as_of = ?", arguments: [partner, asOf]).map(decode)
    }

    /// A batch by id.
    public static func batch(_ tx: StoreTransaction, id: String) throws -> OutboundBatch? {
        let db = tx.db
        return try Row.fetchOne(db, sql: "SELECT * FROM outbound_batch WHERE batch_id = ?", arguments: [id]).map(decode)
    }

    /// Batches of `partner` not yet delivered, oldest first.
    public static func pendingBatches(_ tx: StoreTransaction, partner: String) throws -> [OutboundBatch] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT * FROM outbound_batch WHERE partner = ? AND state IN ('built', 'sealed') ORDER BY sequence", arguments: [partner]).map(decode)
    }

    /// All batches, newest first (for reports and the demo).
    public static func batches(_ tx: StoreTransaction, partner: String? = nil) throws -> [OutboundBatch] {
        let db = tx.db
        if let partner {
            return try Row.fetchAll(db, sql: "SELECT * FROM outbound_batch WHERE partner = ? ORDER BY sequence DESC", arguments: [partner]).map(decode)
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM outbound_batch ORDER BY created_at DESC, sequence DESC").map(decode)
    }

    /// The newest batch of `partner` (for the next sequence number and the previous-file hash).
    public static func lastBatch(_ tx: StoreTransaction, partner: String) throws -> OutboundBatch? {
        let db = tx.db
        return try Row.fetchOne(db, sql: "SELECT * FROM outbound_batch WHERE partner = ? ORDER BY sequence DESC LIMIT 1", arguments: [partner]).map(decode)
    }

    /// The batch of `partner` with the latest as-of date, whatever its state.
    public static func latestBatchByDate(_ tx: StoreTransaction, partner: String) throws -> OutboundBatch? {
        let db = tx.db
        return try Row.fetchOne(db, sql: "SELECT * FROM outbound_batch WHERE partner = ? ORDER BY as_of DESC, sequence DESC LIMIT 1", arguments: [partner]).map(decode)
    }

    /// Records a built batch and applies its ledger changes, in the caller's transaction.
    /// - Parameter invoices: the invoices of a placed or updated account (replacing what was
    ///   stored), asked for one account at a time so the caller need not hold them all.
    public static func recordBuilt(
        _ tx: StoreTransaction, batch: OutboundBatch, changes: [LedgerChange], invoices: (String) throws -> [PortfolioInvoice]?
    ) throws {
        let db = tx.db
        try db.execute(sql: """
            INSERT INTO outbound_batch (batch_id, partner, as_of, sequence, file_id, file_name, state, created_at,
                plaintext_path, plaintext_sha256, plaintext_bytes, record_counts, totals, invoice_count)
            VALUES (?, ?, ?, ?, ?, ?, 'built', ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [batch.batchID, batch.partner, batch.asOf, batch.sequence, batch.fileID, batch.fileName,
                             batch.createdAt, batch.plaintextPath, batch.plaintextSHA256, batch.plaintextBytes,
                             batch.recordCountsJSON, batch.totalsJSON, batch.invoiceCount])
        // Many rows to a statement (BulkInsert); the placements go in before their events.
        let upsert = try BulkInsert(db, head: """
            INSERT INTO placement (partner, account_ref, status, fingerprint, balances, placed_batch, last_batch, recall_reason, updated_at, invoices)
            """, columns: 10, tail: """
            ON CONFLICT (partner, account_ref) DO UPDATE SET status = excluded.status, fingerprint = excluded.fingerprint,
                balances = excluded.balances, last_batch = excluded.last_batch, recall_reason = excluded.recall_reason,
                updated_at = excluded.updated_at, invoices = excluded.invoices,
                placed_batch = CASE WHEN placement.status = 'recalled' THEN excluded.placed_batch ELSE placement.placed_batch END
            """)
        let event = try BulkInsert(db, head: """
            INSERT INTO placement_event (batch_id, partner, account_ref, action, fingerprint, balances, recall_reason)
            """, columns: 7)
        // In key order: both tables are keyed by account, so their B-trees fill from left to
        // right instead of splitting pages all over.
        let order = changes.indices.sorted { changes[$0].accountRef < changes[$1].accountRef }
        let partner = BulkValue.text(batch.partner)
        let batchID = BulkValue.text(batch.batchID)
        for index in order {
            let change = changes[index]
            let balances = BulkValue.text(encodeBalances(change.balances))
            let recall = BulkValue.optional(change.recallReason?.rawValue)
            let ref = BulkValue.text(change.accountRef)
            // A recall keeps no invoices; a placement or an update replaces them.
            let placed = change.action == .recall ? nil : try invoices(change.accountRef)
            let invoiceText = BulkValue.optional(placed.map { list in
                PlacedInvoices.encode(list.sorted { $0.number < $1.number }.lazy.map { ($0.number, $0.openAmount, $0.dueDate) })
            })
            try upsert.add(partner, ref, .text(change.action == .recall ? "recalled" : "active"), .text(change.fingerprint), balances,
                           batchID, batchID, recall, .text(batch.createdAt), invoiceText)
            try event.add(batchID, partner, ref, .text(change.action.rawValue), .text(change.fingerprint), balances, recall)
        }
        try upsert.finish()
        try event.finish()
    }

    /// Sets the invoices placed for an account (tests and benchmarks that seed a ledger).
    public static func setInvoices(_ tx: StoreTransaction, partner: String, accountRef: String, _ invoices: [InvoicePosition]) throws {
        let db = tx.db
        try db.execute(sql: "UPDATE placement SET invoices = ? WHERE partner = ? AND account_ref = ?",
                       arguments: [PlacedInvoices.encode(invoices.map { ($0.invoiceNumber, $0.placed, $0.dueDate) }), partner, accountRef])
    }

    /// Sets a built batch's plaintext digest, size, counts and totals (recorded with
    /// placeholders by ``recordBuilt(_:batch:changes:invoices:)`` while the file was still
    /// being written), in the same transaction.
    public static func completeBuilt(_ tx: StoreTransaction, batch: OutboundBatch) throws {
        let db = tx.db
        try db.execute(sql: """
            UPDATE outbound_batch SET plaintext_sha256 = ?, plaintext_bytes = ?, record_counts = ?, totals = ?
            WHERE batch_id = ? AND state = 'built'
            """, arguments: [batch.plaintextSHA256, batch.plaintextBytes, batch.recordCountsJSON, batch.totalsJSON, batch.batchID])
        guard db.changesCount == 1 else { throw StoreError(.notFound, "batch \(batch.batchID) is not a built batch in the ledger") }
    }

    public static func advance(_ tx: StoreTransaction, batchID: String, to state: BatchState, sealedPath: String? = nil,
                               sealedSHA256: String? = nil, sealedBytes: Int64? = nil, at time: String) throws {
        let db = tx.db
        guard let current = try batch(tx, id: batchID) else {
            throw StoreError(.notFound, "batch \(batchID) is not in the ledger")
        }
        guard current.state < state else {
            throw StoreError(.conflict, "batch \(batchID) is already \(current.state.rawValue); cannot move it to \(state.rawValue)")
        }
        try db.execute(sql: """
            UPDATE outbound_batch SET state = ?, sealed_path = COALESCE(?, sealed_path), sealed_sha256 = COALESCE(?, sealed_sha256),
                sealed_bytes = COALESCE(?, sealed_bytes), delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END
            WHERE batch_id = ?
            """, arguments: [state.rawValue, sealedPath, sealedSHA256, sealedBytes, state.rawValue, time, batchID])
    }

    /// Number of accounts per status for `partner` (for reports and tests).
    public static func placementCounts(_ tx: StoreTransaction, partner: String) throws -> [String: Int] {
        let db = tx.db
        var out: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM placement WHERE partner = ? GROUP BY status", arguments: [partner]) {
            out[row[0]] = row[1]
        }
        return out
    }

    static func encodeBalances(_ balances: [Money]) -> String {
        "{" + balances.map { "\"\($0.currency.code)\":\"\($0.decimalString)\"" }.joined(separator: ",") + "}"
    }

    static func decode(_ row: Row) -> OutboundBatch {
        OutboundBatch(
            batchID: row["batch_id"], partner: row["partner"], asOf: row["as_of"], sequence: row["sequence"],
            fileID: row["file_id"], fileName: row["file_name"],
            state: BatchState(rawValue: row["state"]) ?? .built, createdAt: row["created_at"],
            plaintextPath: row["plaintext_path"], plaintextSHA256: row["plaintext_sha256"], plaintextBytes: row["plaintext_bytes"],
            sealedPath: row["sealed_path"], sealedSHA256: row["sealed_sha256"], sealedBytes: row["sealed_bytes"],
            recordCountsJSON: row["record_counts"], totalsJSON: row["totals"], invoiceCount: row["invoice_count"],
            deliveredAt: row["delivered_at"]
        )
    }
}
