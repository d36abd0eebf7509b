import Dispatch
import Logging
public import PostgresNIO
import Synchronization

/// One PostgreSQL connection with a synchronous face, for arlink's jobs, which are synchronous
/// (they stream files and batch per file on their own thread).
///
/// Why synchronous, and how: PostgresNIO is asynchronous (SwiftNIO futures and async/await).
/// The jobs call it from their own threads, so every call here sends its request on
/// ``PostgresEventLoop/shared`` (one dedicated SwiftNIO event loop thread that does nothing but
/// this I/O) and blocks the calling thread on a semaphore until the reply or a deadline
/// (`timeout`; never an unbounded wait). Blocking never happens on the event loop or on Swift's
/// cooperative pool, whose few threads (two on a 2-core machine) a blocked wait could starve.
/// After a deadline passed, the connection is closed (its state is unknown) and every later
/// call fails with `.unavailable`.
///
/// Use one connection from one thread at a time; a transaction is ``transaction(_:)``.
public final class BlockingPostgresConnection: Sendable {
    public let endpoint: PostgresEndpoint
    /// The deadline of each call (connect, query, commit).
    public let timeout: Duration
    let connection: PostgresConnection
    let logger: Logger

    /// Connects (with TLS per `sslmode`) and authenticates.
    /// - Throws: ``PostgresStoreError``: `.unavailable`/`.timeout` (75) when the server cannot be
    ///   reached, `.authentication`/`.tls` (77); ``ARLinkConfig/ConfigError`` for the password file.
    public init(_ endpoint: PostgresEndpoint, timeout: Duration = .seconds(30)) throws {
        self.endpoint = endpoint
        self.timeout = timeout
        var logger = Logger(label: "arlink.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let configuration = try endpoint.configuration()
        let future = PostgresConnection.connect(on: PostgresEventLoop.shared.next(), configuration: configuration,
                                                id: PostgresEventLoop.nextConnectionID(), logger: logger)
        self.connection = try Self.wait(future, timeout: timeout, what: "connecting to \(endpoint.description)") { connection in
            _ = connection.close() as EventLoopFuture<Void>
        }
    }

    /// A connection nobody closed closes when the last reference goes (without waiting).
    deinit {
        if !connection.isClosed { _ = connection.close() as EventLoopFuture<Void> }
    }

    /// Whether the connection is closed (by us, by the server, or lost).
    public var isClosed: Bool { connection.isClosed }

    /// The server process serving this connection (`pg_backend_pid()`), as the server reported it.
    public var backendPID: Int32 {
        get throws {
            let rows = try query("SELECT pg_backend_pid()")
            return try rows[0].decode(Int32.self)
        }
    }

    /// Calls `body` once, on the event loop, when the connection closes for any reason.
    public func onClose(_ body: @escaping @Sendable () -> Void) {
        connection.closeFuture.whenComplete { _ in body() }
    }

    /// Runs one statement and returns all its rows.
    /// - Throws: ``PostgresStoreError`` naming `what` (or the statement's first words) with the
    ///   server's SQLSTATE and message; `.timeout` after the deadline (the connection is then closed).
    @discardableResult
    public func query(_ query: PostgresQuery, what: String? = nil) throws -> [PostgresRow] {
        let label = what ?? "\(endpoint.description): \(query.sql.prefix(60))"
        let future = connection.query(query, logger: logger)
        do {
            return try Self.wait(future, timeout: timeout, what: label) { _ in }.rows
        } catch let error as PostgresStoreError where error.code == .timeout {
            _ = connection.close() as EventLoopFuture<Void>
            throw error
        }
    }

    /// Runs one statement of arlink's own SQL text (DDL, no values from outside).
    @discardableResult
    public func execute(_ sql: String, what: String? = nil) throws -> [PostgresRow] {
        try query(PostgresQuery(unsafeSQL: sql), what: what)
    }

    /// Runs `body` in one transaction: `BEGIN`, then `COMMIT` when `body` returns, `ROLLBACK`
    /// when it throws (or the commit fails: nothing of it lands).
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN", what: "\(endpoint.description): BEGIN")
        let value: T
        do {
            value = try body()
        } catch {
            _ = try? execute("ROLLBACK", what: "\(endpoint.description): ROLLBACK")
            throw error
        }
        try execute("COMMIT", what: "\(endpoint.description): COMMIT")
        return value
    }

    /// Closes the connection (bounded by the deadline); safe to call twice.
    public func close() {
        guard !connection.isClosed else { return }
        _ = try? Self.wait(connection.close(), timeout: .seconds(5), what: "closing") { _ in }
    }

    /// Waits for `future` at most `timeout`.
    /// - Parameter late: what to do with a value that arrives after the deadline (close a connection).
    static func wait<T: Sendable>(_ future: EventLoopFuture<T>, timeout: Duration, what: String,
                                  late: @escaping @Sendable (T) -> Void) throws -> T {
        let outcome = Outcome<T>()
        future.whenComplete { result in outcome.set(result) }
        guard let result = outcome.wait(timeout: timeout) else {
            outcome.abandon(late)
            throw PostgresStoreError(.timeout, "\(what): no answer within \(timeout); the connection is closed")
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw PostgresStoreError.from(error, while: what)
        }
    }
}

/// The result of a future, handed from the event loop to the waiting thread.
final class Outcome<T: Sendable>: Sendable {
    private let state = Mutex<(result: Result<T, any Error>?, late: (@Sendable (T) -> Void)?)>((nil, nil))
    private let done = DispatchSemaphore(value: 0)

    func set(_ result: Result<T, any Error>) {
        let late = state.withLock { state -> (@Sendable (T) -> Void)? in
            state.result = result
            return state.late
        }
        if let late, case .success(let value) = result { late(value) }
        done.signal()
    }

    func wait(timeout: Duration) -> Result<T, any Error>? {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        guard done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return nil }
        return state.withLock { $0.result }
    }

    /// The waiter gave up: a value that still arrives goes to `late`; one that arrived just now too.
    func abandon(_ late: @escaping @Sendable (T) -> Void) {
        let arrived = state.withLock { state -> T? in
            state.late = late
            if case .success(let value) = state.result { return value }
            return nil
        }
        if let arrived { late(arrived) }
    }
}

/// The event loop all of arlink's PostgreSQL connections run on: one thread of its own, for
/// the life of the process (SwiftNIO's `MultiThreadedEventLoopGroup`).
public enum PostgresEventLoop {
    public static let shared = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private static let counter = Atomic<Int>(0)

    static func nextConnectionID() -> Int {
        counter.add(1, ordering: .relaxed).newValue
    }
}
