import PostgresNIO

extension BlockingPostgresConnection {
    /// The fencing check: run it inside every state-changing transaction (first, before any
    /// write). It reads the current epoch `FOR SHARE`, so a takeover (which updates that row)
    /// waits until this transaction ended, and this transaction commits only if no other
    /// instance took over since `epoch` was granted.
    /// - Throws: ``PostgresStoreError`` `.fenced` (exit 75) when the epoch is no longer ours;
    ///   the caller's transaction then rolls back and nothing of it lands.
    public func fenced(epoch: Int64) throws {
        let rows = try query("SELECT epoch, holder FROM arlink_leader WHERE id = 1 FOR SHARE", what: "checking the leader epoch")
        guard let row = rows.first else {
            throw PostgresStoreError(.migration, "arlink_leader has no row: the schema is not migrated (docs/postgresql.md)")
        }
        let (current, holder) = try row.decode((Int64, String?).self)
        guard current == epoch else {
            throw PostgresStoreError(.fenced, """
                this instance led with epoch \(epoch), but \(holder ?? "another instance") took over with epoch \(current); \
                nothing of this transaction was committed
                """)
        }
    }

    /// A transaction that commits only while `epoch` is the leader's: ``fenced(epoch:)`` first,
    /// then `body`.
    @discardableResult
    public func fencedTransaction<T>(epoch: Int64, _ body: () throws -> T) throws -> T {
        try transaction {
            try fenced(epoch: epoch)
            return try body()
        }
    }
}
