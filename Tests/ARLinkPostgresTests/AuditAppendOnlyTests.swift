import ARLinkCore
import ARLinkPostgres
import ARLinkTestSupport
import Foundation
import PostgresNIO
import Testing

extension PostgresSuites {
    @Suite("The audit tables are append-only, enforced by PostgreSQL", .serialized, .timeLimit(.minutes(10)))
    struct AuditAppendOnlyTests {
        @Test("arlink's role may read and append audit entries but not UPDATE, DELETE or TRUNCATE them (42501); the owner's changes meet the triggers")
        func appendOnly() throws {
            try TestCluster.withServer { server in
                let admin = try TestCluster.admin(server)
                defer { admin.close() }
                try PostgresMigrator.migrate(admin)
                let passwordFile = try TestCluster.createRole(server, "arlink_app")
                try PostgresRoles.grant(to: "arlink_app", on: admin)

                let app = try BlockingPostgresConnection(TestCluster.endpoint(server, user: "arlink_app", passwordFile: passwordFile))
                defer { app.close() }
                try app.execute("""
                    INSERT INTO audit_entry (leaf_index, entry, leaf_hash, recorded_at, action, file_id)
                    VALUES (0, '{"v":1}', '\\x00'::bytea, '2026-01-01T00:00:00Z', 'test.appended', NULL)
                    """)
                #expect(try app.query("SELECT count(*) FROM audit_entry")[0].decode(Int64.self) == 1)
                // arlink's role can take part in leadership and fencing (FOR SHARE needs its UPDATE on arlink_leader).
                try PostgresAuditEntryStore(app, epoch: 0).append([
                    AuditEntryRow(index: 1, entry: Array(#"{"v":1}"#.utf8), leafHash: [1], recordedAt: "2026-01-01T00:00:01Z", action: "test.fenced", fileID: nil),
                ])
                #expect(try app.query("UPDATE arlink_leader SET epoch = epoch + 1 RETURNING epoch")[0].decode(Int64.self) == 1)
                // Other state stays writable for arlink's role.
                try app.execute("INSERT INTO privacy_erasure (account_ref, requested_at) VALUES ('A1', '2026-01-01')")
                try app.execute("DELETE FROM privacy_erasure")

                for statement in ["UPDATE audit_entry SET action = 'changed'", "DELETE FROM audit_entry", "TRUNCATE audit_entry",
                                  "DELETE FROM audit_checkpoint", "UPDATE audit_witness SET note = ''"] {
                    let error = try #require(throws: PostgresStoreError.self) { try app.execute(statement) }
                    #expect(error.sqlState == "42501", "\(statement): \(error)")
                    #expect(error.code == .refused)
                    #expect(error.exitStatus == .noPermission)
                    #expect(error.message.contains("permission denied"), "\(error)")
                }
                // Nor may it change the schema (drop the triggers).
                let drop = try #require(throws: PostgresStoreError.self) { try app.execute("DROP TRIGGER audit_entry_no_delete ON audit_entry") }
                #expect(drop.sqlState == "42501")

                // The owner has the privileges, but the triggers refuse, naming table and operation.
                let update = try #require(throws: PostgresStoreError.self) { try admin.execute("UPDATE audit_entry SET action = 'changed'") }
                #expect(update.sqlState == "P0001")
                #expect(update.message.contains("audit_entry is append-only: UPDATE is forbidden"), "\(update)")
                let delete = try #require(throws: PostgresStoreError.self) { try admin.execute("DELETE FROM audit_entry") }
                #expect(delete.message.contains("audit_entry is append-only: DELETE is forbidden"), "\(delete)")
                let truncate = try #require(throws: PostgresStoreError.self) { try admin.execute("TRUNCATE audit_checkpoint") }
                #expect(truncate.message.contains("audit_checkpoint is append-only: TRUNCATE is forbidden"), "\(truncate)")
                // psql, an independent client, sees the same.
                let psql = try server.psqlResult("DELETE FROM audit_entry", user: "arlink_app")
                #expect(psql.status != 0 && psql.stderr.contains("permission denied for table audit_entry"), "\(psql.stderr)")
                #expect(try server.psql("SELECT string_agg(action, ',' ORDER BY leaf_index) FROM audit_entry") == "test.appended,test.fenced")
            }
        }

        @Test("the only UPDATE the entry trigger lets through is pruning past retention, as in SQLite")
        func pruningException() throws {
            try TestCluster.withServer { server in
                let admin = try TestCluster.admin(server)
                defer { admin.close() }
                try PostgresMigrator.migrate(admin)
                let head = #"{"v":1,"seq":7,"prev":"0000000000000000000000000000000000000000000000000000000000000000""#
                #expect(head.count == 87 + 1)
                try admin.execute("""
                    INSERT INTO audit_entry (leaf_index, entry, leaf_hash, recorded_at, action, file_id)
                    VALUES (7, '\(head),"action":"x"}', '\\x01'::bytea, '2026-01-01T00:00:00Z', 'x', 'F1')
                    """)
                let early = try #require(throws: PostgresStoreError.self) {
                    try admin.execute("UPDATE audit_entry SET entry = '\(head),\"pruned\":true}', file_id = NULL WHERE leaf_index = 7")
                }
                #expect(early.message.contains("append-only"))
                try admin.execute("INSERT INTO audit_pruned (leaf_index, pruned_at) VALUES (7, '2030-01-01')")
                try admin.execute("UPDATE audit_entry SET entry = '\(head),\"pruned\":true}', file_id = NULL WHERE leaf_index = 7")
                #expect(try server.psql("SELECT entry FROM audit_entry") == head + #","pruned":true}"#)
            }
        }
    }
}
