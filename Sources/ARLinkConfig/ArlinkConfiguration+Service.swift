import ARLinkCore
import Foundation

extension ArlinkConfiguration {
    /// `service:`: listen address, auth token, instance name and schedules (`arlink serve`).
    static func parseService(_ node: inout ConfigNode, partners: [PartnerSettings]) throws -> ServiceSettings {
        try node.refuseInlineSecrets(["auth_token", "token"])
        var settings = ServiceSettings(instance: try node.optionalString("instance") ?? Self.hostName())
        guard !settings.instance.isEmpty, settings.instance.utf8.count <= 64 else {
            throw ConfigError(.invalidValue, "\(node.keyPath("instance")): expected a name of 1 to 64 characters (default: the host name)")
        }
        if let listen = try node.optionalString("listen") {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port) else {
                throw ConfigError(.invalidValue, "\(node.keyPath("listen")): \"\(listen.prefix(60))\" is not HOST:PORT (e.g. 127.0.0.1:9464)")
            }
            var host = String(listen[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else {
                throw ConfigError(.invalidValue, "\(node.keyPath("listen")): \"\(listen.prefix(60))\" names no host (e.g. 127.0.0.1:9464)")
            }
            settings.listenHost = host
            settings.listenPort = port
        }
        settings.authTokenFile = try node.optionalPath("auth_token_file", mustExist: true)
        if !ServiceSettings.isLoopback(settings.listenHost) && settings.authTokenFile == nil {
            throw ConfigError(.missingKey, "\(node.keyPath("auth_token_file")): service.listen \(settings.listenHost):\(settings.listenPort) is not on loopback, so every request must carry a bearer token: name a file holding it (owner-only permissions), or listen on 127.0.0.1")
        }
        for var item in try node.childList("schedules") ?? [] {
            let jobText = try item.string("job", hint: "outbound, inbound or keys-check")
            guard let job = ScheduledJobKind(rawValue: jobText) else {
                let hint = NameSuggestion.nearest(to: jobText, among: ScheduledJobKind.allCases.map(\.rawValue)).map { "did you mean \($0)? " } ?? ""
                throw ConfigError(.invalidValue, "\(item.keyPath("job")): \"\(jobText.prefix(30))\" is not a job; \(hint)expected outbound, inbound or keys-check")
            }
            let partner = try item.optionalString("partner")
            if let partner {
                guard job != .keysCheck else {
                    throw ConfigError(.invalidValue, "\(item.keyPath("partner")): keys-check checks every key at once and takes no partner; remove partner")
                }
                guard partners.contains(where: { $0.id.rawValue == partner }) else {
                    throw ConfigError(.unknownPartner, "\(item.keyPath("partner")): partner \"\(partner.prefix(40))\" is not configured (configured: \(partners.map(\.id.rawValue).joined(separator: ", ")))")
                }
            }
            let cronText = try item.optionalString("cron")
            let everyText = try item.optionalString("every")
            let zoneText = try item.optionalString("time_zone")
            let timing: ScheduleTiming
            switch (cronText, everyText) {
            case (let cron?, nil):
                let expression: CronExpression
                do { expression = try CronExpression(cron) } catch let error as CronError {
                    throw ConfigError(.invalidValue, "\(item.keyPath("cron")): \(error.message)")
                }
                let zoneName = zoneText ?? "UTC"
                guard let zone = TimeZone(identifier: zoneName) else {
                    throw ConfigError(.invalidValue, "\(item.keyPath("time_zone")): \"\(zoneName.prefix(40))\" is not a time zone (expected an IANA name such as Asia/Jakarta or Europe/Berlin; default UTC)")
                }
                timing = .cron(expression, zone)
            case (nil, let every?):
                guard let duration = DurationText.parse(every), duration >= .seconds(1) else {
                    throw ConfigError(.invalidValue, "\(item.keyPath("every")): \"\(every.prefix(20))\" is not a duration (a whole number and s, m, h or d, at least 1s: 90s, 5m, 6h, 1d)")
                }
                if zoneText != nil {
                    throw ConfigError(.invalidValue, "\(item.keyPath("time_zone")): applies to cron schedules only; an every: interval counts from the service's start")
                }
                timing = .every(duration)
            case (nil, nil):
                throw ConfigError(.missingKey, "\(item.path): give cron: (five fields, e.g. \"0 2 * * 1-5\") or every: (e.g. 5m)")
            case (_?, _?):
                throw ConfigError(.invalidValue, "\(item.keyPath("every")): give cron: or every:, not both")
            }
            var jitter = Duration.zero
            if let jitterText = try item.optionalString("jitter") {
                guard let value = DurationText.parse(jitterText) else {
                    throw ConfigError(.invalidValue, "\(item.keyPath("jitter")): \"\(jitterText.prefix(20))\" is not a duration (e.g. 30s or 5m)")
                }
                jitter = value
            }
            try item.finish()
            settings.schedules.append(ScheduleSettings(job: job, partner: partner, timing: timing, jitter: jitter))
        }
        try node.finish()
        return settings
    }

    /// `alerts:`: webhook, e-mail and the alert thresholds.
    static func parseAlerts(_ node: inout ConfigNode) throws -> AlertSettings {
        var settings = AlertSettings()
        func duration(_ node: inout ConfigNode, _ key: String, default value: Duration) throws -> Duration {
            guard let text = try node.optionalString(key) else { return value }
            guard let parsed = DurationText.parse(text), parsed > .zero else {
                throw ConfigError(.invalidValue, "\(node.keyPath(key)): \"\(text.prefix(20))\" is not a duration (a whole number and s, m, h or d: 90s, 5m, 6h, 3d)")
            }
            return parsed
        }
        settings.heldAlertAfter = try duration(&node, "held_alert_after", default: settings.heldAlertAfter)
        settings.silenceAlertAfter = try duration(&node, "silence_alert_after", default: settings.silenceAlertAfter)
        settings.expiryWarningDays = try node.int("expiry_warning_days", default: 30, range: 1...365)
        settings.deadLetterAfter = try node.int("dead_letter_after", default: 5, range: 1...1000)
        if var webhook = try node.optionalChild("webhook") {
            try webhook.refuseInlineSecrets()
            let url = try webhook.string("url", hint: "where alerts are POSTed, e.g. https://alerts.example.com/arlink")
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw ConfigError(.invalidValue, "\(webhook.keyPath("url")): expected an http:// or https:// URL")
            }
            if url.hasPrefix("http://"), !ServiceSettings.isLoopback(URLComponents(string: url)?.host ?? "") {
                throw ConfigError(.invalidValue, "\(webhook.keyPath("url")): http:// only to a loopback host (a local relay); use https:// for \(URLComponents(string: url)?.host ?? "this host")")
            }
            var w = WebhookAlertSettings(url: url, secretFile: try webhook.path("secret_file", mustExist: true))
            w.retries = try webhook.int("retries", default: 3, range: 0...10)
            w.retryDelay = try duration(&webhook, "retry_delay", default: w.retryDelay)
            w.timeout = try duration(&webhook, "timeout", default: w.timeout)
            w.caFile = try webhook.optionalPath("ca_file", mustExist: true)
            try webhook.finish()
            settings.webhook = w
        }
        if var email = try node.optionalChild("email") {
            try email.refuseInlineSecrets()
            let url = try email.string("url", hint: "the SMTP server, smtp://mail.example.com:587 (STARTTLS) or smtps://mail.example.com:465")
            guard url.hasPrefix("smtp://") || url.hasPrefix("smtps://") else {
                throw ConfigError(.invalidValue, "\(email.keyPath("url")): expected smtp://HOST:PORT (STARTTLS) or smtps://HOST:PORT")
            }
            let from = try email.string("from", hint: "the sender address")
            guard let to = try email.stringList("to"), !to.isEmpty else {
                throw ConfigError(.missingKey, "\(email.keyPath("to")): missing required list of recipient addresses")
            }
            for (i, address) in ([from] + to).enumerated() where !address.contains("@") || address.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" }) {
                throw ConfigError(.invalidValue, "\(i == 0 ? email.keyPath("from") : email.keyPath("to") + "[\(i - 1)]"): \"\(address.prefix(60))\" is not an e-mail address")
            }
            var e = EmailAlertSettings(url: url, from: from, to: to)
            e.username = try email.optionalString("username")
            e.passwordFile = try email.optionalPath("password_file", mustExist: true)
            e.starttls = try email.optionalString("starttls") ?? "required"
            guard ["required", "optional"].contains(e.starttls) else {
                throw ConfigError(.invalidValue, "\(email.keyPath("starttls")): expected required (default) or optional")
            }
            e.caFile = try email.optionalPath("ca_file", mustExist: true)
            e.timeout = try duration(&email, "timeout", default: e.timeout)
            try email.finish()
            settings.email = e
        }
        try node.finish()
        return settings
    }

    static func hostName() -> String {
        let name = ProcessInfo.processInfo.hostName
        return name.isEmpty ? "arlink" : String(name.prefix(64))
    }
}
