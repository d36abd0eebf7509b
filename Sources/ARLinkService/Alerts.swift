public import ARLinkConfig
public import ARLinkCore
import ARLinkSystem
import ARLinkTransport
public import Foundation

/// One condition that deserves an alert, with a key that stays the same while it lasts.
public struct AlertCondition: Sendable, Hashable {
    /// `job_failed`, `file_quarantined`, `file_held`, `partner_silent`, `certificate_expiring`,
    /// `audit_not_verified`, `job_parked`.
    public var kind: String
    public var partner: String?
    /// What the condition is about (a job, a file, a certificate).
    public var subject: String
    public var summary: String

    public var key: String { [kind, partner ?? "", subject].joined(separator: "|") }

    public init(kind: String, partner: String?, subject: String, summary: String) {
        self.kind = kind
        self.partner = partner
        self.subject = subject
        self.summary = summary
    }

    /// The conditions a status and the live job failures show.
    public static func from(_ status: StatusReport, failures: [String: String], alerts: AlertSettings) -> [AlertCondition] {
        var conditions: [AlertCondition] = []
        for (job, message) in failures {
            let partner = job.split(separator: "/").dropFirst().first.map(String.init)
            conditions.append(.init(kind: "job_failed", partner: partner, subject: job, summary: "\(job) failed: \(message)"))
        }
        let now = status.generatedAt
        for p in status.partners {
            for f in p.quarantined {
                conditions.append(.init(kind: "file_quarantined", partner: p.partner, subject: f.name, summary: "partner \(p.partner): \(f.name) quarantined: \(f.reason)"))
            }
            for f in p.held where now.timeIntervalSince(f.since) > alerts.heldAlertAfter.timeInterval {
                conditions.append(.init(kind: "file_held", partner: p.partner, subject: f.name,
                                        summary: "partner \(p.partner): \(f.name) held for \(StatusReport.age(now.timeIntervalSince(f.since))): \(f.reason)"))
            }
            if let since = p.silentSince {
                conditions.append(.init(kind: "partner_silent", partner: p.partner, subject: "feedback",
                                        summary: "partner \(p.partner): no feedback since \(StatusReport.iso(since))"))
            }
            for parked in p.parked {
                conditions.append(.init(kind: "job_parked", partner: p.partner, subject: parked.job,
                                        summary: "partner \(p.partner): \(parked.job) parked after repeated failures with \(parked.errorCode)"))
            }
        }
        for c in status.certificates {
            if !c.problems.isEmpty {
                conditions.append(.init(kind: "certificate_expiring", partner: nil, subject: c.use, summary: "\(c.use) certificate \(c.path): \(c.problems.joined(separator: "; "))"))
            } else if let days = c.daysLeft, days < alerts.expiryWarningDays {
                conditions.append(.init(kind: "certificate_expiring", partner: nil, subject: c.use, summary: "\(c.use) certificate \(c.subject) expires in \(days) day(s)"))
            }
        }
        if let problem = status.auditProblem {
            conditions.append(.init(kind: "audit_not_verified", partner: nil, subject: "audit", summary: "the audit log does not verify: \(problem)"))
        }
        return conditions.sorted { $0.key < $1.key }
    }
}

/// One alert message: a condition that started (`firing`) or ended (`resolved`).
public struct AlertMessage: Sendable, Hashable {
    public var state: String
    public var condition: AlertCondition
    public var instance: String
    public var time: Date

    /// The webhook body: one JSON object with sorted keys.
    public var json: String {
        var object: [String: Any] = [
            "state": state, "kind": condition.kind, "subject": condition.subject, "summary": condition.summary,
            "instance": instance, "time": StatusReport.iso(time), "key": condition.key,
        ]
        object["partner"] = condition.partner ?? NSNull()
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public var subjectLine: String {
        "[arlink \(instance)] \(state == "firing" ? "ALERT" : "resolved"): \(condition.summary.prefix(120))"
    }
}

/// Tracks which conditions are active, so each is announced once while it lasts and once
/// more when it clears ("no storms").
public struct AlertTracker: Sendable {
    public private(set) var active: [String: AlertCondition] = [:]

    public init() {}

    /// The messages to send for the conditions seen now.
    public mutating func update(_ conditions: [AlertCondition], instance: String, now: Date) -> [AlertMessage] {
        var messages: [AlertMessage] = []
        let seen = Dictionary(conditions.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for (key, condition) in seen.sorted(by: { $0.key < $1.key }) where active[key] == nil {
            active[key] = condition
            messages.append(AlertMessage(state: "firing", condition: condition, instance: instance, time: now))
        }
        for (key, condition) in active.sorted(by: { $0.key < $1.key }) where seen[key] == nil {
            active[key] = nil
            messages.append(AlertMessage(state: "resolved", condition: condition, instance: instance, time: now))
        }
        return messages
    }
}

/// Delivers alert messages to the configured webhook and e-mail receivers, retrying the
/// webhook with doubling delays. Blocking: called on the service's worker thread.
public struct AlertSender: Sendable {
    public let settings: AlertSettings
    /// Where an e-mail is staged while it is sent (the private work folder).
    public let stagingFolder: String

    public init(settings: AlertSettings, stagingFolder: String) {
        self.settings = settings
        self.stagingFolder = stagingFolder
    }

    /// The result of one receiver: `sent`, or `failed` with the reason.
    public struct Outcome: Sendable {
        public var receiver: String
        public var ok: Bool
        public var detail: String
    }

    public func send(_ message: AlertMessage) -> [Outcome] {
        var outcomes: [Outcome] = []
        if let webhook = settings.webhook { outcomes.append(sendWebhook(message, webhook)) }
        if let email = settings.email { outcomes.append(sendEmail(message, email)) }
        return outcomes
    }

    func sendWebhook(_ message: AlertMessage, _ webhook: WebhookAlertSettings) -> Outcome {
        let body = message.json
        let secret: [UInt8]
        do { secret = try Self.readSecret(webhook.secretFile) } catch {
            return Outcome(receiver: "webhook", ok: false, detail: "\(error)")
        }
        let signature = "sha256=" + SHA256.hex(HMACSHA256.mac(key: secret, message: Array(body.utf8)))
        var delay = webhook.retryDelay.timeInterval
        var last = ""
        for attempt in 0...webhook.retries {
            if attempt > 0 {
                Thread.sleep(forTimeInterval: delay)
                delay *= 2
            }
            do {
                let status = try AlertDelivery.postJSON(url: webhook.url, body: body, headers: ["X-Arlink-Signature: \(signature)", "X-Arlink-Attempt: \(attempt + 1)"],
                                                        timeout: webhook.timeout, caFile: webhook.caFile)
                if (200..<300).contains(status) { return Outcome(receiver: "webhook", ok: true, detail: "HTTP \(status) after \(attempt + 1) attempt(s)") }
                last = "HTTP \(status)"
                if (400..<500).contains(status) && status != 429 && status != 408 { break }  // the receiver refuses it: retrying will not help
            } catch let error as TransportError {
                last = error.message
            } catch {
                last = "\(error)"
            }
        }
        return Outcome(receiver: "webhook", ok: false, detail: last)
    }

    func sendEmail(_ message: AlertMessage, _ email: EmailAlertSettings) -> Outcome {
        var password: [CChar]?
        defer { if password != nil { for i in password!.indices { password![i] = 0 } } }
        do {
            if let file = email.passwordFile { password = try Self.readSecret(file).map { CChar(bitPattern: $0) } + [0] }
            let date = Date().formatted(.dateTime.weekday(.abbreviated).day().month(.abbreviated).year().hour(.twoDigits(amPM: .omitted)).minute().second()
                .locale(Locale(identifier: "en_US_POSIX")))
            let lines = [
                "From: <\(email.from)>",
                "To: " + email.to.map { "<\($0)>" }.joined(separator: ", "),
                "Subject: \(message.subjectLine.filter { $0 != "\r" && $0 != "\n" })",
                "Date: \(date) +0000",
                "Message-ID: <\(UUID().uuidString.lowercased())@arlink.\(message.instance.filter { $0.isLetter || $0.isNumber || $0 == "-" })>",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "",
                message.condition.summary,
                "",
                "state: \(message.state)",
                "kind: \(message.condition.kind)",
                "partner: \(message.condition.partner ?? "-")",
                "instance: \(message.instance)",
                "time: \(StatusReport.iso(message.time))",
                "",
                "arlink status --config FILE shows the details.",
            ]
            // Dot-stuffing is libcurl's; lines are CRLF-terminated here.
            try AlertDelivery.sendMail(url: email.url, from: email.from, to: email.to, message: lines.joined(separator: "\r\n") + "\r\n",
                                       username: email.username, password: password, requireTLS: email.starttls == "required",
                                       caFile: email.caFile, timeout: email.timeout, stagingFolder: stagingFolder)
            return Outcome(receiver: "email", ok: true, detail: "sent to \(email.to.count) recipient(s)")
        } catch let error as TransportError {
            return Outcome(receiver: "email", ok: false, detail: error.message)
        } catch {
            return Outcome(receiver: "email", ok: false, detail: "\(error)")
        }
    }

    /// A secret file's bytes without a trailing newline; refused when group or others may read it.
    static func readSecret(_ path: String) throws -> [UInt8] {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw AlertSecretError(message: "the secret file \(path) may be read by group or others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AlertSecretError(message: "cannot read the secret file \(path)")
        }
        var bytes = [UInt8](data)
        while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
        return bytes
    }
}

struct AlertSecretError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// HMAC-SHA256 (RFC 2104) over the core module's SHA-256.
public enum HMACSHA256 {
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var key = key.count > blockSize ? SHA256.hash(key) : key
        key += [UInt8](repeating: 0, count: blockSize - key.count)
        let inner = SHA256.hash(key.map { $0 ^ 0x36 } + message)
        return SHA256.hash(key.map { $0 ^ 0x5c } + inner)
    }
}
