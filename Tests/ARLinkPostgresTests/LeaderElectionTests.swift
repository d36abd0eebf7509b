import ARLinkCore
import ARLinkPostgres
import ARLinkTestSupport
import Foundation
import PostgresNIO
import Synchronization
import Testing

extension PostgresSuites {
    @Suite("Leadership and fencing on a real PostgreSQL server", .serialized, .timeLimit(.minutes(10)))
    struct LeaderElectionTests {
        static func elector(_ server: PostgresTestServer, _ name: String) -> LeaderElector {
            var settings = LeaderElector.Settings(instance: name)
            settings.retryInterval = .milliseconds(500)
            settings.rejoinDelay = .seconds(3)
            return LeaderElector(TestCluster.endpoint(server, name: "arlink-elector-\(name)"), settings: settings)
        }

        /// Waits until exactly one of `electors` leads, or `timeout` passed.
        static func soleLeader(_ electors: [LeaderElector], timeout: Duration) -> LeaderElector? {
            var leader: LeaderElector?
            Wait.until(timeout: timeout, interval: .milliseconds(20)) {
                let leaders = electors.filter { $0.role.epoch != nil }
                leader = leaders.count == 1 ? leaders[0] : nil
                return leader != nil
            }
            return leader
        }

        @Test("two electors: exactly one leads, with epoch 1, and stays the only one")
        func exactlyOneLeader() throws {
            try TestCluster.withServer { server in
                let admin = try TestCluster.admin(server)
                defer { admin.close() }
                try PostgresMigrator.migrate(admin)
                let a = Self.elector(server, "a"), b = Self.elector(server, "b")
                a.start()
                b.start()
                defer { a.stop(); b.stop() }
                let leader = try #require(Self.soleLeader([a, b], timeout: .seconds(15)), "no single leader: \(a.lastError ?? "") \(b.lastError ?? "")")
                #expect(leader.role == .leader(epoch: 1))
                // Both keep trying for several rounds: never two leaders.
                var sawTwo = false
                Wait.until(timeout: .seconds(3), interval: .milliseconds(10)) {
                    if a.role.epoch != nil && b.role.epoch != nil { sawTwo = true }
                    return false
                }
                #expect(!sawTwo)
                #expect(leader.role == .leader(epoch: 1))
                let holder = try server.psql("SELECT epoch, holder FROM arlink_leader")
                #expect(holder == "1|\(leader === a ? "a" : "b")")
                // The server agrees: one session holds the advisory lock.
                #expect(try server.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") == "1")
            }
        }

        @Test("the leader's connection terminated from outside: the other takes over within 15 s with a new epoch, and the old epoch commits nothing")
        func failoverAndFencing() throws {
            try TestCluster.withServer { server in
                let admin = try TestCluster.admin(server)
                defer { admin.close() }
                try PostgresMigrator.migrate(admin)
                try admin.execute("CREATE TABLE work (id INTEGER PRIMARY KEY, by_epoch BIGINT NOT NULL)")
                let a = Self.elector(server, "a"), b = Self.elector(server, "b")
                a.start()
                b.start()
                defer { a.stop(); b.stop() }
                let first = try #require(Self.soleLeader([a, b], timeout: .seconds(15)))
                let other = first === a ? b : a
                let oldEpoch = try #require(first.role.epoch)

                // The old leader's work connection (not its elector's), opened while it led.
                let work = try TestCluster.admin(server)
                defer { work.close() }
                try work.fencedTransaction(epoch: oldEpoch) { try work.execute("INSERT INTO work VALUES (1, \(oldEpoch))") }

                // Terminate the leader's elector session from outside, as a lost connection.
                let pid = try #require(first.backendPID)
                #expect(try server.psql("SELECT pg_terminate_backend(\(pid))") == "t")
                let clock = ContinuousClock()
                let cut = clock.now
                let newEpoch = try #require(other.waitUntilLeader(timeout: .seconds(15)), "no takeover: \(other.lastError ?? "")")
                #expect(clock.now - cut < .seconds(15))
                #expect(newEpoch == oldEpoch + 1)
                // The old leader noticed and stepped down.
                #expect(Wait.until(timeout: .seconds(5)) { first.role.epoch == nil })

                // Fencing: a transaction under the old epoch is refused and nothing of it lands.
                let refused = try #require(throws: PostgresStoreError.self) {
                    try work.fencedTransaction(epoch: oldEpoch) { try work.execute("INSERT INTO work VALUES (2, \(oldEpoch))") }
                }
                #expect(refused.code == .fenced)
                #expect(refused.exitStatus == .tempFailure)
                #expect(refused.message.contains("epoch \(oldEpoch)") && refused.message.contains("epoch \(newEpoch)"), "\(refused)")
                // Even when the write comes first and the check last, the check fails the whole transaction.
                #expect(throws: PostgresStoreError.self) {
                    try work.transaction {
                        try work.execute("INSERT INTO work VALUES (3, \(oldEpoch))")
                        try work.fenced(epoch: oldEpoch)
                    }
                }
                try work.fencedTransaction(epoch: newEpoch) { try work.execute("INSERT INTO work VALUES (4, \(newEpoch))") }
                #expect(try server.psql("SELECT string_agg(id || ':' || by_epoch, ',' ORDER BY id) FROM work") == "1:\(oldEpoch),4:\(newEpoch)")
                // Exactly one leader afterwards too (the old one rejoins as follower).
                #expect(Self.soleLeader([a, b], timeout: .seconds(5)) === other)
            }
        }

        @Test("a takeover waits for a transaction that passed the fence; that transaction commits before the new epoch exists")
        func fenceHoldsTakeover() throws {
            try TestCluster.withServer { server in
                let admin = try TestCluster.admin(server)
                defer { admin.close() }
                try PostgresMigrator.migrate(admin)
                try admin.execute("CREATE TABLE work (id INTEGER PRIMARY KEY)")
                let a = Self.elector(server, "a")
                a.start()
                defer { a.stop() }
                let epoch = try #require(a.waitUntilLeader(timeout: .seconds(15)))
                let work = try TestCluster.admin(server)
                defer { work.close() }
                try work.execute("BEGIN")
                try work.fenced(epoch: epoch)
                try work.execute("INSERT INTO work VALUES (1)")
                // An epoch bump from elsewhere (a new leader) must wait for this transaction.
                let bump = try server.psqlResult("SET lock_timeout = '1s'; UPDATE arlink_leader SET epoch = epoch + 1")
                #expect(bump.status != 0 && bump.stderr.contains("lock timeout"), "\(bump.stderr)")
                try work.execute("COMMIT")
                #expect(try server.psql("UPDATE arlink_leader SET epoch = epoch + 1 RETURNING epoch") == "\(epoch + 1)")
                #expect(try server.psql("SELECT count(*) FROM work") == "1")
            }
        }

        @Test("stopping the leader releases the lock at once: the other leads without waiting for a connection timeout")
        func stepDownOnStop() throws {
            try TestCluster.withServer { server in
                let admin = try TestCluster.admin(server)
                defer { admin.close() }
                try PostgresMigrator.migrate(admin)
                let changes = Mutex<[LeaderElector.Role]>([])
                var settings = LeaderElector.Settings(instance: "a")
                settings.retryInterval = .milliseconds(500)
                let a = LeaderElector(TestCluster.endpoint(server), settings: settings) { role in changes.withLock { $0.append(role) } }
                let b = Self.elector(server, "b")
                a.start()
                #expect(a.waitUntilLeader(timeout: .seconds(15)) == 1)
                b.start()
                defer { b.stop() }
                a.stop()
                #expect(a.role == .follower)
                #expect(changes.withLock { $0 } == [.leader(epoch: 1), .follower])
                #expect(b.waitUntilLeader(timeout: .seconds(15)) == 2)
            }
        }
    }
}
