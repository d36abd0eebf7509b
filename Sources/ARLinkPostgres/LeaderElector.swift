import Dispatch
import Foundation
import PostgresNIO
import Synchronization

/// Leadership among arlink instances sharing one PostgreSQL database: exactly one of them is
/// the leader and runs jobs; the others wait to take over.
///
/// How it works: each instance keeps one connection of its own (never used for anything
/// else) and tries, every ``Settings/retryInterval``, to take the session-level advisory lock
/// ``Settings/lockKey`` (`pg_try_advisory_lock`). The server grants it to one session at a
/// time and releases it when that session ends, however it ends (the process died, its
/// connection was lost or terminated). The instance that gets it bumps the epoch in
/// `arlink_leader` (`UPDATE … SET epoch = epoch + 1 RETURNING epoch`) and is leader with that
/// epoch. Every state-changing transaction checks the epoch
/// (``BlockingPostgresConnection/fenced(epoch:)``), so an instance that lost leadership
/// without noticing commits nothing after its successor started.
///
/// The leader notices the loss of its connection at once (the connection's close) and by a
/// probe (`SELECT 1` with a deadline) every interval, and steps down. A leader whose process
/// is paused (SIGSTOP) keeps its session, and thereby the lock, until the server drops the
/// connection; taking over from a paused leader is not built yet (docs/postgresql.md).
public final class LeaderElector: Sendable {
    public struct Settings: Sendable {
        /// The advisory lock's key: the same for every instance of one arlink installation.
        public var lockKey: Int64 = 0x61_72_6C_69_6E_6B  // "arlink"
        /// How often a follower tries to take the lock and a leader probes its connection.
        public var retryInterval: Duration = .seconds(2)
        /// The deadline of each connect and statement of the elector.
        public var statementTimeout: Duration = .seconds(5)
        /// How long an instance that lost leadership (its connection failed) waits before it
        /// tries the lock again: the healthy instances take over first.
        public var rejoinDelay: Duration = .seconds(5)
        /// This instance's name, recorded in `arlink_leader.holder`.
        public var instance: String

        public init(instance: String) { self.instance = instance }
    }

    /// What this instance is now.
    public enum Role: Sendable, Equatable {
        case follower
        case leader(epoch: Int64)

        public var epoch: Int64? {
            if case .leader(let epoch) = self { return epoch }
            return nil
        }
    }

    public let endpoint: PostgresEndpoint
    public let settings: Settings
    private let state = Mutex<State>(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let onChange: @Sendable (Role) -> Void

    private struct State {
        var role: Role = .follower
        var stopping = false
        var started = false
        var connection: BlockingPostgresConnection?
        var lastError: String?
        /// A follower that lost leadership tries the lock again only from then on.
        var notBefore: ContinuousClock.Instant?
    }

    /// - Parameter onChange: called on each change of role (on the elector's thread, or the
    ///   event loop's when the connection is lost); keep it short.
    public init(_ endpoint: PostgresEndpoint, settings: Settings, onChange: @escaping @Sendable (Role) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.settings = settings
        self.onChange = onChange
    }

    /// The current role.
    public var role: Role { state.withLock { $0.role } }

    /// The last connection or statement error of the elector (nil after a success), for status pages.
    public var lastError: String? { state.withLock { $0.lastError } }

    /// The server process of the elector's dedicated connection, while connected.
    public var backendPID: Int32? {
        guard let connection = state.withLock({ $0.connection }), !connection.isClosed else { return nil }
        return try? connection.backendPID
    }

    /// Starts electing on a thread of its own; call ``stop()`` to end it.
    public func start() {
        let first = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "arlink-leader-elector"
        thread.start()
    }

    /// Stops electing: a leader steps down and its connection closes (releasing the lock).
    /// Waits for the elector's thread at most the statement deadline plus a second.
    public func stop() {
        let started = state.withLock { state -> Bool in
            state.stopping = true
            return state.started
        }
        guard started else { return }
        wake.signal()
        _ = finished.wait(timeout: .now() + .nanoseconds(Self.nanoseconds(settings.statementTimeout + .seconds(1))))
    }

    /// Waits until this instance leads or `timeout` passed.
    /// - Returns: the epoch, or nil when it did not become leader in time.
    public func waitUntilLeader(timeout: Duration) -> Int64? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let pause = DispatchSemaphore(value: 0)
        while clock.now < deadline {
            if let epoch = role.epoch { return epoch }
            _ = pause.wait(timeout: .now() + .milliseconds(20))
        }
        return role.epoch
    }

    private func run() {
        while !state.withLock({ $0.stopping }) {
            step()
            _ = wake.wait(timeout: .now() + .nanoseconds(Self.nanoseconds(settings.retryInterval)))
        }
        let connection = state.withLock { state -> BlockingPostgresConnection? in
            defer { state.connection = nil }
            return state.connection
        }
        stepDown()
        connection?.close()
    }

    /// One round: connect if needed; a follower tries the lock, a leader probes its connection.
    private func step() {
        do {
            let connection = try currentConnection()
            if role.epoch == nil {
                if let notBefore = state.withLock({ $0.notBefore }), ContinuousClock.now < notBefore { return }
                let rows = try connection.query("SELECT pg_try_advisory_lock(\(settings.lockKey))", what: "taking the leader lock")
                guard try rows.first?.decode(Bool.self) == true else { return }
                let epoch: Int64
                do {
                    epoch = try connection.transaction {
                        try connection.execute("SET LOCAL lock_timeout = '5s'")
                        let bumped = try connection.query("""
                            UPDATE arlink_leader SET epoch = epoch + 1, holder = \(settings.instance), holder_pid = pg_backend_pid(), since = now()
                            WHERE id = 1 RETURNING epoch
                            """, what: "bumping the leader epoch")
                        guard let row = bumped.first else {
                            throw PostgresStoreError(.migration, "arlink_leader has no row: the schema is not migrated (docs/postgresql.md)")
                        }
                        return try row.decode(Int64.self)
                    }
                } catch {
                    _ = try? connection.query("SELECT pg_advisory_unlock(\(settings.lockKey))")
                    throw error
                }
                // The connection may have died between the lock and now: then the lock is gone.
                guard !connection.isClosed else { return }
                state.withLock { $0.role = .leader(epoch: epoch) }
                onChange(.leader(epoch: epoch))
            } else {
                try connection.execute("SELECT 1", what: "probing the leader connection")
            }
            state.withLock { $0.lastError = nil }
        } catch {
            state.withLock { $0.lastError = String(describing: error) }
            let lost = state.withLock { state -> BlockingPostgresConnection? in
                defer { state.connection = nil }
                return state.connection
            }
            stepDown(lost: true)
            lost?.close()
        }
    }

    /// The dedicated connection, connecting when there is none (or it closed).
    private func currentConnection() throws -> BlockingPostgresConnection {
        if let existing = state.withLock({ $0.connection }), !existing.isClosed { return existing }
        stepDown()
        let connection = try BlockingPostgresConnection(endpoint, timeout: settings.statementTimeout)
        connection.onClose { [weak self] in
            // The session ended, and the lock with it: step down at once, not at the next round.
            guard let self else { return }
            let current = self.state.withLock { $0.connection === connection }
            if current { self.stepDown(lost: true) }
            self.wake.signal()
        }
        state.withLock { $0.connection = connection }
        return connection
    }

    private func stepDown(lost: Bool = false) {
        let delay = settings.rejoinDelay
        let was = state.withLock { state -> Role in
            defer { state.role = .follower }
            if lost && state.role != .follower { state.notBefore = .now + delay }
            return state.role
        }
        if was != .follower { onChange(.follower) }
    }

    static func nanoseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    }
}
