public import GRDB
import Foundation

/// A WAL checkpoint run on a connection and a thread of its own, while the job goes on.
///
/// By default SQLite checkpoints on the committing connection, right after a commit whose WAL
/// passed 1,000 pages: after an inbound file's transaction (31 MB of WAL per million events)
/// that copy and its fsync held up the job for 0.06 s before it could export the file's ERP
/// updates. A job that calls ``StateStore/deferCheckpoints()`` starts one of these after each
/// large commit instead (a passive checkpoint: it never blocks the job's own writes) and
/// waits for it at its end.
public final class BackgroundCheckpoint: @unchecked Sendable {
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var done = false
    private var failure: (any Error)?

    init(path: String) {
        let thread = Thread { [self] in
            var outcome: (any Error)?
            do {
                var configuration = Configuration()
                configuration.busyMode = .timeout(10)
                let connection = try DatabaseQueue(path: path, configuration: configuration)
                try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                try connection.close()
            } catch {
                outcome = error
            }
            condition.lock()
            failure = outcome
            done = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "arlink-checkpoint"
        thread.start()
    }

    /// Waits for the checkpoint; throws what it failed with (the data is safe in the WAL either way).
    public func wait() throws {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        if let failure { throw failure }
    }
}

extension StateStore {
    /// Stops checkpointing at commit on the store's connection; the caller checkpoints with
    /// ``checkpointInBackground()`` and calls ``resumeCheckpoints()`` when done.
    public func deferCheckpoints() throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
    }

    /// Checkpointing at commit again (SQLite's default: when the WAL passed 1,000 pages).
    public func resumeCheckpoints() throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000") }
    }

    /// Starts a passive checkpoint on another connection and thread.
    public func checkpointInBackground() -> BackgroundCheckpoint {
        BackgroundCheckpoint(path: path)
    }
}
