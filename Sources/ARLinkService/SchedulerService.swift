import ARLinkAudit
public import ARLinkConfig
import ARLinkCore
public import Foundation
public import Logging
public import ServiceLifecycle

/// Runs the configured schedules one job at a time, refreshes the status, metrics and alerts,
/// and applies reloads between runs. A swift-service-lifecycle service: on graceful shutdown
/// (SIGTERM) it takes no new run, lets the current one finish, records the stop and returns.
public struct SchedulerService: Service {
    let state: ServiceState
    let metrics: ServiceMetrics
    let runner: any ScheduledJobRunner
    let clock: any ServiceClock
    let logger: Logger
    /// How often the status, its gauges and the alert conditions are refreshed between runs.
    let statusInterval: Duration
    /// The longest sleep: how soon shutdown and reload requests are noticed.
    let tick: Duration

    public init(state: ServiceState, metrics: ServiceMetrics, runner: any ScheduledJobRunner, clock: any ServiceClock = SystemServiceClock(),
                logger: Logger, statusInterval: Duration = .seconds(60), tick: Duration = .milliseconds(250)) {
        self.state = state
        self.metrics = metrics
        self.runner = runner
        self.clock = clock
        self.logger = logger
        self.statusInterval = statusInterval
        self.tick = tick
    }

    public func run() async throws {
        var loop = Loop(service: self)
        await withGracefulShutdownHandler {
            await loop.run()
        } onGracefulShutdown: {
            state.beginShutdown()
        }
    }

    /// The mutable side of the scheduler, owned by its one task.
    struct Loop {
        let service: SchedulerService
        var plan: SchedulePlan
        var generation: Int
        var auditor = ServiceAuditor()
        var tracker = AlertTracker()
        /// Consecutive failures per `job|partner`: the error code and how many times in a row.
        var failureStreaks: [String: (code: String, count: Int)] = [:]
        var parked: Set<String> = []
        var lastStatus: Date = .distantPast

        init(service: SchedulerService) {
            self.service = service
            generation = service.state.generation
            plan = SchedulePlan(schedules: service.state.config.service?.schedules ?? [], start: service.clock.now())
        }

        var state: ServiceState { service.state }
        var logger: Logger { service.logger }

        mutating func run() async {
            let config = state.config
            auditor.add(AuditEvent(action: "service.started", outcome: "ok", detail: ["instance": Self.safe(config.service?.instance ?? ""), "schedules": String(plan.entries.count)]))
            await unparkAll(config)
            await refreshStatus()
            while !state.isShuttingDown {
                if state.takeReloadRequest() { await reload() }
                let now = service.clock.now()
                let due = plan.due(at: now)
                if let index = due.first {
                    await runEntry(index, at: now)
                    continue
                }
                if now.timeIntervalSince(lastStatus) >= service.statusInterval.timeInterval { await refreshStatus() }
                if let failure = await auditor.flush(config: state.config) {
                    logger.warning("the service's audit entries wait for the next chance: \(failure)")
                }
                let wake = min(plan.nextRunAt ?? .distantFuture, now + service.tick.timeInterval)
                do { try await service.clock.sleep(until: wake) } catch { break }
            }
            logger.info("arlink serve: stopping; no new runs are started")
            auditor.add(AuditEvent(action: "service.stopped", outcome: "ok"))
            if let failure = await auditor.flush(config: state.config) {
                logger.warning("the service's stop could not be recorded in the audit log: \(failure)")
            }
        }

        /// Runs the schedule at `index` (or, when some of its partners are parked, each of the others).
        mutating func runEntry(_ index: Int, at start: Date) async {
            let schedule = plan.entries[index].schedule
            plan.started(index, at: start)
            let config = state.config
            var partners: [String?] = [schedule.partner]
            if schedule.job != .keysCheck {
                let affected = schedule.partner.map { [$0] } ?? config.partners.map(\.id.rawValue)
                let open = affected.filter { !parked.contains("\(schedule.job.rawValue)|\($0)") }
                if open.isEmpty {
                    logger.warning("\(schedule.name): parked after repeated failures; not run (reload the configuration once the cause is fixed)")
                    return
                }
                if open.count < affected.count { partners = open.map { Optional($0) } }
            }
            for partner in partners where !state.isShuttingDown {
                let name = partner.map { "\(schedule.job.rawValue)/\($0)" } ?? schedule.job.rawValue
                state.setRunning(name)
                logger.info("\(name): run started", metadata: ["job": .string(schedule.job.rawValue), "partner": .string(partner ?? "all")])
                let began = ContinuousClock.now
                let runner = service.runner
                let job = schedule.job
                let state = self.state
                let result = await Worker.run("job") { runner.run(job, partner: partner, config: config, shouldStop: { state.isShuttingDown }) }
                let elapsed = ContinuousClock.now - began
                state.setRunning(nil)
                record(result, job: job, partner: partner, name: name, duration: elapsed)
            }
            let end = service.clock.now()
            for (skippedIndex, count) in plan.finished(startedAt: start, endedAt: end) {
                let skippedJob = plan.entries[skippedIndex].schedule
                service.metrics.skipped(job: skippedJob.job.rawValue, count: count)
                logger.notice("\(skippedJob.name): \(count) firing(s) skipped while \(schedule.name) ran")
            }
            await park(config)
            await refreshStatus()
        }

        /// Metrics, the failure state and the dead-letter streaks after one run.
        mutating func record(_ result: JobResult, job: ScheduledJobKind, partner: String?, name: String, duration: Duration) {
            let metrics = service.metrics
            let now = service.clock.now()
            let partnerLabel = partner ?? "all"
            metrics.jobRan(job: job.rawValue, partner: partnerLabel, outcome: result.outcome, duration: duration)
            if result.exitStatus == .success || result.exitStatus == .dataError {
                metrics.jobSucceeded(job: job.rawValue, partner: partnerLabel, at: now)
            }
            let failed = result.exitStatus != .success && result.exitStatus != .dataError && result.exitStatus != .tempFailure
            state.setFailure(name, failed ? result.message : nil)
            let level: Logger.Level = failed ? .error : result.exitStatus == .success ? .info : .warning
            logger.log(level: level, "\(name): run ended with exit \(result.exitStatus.rawValue): \(result.message)")
            for p in result.partners {
                let direction = job == .outbound ? "outbound" : "inbound"
                if job != .keysCheck {
                    metrics.files(direction: direction, partner: p.partner, outcome: job == .outbound ? "delivered" : "applied",
                                  count: job == .outbound ? p.filesDelivered : p.filesProcessed)
                    metrics.files(direction: direction, partner: p.partner, outcome: "quarantined", count: p.quarantined.count)
                    metrics.files(direction: direction, partner: p.partner, outcome: "held", count: p.held.count)
                    for (type, counts) in p.events.sorted(by: { $0.key < $1.key }) {
                        metrics.events(partner: p.partner, type: type, outcome: "applied", count: counts.applied)
                        metrics.events(partner: p.partner, type: type, outcome: "rejected", count: counts.rejected)
                    }
                    if p.exitStatus == .success || p.exitStatus == .dataError {
                        metrics.jobSucceeded(job: job.rawValue, partner: p.partner, at: now)
                    }
                }
                // Dead letter: the same failure again and again for one partner's job.
                let key = "\(job.rawValue)|\(p.partner)"
                if let code = p.errorCode, p.exitStatus != .success {
                    let streak = failureStreaks[key]
                    failureStreaks[key] = (code, streak?.code == code ? streak!.count + 1 : 1)
                } else {
                    failureStreaks[key] = nil
                }
            }
        }

        /// Parks every partner job whose streak reached `alerts.dead_letter_after`.
        mutating func park(_ config: ArlinkConfiguration) async {
            let limit = config.alerts.deadLetterAfter
            for (key, streak) in failureStreaks.sorted(by: { $0.key < $1.key }) where streak.count >= limit && !parked.contains(key) {
                let parts = key.split(separator: "|").map(String.init)
                guard parts.count == 2, parts[0] != ScheduledJobKind.keysCheck.rawValue else { continue }
                parked.insert(key)
                logger.error("\(parts[0])/\(parts[1]): parked after \(streak.count) runs failing with \(streak.code); fix the cause and reload (SIGHUP)")
                auditor.add(AuditEvent(action: "job.parked", outcome: "refused", partner: parts[1], direction: parts[0], errorCode: streak.code,
                                       detail: ["failures": String(streak.count)]))
            }
            if let failure = await auditor.flush(config: config) { logger.warning("audit entries wait: \(failure)") }
        }

        /// Lets every parked job run again (at start and after a reload), recording it.
        mutating func unparkAll(_ config: ArlinkConfiguration) async {
            var keys = parked
            if let status = try? StatusReport.build(config: config, now: service.clock.now(), nextRuns: []) {
                for p in status.partners { for f in p.parked { keys.insert("\(f.job)|\(p.partner)") } }
            }
            for key in keys.sorted() {
                let parts = key.split(separator: "|").map(String.init)
                guard parts.count == 2, parts[0] == "outbound" || parts[0] == "inbound" else { continue }
                auditor.add(AuditEvent(action: "job.unparked", outcome: "ok", partner: parts[1], direction: parts[0]))
            }
            parked.removeAll()
            failureStreaks.removeAll()
            if let failure = await auditor.flush(config: config) { logger.warning("audit entries wait: \(failure)") }
        }

        /// SIGHUP: loads the file again; keeps the configuration in force when it does not validate.
        mutating func reload() async {
            let old = state.config
            let path = old.sourcePath
            let loaded: Result<ArlinkConfiguration, any Error> = await Worker.run("reload") {
                Result { try ArlinkConfiguration.load(path: path) }
            }
            switch loaded {
            case .success(let config):
                state.replace(config: config)
                generation = state.generation
                plan = SchedulePlan(schedules: config.service?.schedules ?? [], start: service.clock.now())
                service.metrics.reloaded()
                logger.notice("configuration reloaded from \(path): \(plan.entries.count) schedule(s)")
                auditor.add(AuditEvent(action: "service.reloaded", outcome: "ok", detail: ["schedules": String(plan.entries.count)]))
                await unparkAll(config)
            case .failure(let error):
                let code = (error as? any ARLinkFailure)?.codeName ?? "config.invalid"
                let message = (error as? any ARLinkFailure)?.message ?? "\(error)"
                service.metrics.reloadFailed()
                logger.error("configuration reload refused, the previous configuration stays in force: \(message) [\(code)]")
                auditor.add(AuditEvent(action: "service.reload_refused", outcome: "refused", errorCode: code))
                if let failure = await auditor.flush(config: old) { logger.warning("audit entries wait: \(failure)") }
            }
            await refreshStatus()
        }

        /// Rebuilds the status (gauges, `/status`) and sends the alerts its conditions call for.
        mutating func refreshStatus() async {
            lastStatus = service.clock.now()
            let config = state.config
            let now = lastStatus
            let nextRuns = plan.entries.map { (schedule: $0.schedule, at: $0.runAt) }
            state.setNextRuns(nextRuns)
            let failures = state.failures
            let built: Result<StatusReport, any Error> = await Worker.run("status") {
                Result { try StatusReport.build(config: config, now: now, nextRuns: nextRuns, lastFailures: failures) }
            }
            guard case .success(let status) = built else {
                if case .failure(let error) = built { logger.warning("the status could not be read: \(error)") }
                return
            }
            service.metrics.record(status)
            state.setStatus(status.renderJSON())
            let conditions = AlertCondition.from(status, failures: failures, alerts: config.alerts)
            let messages = tracker.update(conditions, instance: status.instance, now: now)
            guard !messages.isEmpty else { return }
            guard config.alerts.webhook != nil || config.alerts.email != nil else {
                for message in messages { logger.warning("alert \(message.state): \(message.condition.summary) (no alert receiver is configured)") }
                return
            }
            let sender = AlertSender(settings: config.alerts, stagingFolder: config.state.workDirectory)
            let outcomes = await Worker.run("alerts") { messages.map { ($0, sender.send($0)) } }
            for (message, results) in outcomes {
                for result in results {
                    service.metrics.alertSent(kind: result.receiver, outcome: result.ok ? "sent" : "failed")
                    if result.ok {
                        logger.notice("alert \(message.state) sent by \(result.receiver): \(message.condition.summary)")
                    } else {
                        logger.error("alert \(message.state) could not be sent by \(result.receiver): \(result.detail)")
                    }
                }
            }
        }

        /// Printable ASCII for an audit detail value.
        static func safe(_ text: String) -> String {
            String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init).prefix(64))
        }
    }
}
