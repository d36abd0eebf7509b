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
    static func registerAuditMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("audit-v1") { db in
            try db.execute(sql: """
                CREATE TABLE audit_entry (
                    leaf_index INTEGER PRIMARY KEY,
                    entry TEXT NOT NULL,
                    leaf_hash BLOB NOT NULL,
                    recorded_at TEXT NOT NULL,
                    action TEXT NOT NULL,
                    file_id TEXT
                );
                CREATE INDEX audit_entry_by_file ON audit_entry(file_id) WHERE file_id IS NOT NULL;
                CREATE INDEX audit_entry_by_time ON audit_entry(recorded_at);
                CREATE TABLE audit_checkpoint (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tree_size INTEGER NOT NULL,
                    root_hash BLOB NOT NULL,
                    note TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE audit_frontier (
                    tree_size INTEGER PRIMARY KEY,
                    hashes BLOB NOT NULL
                );
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
                """)
        }
    }

    /// Which stored checkpoints have been appended (and fsynced) to the checkpoint file (a
    /// checkpoint once written there must stay there: the anchor check refuses to run when the
    /// file lost one), the checkpoints partners echoed back in their signed feedback headers
    /// (`audit_witness`: the partner as witness of our log), and retention: `audit_pruned`
    /// lists the entries whose content was removed past retention; the only UPDATE the
    /// entry table then allows is that removal, keeping index, leaf hash and the entry's
    /// `{"v":1,"seq":N,"prev":"…"` head.
    static func registerAuditV2(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("audit-v2") { db in
            try db.execute(sql: """
                CREATE TABLE audit_checkpoint_export (
                    checkpoint_id INTEGER PRIMARY KEY,
                    exported_at TEXT NOT NULL
                );
                CREATE TRIGGER audit_checkpoint_export_no_update BEFORE UPDATE ON audit_checkpoint_export
                BEGIN SELECT RAISE(ABORT, 'audit_checkpoint_export is append-only: UPDATE is forbidden'); END;
                CREATE TRIGGER audit_checkpoint_export_no_delete BEFORE DELETE ON audit_checkpoint_export
                BEGIN SELECT RAISE(ABORT, 'audit_checkpoint_export is append-only: DELETE is forbidden'); END;
                CREATE TABLE audit_witness (
                    partner TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    tree_size INTEGER NOT NULL,
                    root_hash BLOB NOT NULL,
                    note TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (partner, file_sha256)
                );
                CREATE INDEX audit_witness_by_size ON audit_witness(tree_size);
                CREATE TABLE audit_pruned (
                    leaf_index INTEGER PRIMARY KEY,
                    pruned_at TEXT NOT NULL
                );
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
                """)
        }
    }
}
