import ARLinkStore
import PostgresNIO

/// Applies the state store's migrations (``ARLinkStore/StoreMigrations/all``, the same
/// definitions and ids as SQLite's) and the PostgreSQL backend's own (``ownMigrations``:
/// leadership) to a PostgreSQL database.
///
/// All pending migrations apply in one transaction (PostgreSQL's DDL is transactional: a
/// failure leaves the schema as it was), recorded in `arlink_migration`. A transaction-level
/// advisory lock serialises instances that start at the same moment. Run it as the role that
/// owns the schema (the administrator role of docs/postgresql.md), not as the role arlink
/// runs as: that one may not alter tables.
public enum PostgresMigrator {
    /// Migrations only the PostgreSQL backend has, applied after the store's.
    public static let ownMigrations: [(id: String, statements: [String])] = [
        ("postgres-leader-v1", [
            """
            CREATE TABLE arlink_leader (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                epoch BIGINT NOT NULL,
                holder TEXT,
                holder_pid INTEGER,
                since TIMESTAMPTZ
            )
            """,
            "INSERT INTO arlink_leader (id, epoch) VALUES (1, 0)",
        ]),
    ]

    /// The advisory lock key that serialises migrators (distinct from the leader's).
    static let lockKey: Int64 = 0x61_72_6C_6D_69_67  // "arlmig"

    /// Applies what is pending.
    /// - Returns: the ids applied now, in order (empty when the schema was current).
    /// - Throws: ``PostgresStoreError`` `.migration` naming the migration and the server's
    ///   message; nothing of this call's migrations stays applied.
    @discardableResult
    public static func migrate(_ connection: BlockingPostgresConnection) throws -> [String] {
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", what: "waiting for other migrators")
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS arlink_migration (
                    id TEXT PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, what: "creating arlink_migration")
            var applied = Set<String>()
            for row in try connection.query("SELECT id FROM arlink_migration", what: "reading arlink_migration") {
                applied.insert(try row.decode(String.self))
            }
            let all = StoreMigrations.all.map { migration in (migration.id, migration.steps.flatMap(\.postgresqlStatements)) }
                + ownMigrations.map { ($0.id, $0.statements) }
            var done: [String] = []
            for (id, statements) in all where !applied.contains(id) {
                for (index, statement) in statements.enumerated() {
                    do {
                        try connection.execute(statement, what: "migration \(id), statement \(index + 1)")
                    } catch let error as PostgresStoreError {
                        throw PostgresStoreError(.migration, "\(error.message); no migration of this run was applied", sqlState: error.sqlState)
                    }
                }
                try connection.query("INSERT INTO arlink_migration (id) VALUES (\(id))", what: "recording migration \(id)")
                done.append(id)
            }
            return done
        }
    }

    /// The ids recorded in `arlink_migration`, in the order applied.
    public static func appliedMigrations(_ connection: BlockingPostgresConnection) throws -> [String] {
        try connection.query("SELECT id FROM arlink_migration ORDER BY applied_at, id").map { try $0.decode(String.self) }
    }
}
