public import ARLinkConfig
public import ARLinkCore
import ARLinkAudit
import ARLinkEnvelope
import ARLinkStore
public import Foundation

/// What an operator needs to know about each partner, read from the audit log, the
/// configuration and the certificates: the facts behind `arlink status` and `GET /status`.
///
/// Files are named with their reason and age; nothing personal is read. The exit status says
/// whether all is well (0), something waits (75) or something needs a person (65).
public struct StatusReport: Sendable {
    /// A file (or batch) and why it is where it is.
    public struct FileFact: Sendable, Hashable {
        public var name: String
        public var reason: String
        public var since: Date
    }

    /// A job the service stopped running for a partner after repeated identical failures.
    public struct ParkedFact: Sendable, Hashable {
        public var job: String
        public var partner: String
        public var errorCode: String
        public var since: Date
    }

    public struct PartnerStatus: Sendable {
        public var partner: String
        public var lastOutbound: Date?
        /// The last inbound run that completed for this partner (`run.completed`), even when
        /// there was nothing to fetch: our job is running.
        public var lastInbound: Date?
        /// The last feedback file applied: the last sign of life from the partner.
        public var lastFeedback: Date?
        public var pending: [FileFact] = []
        public var held: [FileFact] = []
        public var quarantined: [FileFact] = []
        public var parked: [ParkedFact] = []
        public var nextRuns: [(job: String, at: Date)] = []
        /// No feedback for longer than `alerts.silence_alert_after` since the first delivery.
        public var silentSince: Date?
    }

    public struct CertificateFact: Sendable, Hashable {
        public var use: String
        public var subject: String
        public var path: String
        public var notAfter: Date?
        public var daysLeft: Int?
        public var problems: [String]
    }

    public var instance: String
    public var generatedAt: Date
    public var partners: [PartnerStatus]
    public var certificates: [CertificateFact]
    /// nil when the log verifies; otherwise why not.
    public var auditProblem: String?
    public var auditEntries: UInt64
    /// Things that need a person (exit 65) and things that wait (exit 75), one sentence each.
    public var needsPerson: [String] = []
    public var waiting: [String] = []

    public var exitStatus: ExitStatus {
        !needsPerson.isEmpty ? .dataError : !waiting.isEmpty ? .tempFailure : .success
    }

    /// How far back the audit log is read for files and runs.
    public static let windowDays = 90

    /// Reads the facts.
    /// - Parameters:
    ///   - nextRuns: each schedule's next run (from the service, or planned from now).
    ///   - lastFailures: live job failures the service saw (job name to message), none for the CLI.
    /// - Throws: ``AuditError`` or ``StoreError`` when the state database cannot be read.
    public static func build(config: ArlinkConfiguration, now: Date, nextRuns: [(schedule: ScheduleSettings, at: Date)],
                             lastFailures: [String: String] = [:]) throws -> StatusReport {
        let instance = config.service?.instance ?? ProcessInfo.processInfo.hostName
        var report = StatusReport(instance: instance, generatedAt: now, partners: [], certificates: [], auditProblem: nil, auditEntries: 0)
        var rows: [AuditReport.Row] = []
        if FileManager.default.fileExists(atPath: config.stateDatabasePath) {
            let store = try StateStore(path: config.stateDatabasePath)
            let verification: Result<AuditVerification, AuditError>
            do {
                let key = try AuditVerifierKey(publicKeyPath: config.audit.publicKeyPath, keyName: config.audit.origin)
                verification = .success(try AuditVerifier.verify(store: store, key: key, origin: config.audit.origin,
                                                                  checkpointFile: config.audit.checkpointFile))
            } catch let error as AuditError {
                verification = .failure(error)
            }
            switch verification {
            case .success(let result): report.auditEntries = result.entryCount
            case .failure(let error): report.auditProblem = error.message
            }
            let from = Self.day(now.addingTimeInterval(-Double(windowDays) * 86_400))
            let audit = try AuditReport.build(store: store, from: from, to: Self.day(now.addingTimeInterval(86_400)),
                                              origin: config.audit.origin, verification: verification)
            rows = audit.transfers
        } else {
            report.waiting.append("the state database \(config.stateDatabasePath) does not exist yet (arlink init)")
        }
        if let problem = report.auditProblem {
            report.needsPerson.append("the audit log does not verify: \(problem)")
        }
        let alerts = config.alerts
        for partner in config.partners {
            let id = partner.id.rawValue
            var status = PartnerStatus(partner: id)
            let mine = rows.filter { $0.partner == id }
            status.lastOutbound = mine.filter { $0.action == "batch.delivered" || $0.action == "batch.skipped" }.compactMap { date($0.time) }.max()
            status.lastInbound = mine.filter { $0.action == "run.completed" && $0.direction == "inbound" }.compactMap { date($0.time) }.max()
            status.lastFeedback = mine.filter { $0.action == "file.applied" }.compactMap { date($0.time) }.max()
            // Outbound batches built or sealed and not delivered.
            var batches: [String: FileFact] = [:]
            for row in mine where !row.batchID.isEmpty {
                switch row.action {
                case "batch.built", "batch.sealed":
                    if batches[row.batchID] == nil, let time = date(row.time) {
                        batches[row.batchID] = FileFact(name: row.fileName.isEmpty ? row.batchID : row.fileName, reason: "built, not yet delivered", since: time)
                    }
                case "batch.delivery_failed":
                    if let time = date(row.time) {
                        let since = batches[row.batchID]?.since ?? time
                        batches[row.batchID] = FileFact(name: row.fileName.isEmpty ? row.batchID : row.fileName,
                                                        reason: "delivery failed: \(row.errorCode.isEmpty ? "error" : row.errorCode)", since: since)
                    }
                case "batch.delivered":
                    batches[row.batchID] = nil
                default: break
                }
            }
            status.pending = batches.values.sorted { $0.since < $1.since }
            // Held and quarantined feedback files that were not applied later.
            var held: [String: FileFact] = [:], quarantined: [String: FileFact] = [:]
            for row in mine where !row.fileName.isEmpty {
                guard let time = date(row.time) else { continue }
                switch row.action {
                case "file.held":
                    if held[row.fileName] == nil { held[row.fileName] = FileFact(name: row.fileName, reason: row.reason.isEmpty ? "an earlier sequence number is missing" : row.reason, since: time) }
                case "file.quarantined":
                    held[row.fileName] = nil
                    quarantined[row.fileName] = FileFact(name: row.fileName, reason: row.reason.isEmpty ? "refused" : row.reason, since: time)
                case "file.applied":
                    held[row.fileName] = nil
                    quarantined[row.fileName] = nil
                default: break
                }
            }
            status.held = held.values.sorted { $0.since < $1.since }
            status.quarantined = quarantined.values.sorted { $0.since < $1.since }
            // Parked jobs (`job.parked`) until the service lets them run again (`job.unparked`).
            var parked: [String: ParkedFact] = [:]
            for row in mine where row.action == "job.parked" || row.action == "job.unparked" {
                let job = row.direction.isEmpty ? "job" : row.direction
                if row.action == "job.unparked" { parked[job] = nil; continue }
                if let time = date(row.time) { parked[job] = ParkedFact(job: job, partner: id, errorCode: row.errorCode, since: time) }
            }
            status.parked = parked.values.sorted { $0.job < $1.job }
            status.nextRuns = nextRuns.filter { $0.schedule.partner == nil || $0.schedule.partner == id }
                .map { (job: $0.schedule.job.rawValue, at: $0.at) }.sorted { $0.at < $1.at }
            let firstDelivery = mine.filter { $0.action == "batch.delivered" }.compactMap { date($0.time) }.min()
            if let reference = status.lastFeedback ?? firstDelivery, now.timeIntervalSince(reference) > alerts.silenceAlertAfter.timeInterval {
                status.silentSince = reference
                report.needsPerson.append("partner \(id): no feedback since \(iso(reference)) (silence_alert_after \(Self.describe(alerts.silenceAlertAfter)))")
            }
            for file in status.quarantined {
                report.needsPerson.append("partner \(id): \(file.name) quarantined: \(file.reason)")
            }
            for file in status.held {
                if now.timeIntervalSince(file.since) > alerts.heldAlertAfter.timeInterval {
                    report.needsPerson.append("partner \(id): \(file.name) held for \(Self.age(now.timeIntervalSince(file.since))): \(file.reason)")
                } else {
                    report.waiting.append("partner \(id): \(file.name) held: \(file.reason)")
                }
            }
            for file in status.pending { report.waiting.append("partner \(id): \(file.name) \(file.reason)") }
            for parked in status.parked {
                report.needsPerson.append("partner \(id): \(parked.job) parked after \(alerts.deadLetterAfter) failures with \(parked.errorCode); reload the service once fixed")
            }
            report.partners.append(status)
        }
        for (job, message) in lastFailures.sorted(by: { $0.key < $1.key }) {
            report.needsPerson.append("\(job) failed: \(message)")
        }
        report.certificates = certificates(config, now: now)
        for cert in report.certificates {
            if !cert.problems.isEmpty {
                report.needsPerson.append("\(cert.use) certificate \(cert.path): \(cert.problems.joined(separator: "; "))")
            } else if let days = cert.daysLeft, days < alerts.expiryWarningDays {
                report.needsPerson.append("\(cert.use) certificate \(cert.subject) expires in \(days) day(s)")
            }
        }
        return report
    }

    /// Every certificate the configuration names (ours and the CMS partners'), with its expiry.
    static func certificates(_ config: ArlinkConfiguration, now: Date) -> [CertificateFact] {
        var items: [KeyCheck.Item] = [
            .init(role: "company signing", certificatePath: config.company.signing.certificatePath, keyPath: nil),
            .init(role: "company encryption", certificatePath: config.company.encryption.certificatePath, keyPath: nil),
            .init(role: "company archive", certificatePath: config.company.archive.certificatePath, keyPath: nil),
        ]
        for partner in config.partners where partner.envelope == .cms {
            let id = partner.id.rawValue
            for path in partner.signingCertificates { items.append(.init(role: "\(id) signing", certificatePath: path, keyPath: nil)) }
            items.append(.init(role: "\(id) encryption", certificatePath: partner.encryptionCertificate, keyPath: nil))
            if let ca = partner.caCertificate { items.append(.init(role: "\(id) CA", certificatePath: ca, keyPath: nil)) }
        }
        return KeyCheck.run(items, now: now, warnDays: config.alerts.expiryWarningDays).map { row in
            CertificateFact(use: row.role, subject: row.subject ?? "", path: row.path, notAfter: row.notAfter, daysLeft: row.daysLeft, problems: row.problems)
        }
    }

    static func date(_ text: String) -> Date? {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? style.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    static func day(_ date: Date) -> String { String(iso(date).prefix(10)) }

    static func iso(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    /// `3d`, `6h`, `5m`, `90s`: the largest whole unit.
    static func describe(_ duration: Duration) -> String {
        let s = Int64(duration.timeInterval)
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3600 == 0 { return "\(s / 3600)h" }
        if s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }

    /// An age in words: `2d 3h`, `5h 10m`, `42s`.
    public static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s >= 86_400 { return "\(s / 86_400)d \((s % 86_400) / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h \((s % 3600) / 60)m" }
        if s >= 60 { return "\(s / 60)m \(s % 60)s" }
        return "\(s)s"
    }
}

extension StatusReport {
    /// The report for people: one block per partner, then certificates and the verdict.
    public func renderText() -> String {
        var lines = ["arlink status of \(instance) at \(Self.iso(generatedAt))"]
        func when(_ date: Date?) -> String {
            guard let date else { return "never" }
            return "\(Self.iso(date)) (\(Self.age(generatedAt.timeIntervalSince(date))) ago)"
        }
        for p in partners {
            lines.append("partner \(p.partner):")
            lines.append("  last outbound delivery: \(when(p.lastOutbound))")
            lines.append("  last inbound run:       \(when(p.lastInbound))")
            lines.append("  last feedback applied:  \(when(p.lastFeedback))")
            for f in p.pending { lines.append("  pending     \(f.name): \(f.reason) (\(Self.age(generatedAt.timeIntervalSince(f.since))))") }
            for f in p.held { lines.append("  held        \(f.name): \(f.reason) (\(Self.age(generatedAt.timeIntervalSince(f.since))))") }
            for f in p.quarantined { lines.append("  quarantined \(f.name): \(f.reason) (\(Self.age(generatedAt.timeIntervalSince(f.since))))") }
            for f in p.parked { lines.append("  parked      \(f.job): \(f.errorCode) since \(Self.iso(f.since))") }
            for r in p.nextRuns { lines.append("  next \(r.job) run: \(Self.iso(r.at))") }
        }
        lines.append("certificates:")
        for c in certificates {
            let expiry = c.notAfter.map { "\(Self.iso($0)) (\(c.daysLeft ?? 0) days left)" } ?? "unreadable"
            lines.append("  \(c.use): \(c.subject.isEmpty ? c.path : c.subject), not after \(expiry)" + (c.problems.isEmpty ? "" : " PROBLEM: \(c.problems.joined(separator: "; "))"))
        }
        lines.append(auditProblem.map { "audit log: NOT VERIFIED: \($0)" } ?? "audit log: verified, \(auditEntries) entries")
        if !needsPerson.isEmpty { lines.append("needs a person:"); lines += needsPerson.map { "  - \($0)" } }
        if !waiting.isEmpty { lines.append("waiting:"); lines += waiting.map { "  - \($0)" } }
        if needsPerson.isEmpty && waiting.isEmpty { lines.append("all is well") }
        return lines.joined(separator: "\n")
    }

    /// One JSON object (sorted keys; times as ISO 8601, ages in seconds).
    public func renderJSON() -> String {
        func file(_ f: FileFact) -> [String: Any] {
            ["name": f.name, "reason": f.reason, "since": Self.iso(f.since), "age_seconds": Int(generatedAt.timeIntervalSince(f.since))]
        }
        let partnerObjects: [[String: Any]] = partners.map { p in
            [
                "partner": p.partner,
                "last_outbound": p.lastOutbound.map(Self.iso) ?? NSNull(),
                "last_inbound": p.lastInbound.map(Self.iso) ?? NSNull(),
                "last_feedback": p.lastFeedback.map(Self.iso) ?? NSNull(),
                "pending": p.pending.map(file), "held": p.held.map(file), "quarantined": p.quarantined.map(file),
                "parked": p.parked.map { ["job": $0.job, "error_code": $0.errorCode, "since": Self.iso($0.since)] },
                "next_runs": p.nextRuns.map { ["job": $0.job, "at": Self.iso($0.at)] },
                "silent_since": p.silentSince.map(Self.iso) ?? NSNull(),
            ]
        }
        let object: [String: Any] = [
            "instance": instance,
            "generated_at": Self.iso(generatedAt),
            "partners": partnerObjects,
            "certificates": certificates.map { c -> [String: Any] in
                ["use": c.use, "subject": c.subject, "path": c.path, "not_after": c.notAfter.map(Self.iso) ?? NSNull(),
                 "days_left": c.daysLeft ?? NSNull(), "problems": c.problems]
            },
            "audit": ["verified": auditProblem == nil, "entries": Int(auditEntries), "problem": auditProblem ?? NSNull()] as [String: Any],
            "needs_person": needsPerson,
            "waiting": waiting,
            "exit_status": Int(exitStatus.rawValue),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
