/// The privileges of the role arlink runs as, granted once by an administrator
/// (docs/postgresql.md, "Setting up").
///
/// The administrator's role owns the schema and runs the migrations; arlink's role reads and
/// writes the state but cannot change the schema, and on the audit tables it may only read and
/// append: no UPDATE, DELETE or TRUNCATE. With the triggers of the audit migrations (which
/// refuse changes from every role, the owner's too) the server, not arlink, keeps the audit
/// log append-only.
public enum PostgresRoles {
    /// The append-only tables: the audit log's.
    public static let appendOnlyTables = [
        "audit_entry", "audit_checkpoint", "audit_frontier", "audit_checkpoint_export", "audit_witness", "audit_pruned",
    ]

    /// The statements an administrator runs once, after ``PostgresMigrator/migrate(_:)``, so
    /// that `role` (which must exist: `CREATE ROLE arlink LOGIN PASSWORD '…'`) can run arlink.
    /// Running them again (after a later migration added tables) is safe.
    /// - Parameter role: a role name of letters, digits and `_` (checked: it is written into SQL).
    public static func grantStatements(to role: String) throws -> [String] {
        guard !role.isEmpty, role.count <= 63, role.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
              !(role.first?.isNumber ?? true) else {
            throw PostgresStoreError(.query, "\"\(role.prefix(63))\" is not a role name arlink grants to (letters, digits and _, not starting with a digit)")
        }
        let others = appendOnlyTables.joined(separator: ", ")
        return [
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            "GRANT USAGE ON SCHEMA public TO \(role)",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role)",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \(role)",
            "REVOKE UPDATE, DELETE, TRUNCATE ON \(others) FROM \(role)",
            "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON arlink_migration FROM \(role)",
        ]
    }

    /// Runs ``grantStatements(to:)`` in one transaction, on an administrator's connection.
    public static func grant(to role: String, on connection: BlockingPostgresConnection) throws {
        let statements = try grantStatements(to: role)
        try connection.transaction {
            for statement in statements { try connection.execute(statement, what: "granting arlink's privileges to \(role)") }
        }
    }
}
