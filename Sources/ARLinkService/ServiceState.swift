public import ARLinkConfig
public import Foundation
import Synchronization

/// What the scheduler, the reload handler and the HTTP endpoints share: the configuration in
/// force, readiness, the newest status, and the live job facts. Guarded by one mutex; every
/// access is short and never blocks on I/O.
public final class ServiceState: Sendable {
    struct Values: Sendable {
        var config: ArlinkConfiguration
        /// Bumped by every successful reload; the scheduler replans when it changes.
        var generation = 0
        var shuttingDown = false
        var runningJob: String?
        /// The newest `/status` body and its verdict.
        var statusJSON = "{}"
        var nextRuns: [(schedule: ScheduleSettings, at: Date)] = []
        /// Job name (`inbound/kolekta`) to the message of its latest failure, until it succeeds.
        var failures: [String: String] = [:]
        var reloadRequested = false
    }

    private let values: Mutex<Values>

    public init(config: ArlinkConfiguration) {
        values = Mutex(Values(config: config))
    }

    public var config: ArlinkConfiguration { values.withLock { $0.config } }
    public var generation: Int { values.withLock { $0.generation } }
    public var isShuttingDown: Bool { values.withLock { $0.shuttingDown } }
    public var statusJSON: String { values.withLock { $0.statusJSON } }
    var runningJob: String? { values.withLock { $0.runningJob } }
    var failures: [String: String] { values.withLock { $0.failures } }
    var nextRuns: [(schedule: ScheduleSettings, at: Date)] { values.withLock { $0.nextRuns } }

    func replace(config: ArlinkConfiguration) {
        values.withLock { $0.config = config; $0.generation += 1 }
    }

    func beginShutdown() { values.withLock { $0.shuttingDown = true } }
    func setRunning(_ job: String?) { values.withLock { $0.runningJob = job } }
    func setStatus(_ json: String) { values.withLock { $0.statusJSON = json } }
    func setNextRuns(_ runs: [(schedule: ScheduleSettings, at: Date)]) { values.withLock { $0.nextRuns = runs } }
    func setFailure(_ job: String, _ message: String?) { values.withLock { $0.failures[job] = message } }

    /// Marks a reload as asked for (SIGHUP); the scheduler performs it between runs.
    func requestReload() { values.withLock { $0.reloadRequested = true } }
    /// Whether a reload was asked for, clearing the request.
    func takeReloadRequest() -> Bool {
        values.withLock { values in
            defer { values.reloadRequested = false }
            return values.reloadRequested
        }
    }
}
