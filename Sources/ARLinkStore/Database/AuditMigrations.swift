import GRDB

extension StoreMigrations {
    /// Audit log tables (owned by the audit capability): entries and checkpoints, with
    /// triggers that forbid UPDATE and DELETE.
    ///
    /// `audit_entry.entry` holds the canonical bytes of each entry (the Merkle leaf input);
    /// `leaf_hash`, `recorded_at`, `action` and `file_id` are lookup copies derived from it,
    /// which `arlink audit verify` re-derives and compares. `audit_checkpoint.note` is the
    /// signed checkpoint in C2SP signed-note text. `audit_frontier` caches the right edge of the
    /// Merkle tree after each append (a speed-up only: verification never trusts it).
    static let auditV1 = StoreMigration("audit-v1", [
        .sql("""
                CREATE TABLE audit_entry (
                    leaf_index {rowid},
                    entry TEXT NOT NULL,
                    leaf_hash {blob} NOT NULL,
                    recorded_at TEXT NOT NULL,
                    action TEXT NOT NULL,
                    file_id TEXT
                );
                CREATE INDEX audit_entry_by_file ON audit_entry(file_id) WHERE file_id IS NOT NULL;
                CREATE INDEX audit_entry_by_time ON audit_entry(recorded_at);
                CREATE TABLE audit_checkpoint (
                    id {autoincrement},
                    tree_size {int} NOT NULL,
                    root_hash {blob} NOT NULL,
                    note TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE audit_frontier (
                    tree_size {rowid},
                    hashes {blob} NOT NULL
                );
                """),
        .dialects(
            sqlite: """
                CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
                BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE is forbidden'); END;
                CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
                BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: DELETE is forbidden'); END;
                CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
                BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only: UPDATE is forbidden'); END;
                CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
                BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only: DELETE is forbidden'); END;
                CREATE TRIGGER audit_frontier_no_update BEFORE UPDATE ON audit_frontier
                BEGIN SELECT RAISE(ABORT, 'audit_frontier is append-only: UPDATE is forbidden'); END;
                CREATE TRIGGER audit_frontier_no_delete BEFORE DELETE ON audit_frontier
                BEGIN SELECT RAISE(ABORT, 'audit_frontier is append-only: DELETE is forbidden'); END;
                """,
            postgresql: [
                """
                CREATE FUNCTION arlink_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only: % is forbidden', TG_TABLE_NAME, TG_OP;
                END
                $$
                """,
            ] + appendOnlyTriggers(["audit_entry", "audit_checkpoint", "audit_frontier"])),
    ])

    /// PostgreSQL's triggers refusing UPDATE, DELETE and TRUNCATE (which skips row triggers)
    /// on `tables`, through `arlink_append_only()`; named as SQLite's (`<table>_no_update`, …).
    static func appendOnlyTriggers(_ tables: [String]) -> [String] {
        tables.flatMap { table in
            [
                "CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table) FOR EACH ROW EXECUTE FUNCTION arlink_append_only()",
                "CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION arlink_append_only()",
                "CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table) FOR EACH STATEMENT EXECUTE FUNCTION arlink_append_only()",
            ]
        }
    }

    /// Which stored checkpoints have been appended (and fsynced) to the checkpoint file (a
    /// checkpoint once written there must stay there: the anchor check refuses to run when the
    /// file lost one), the checkpoints partners echoed back in their signed feedback headers
    /// (`audit_witness`: the partner as witness of our log), and retention: `audit_pruned`
    /// lists the entries whose content was removed past retention; the only UPDATE the
    /// entry table then allows is that removal, keeping index, leaf hash and the entry's
    /// `{"v":1,"seq":N,"prev":"…"` head.
    static let auditV2 = StoreMigration("audit-v2", [
        .sql("""
                CREATE TABLE audit_checkpoint_export (
                    checkpoint_id {rowid},
                    exported_at TEXT NOT NULL
                );
                CREATE TABLE audit_witness (
                    partner TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    tree_size {int} NOT NULL,
                    root_hash {blob} NOT NULL,
                    note TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (partner, file_sha256)
                );
                CREATE INDEX audit_witness_by_size ON audit_witness(tree_size);
                CREATE TABLE audit_pruned (
                    leaf_index {rowid},
                    pruned_at TEXT NOT NULL
                );
                """),
        .dialects(
            sqlite: """
                CREATE TRIGGER audit_checkpoint_export_no_update BEFORE UPDATE ON audit_checkpoint_export
                BEGIN SELECT RAISE(ABORT, 'audit_checkpoint_export is append-only: UPDATE is forbidden'); END;
                CREATE TRIGGER audit_checkpoint_export_no_delete BEFORE DELETE ON audit_checkpoint_export
                BEGIN SELECT RAISE(ABORT, 'audit_checkpoint_export is append-only: DELETE is forbidden'); END;
                CREATE TRIGGER audit_pruned_no_update BEFORE UPDATE ON audit_pruned
                BEGIN SELECT RAISE(ABORT, 'audit_pruned is append-only: UPDATE is forbidden'); END;
                CREATE TRIGGER audit_pruned_no_delete BEFORE DELETE ON audit_pruned
                BEGIN SELECT RAISE(ABORT, 'audit_pruned is append-only: DELETE is forbidden'); END;
                DROP TRIGGER audit_entry_no_update;
                CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
                WHEN NOT (NEW.leaf_index = OLD.leaf_index AND NEW.leaf_hash = OLD.leaf_hash AND NEW.recorded_at = OLD.recorded_at
                          AND NEW.action = OLD.action AND NEW.file_id IS NULL
                          AND EXISTS (SELECT 1 FROM audit_pruned p WHERE p.leaf_index = OLD.leaf_index)
                          AND NEW.entry = substr(OLD.entry, 1, 87 + length(OLD.leaf_index)) || ',"pruned":true}')
                BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE is forbidden (but pruning past retention)'); END;
                CREATE TRIGGER audit_witness_no_update BEFORE UPDATE ON audit_witness
                BEGIN SELECT RAISE(ABORT, 'audit_witness is append-only: UPDATE is forbidden'); END;
                CREATE TRIGGER audit_witness_no_delete BEFORE DELETE ON audit_witness
                BEGIN SELECT RAISE(ABORT, 'audit_witness is append-only: DELETE is forbidden'); END;
                """,
            postgresql: appendOnlyTriggers(["audit_checkpoint_export", "audit_pruned", "audit_witness"]) + [
                """
                CREATE FUNCTION arlink_audit_entry_update() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.leaf_index = OLD.leaf_index AND NEW.leaf_hash = OLD.leaf_hash AND NEW.recorded_at = OLD.recorded_at
                       AND NEW.action = OLD.action AND NEW.file_id IS NULL
                       AND EXISTS (SELECT 1 FROM audit_pruned p WHERE p.leaf_index = OLD.leaf_index)
                       AND NEW.entry = substr(OLD.entry, 1, 87 + length(OLD.leaf_index::text)) || ',"pruned":true}' THEN
                        RETURN NEW;
                    END IF;
                    RAISE EXCEPTION 'audit_entry is append-only: UPDATE is forbidden (but pruning past retention)';
                END
                $$
                """,
                "DROP TRIGGER audit_entry_no_update ON audit_entry",
                """
                CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry FOR EACH ROW
                EXECUTE FUNCTION arlink_audit_entry_update()
                """,
            ]),
    ])
}
