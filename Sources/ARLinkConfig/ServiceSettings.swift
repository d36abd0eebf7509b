public import Foundation

/// `arlink serve` (the `service:` section): where it listens, its name, and what it runs when.
public struct ServiceSettings: Sendable {
    /// Host (an IP address or `localhost`) and port of the HTTP endpoints; default `127.0.0.1:9464`
    /// (port 0 takes a free port, printed at start).
    public var listenHost: String = "127.0.0.1"
    public var listenPort: Int = 9464
    /// A file holding the bearer token every request must carry (`Authorization: Bearer ...`);
    /// required when ``listenHost`` is not a loopback address.
    public var authTokenFile: String?
    /// This instance's name in metrics, alerts and the status (default: the host name).
    public var instance: String
    public var schedules: [ScheduleSettings] = []

    public init(instance: String) {
        self.instance = instance
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, `::1`, `localhost`).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

/// A job the service runs on a schedule (`service.schedules[]`).
public enum ScheduledJobKind: String, Sendable, Hashable, CaseIterable {
    case outbound
    case inbound
    case keysCheck = "keys-check"
}

/// When a schedule fires: a cron expression in a time zone, or a fixed interval.
public enum ScheduleTiming: Sendable, Hashable {
    case cron(CronExpression, TimeZone)
    case every(Duration)
}

/// One schedule: a job, optionally one partner, when, and a random delay of up to `jitter`.
public struct ScheduleSettings: Sendable, Hashable {
    public var job: ScheduledJobKind
    /// Only this partner; nil for every configured partner (as the command without `--partner`).
    public var partner: String?
    public var timing: ScheduleTiming
    /// Each firing waits a random time from zero to this before it runs (spreads load).
    public var jitter: Duration = .zero

    public init(job: ScheduledJobKind, partner: String? = nil, timing: ScheduleTiming, jitter: Duration = .zero) {
        self.job = job
        self.partner = partner
        self.timing = timing
        self.jitter = jitter
    }

    /// A short name for logs and metrics: `outbound`, `inbound/kolekta`.
    public var name: String { partner.map { "\(job.rawValue)/\($0)" } ?? job.rawValue }
}

/// Who is told when something goes wrong (the `alerts:` section), and when.
public struct AlertSettings: Sendable {
    public var webhook: WebhookAlertSettings?
    public var email: EmailAlertSettings?
    /// A feedback file held (a sequence gap) longer than this raises an alert (default 6 h).
    public var heldAlertAfter: Duration = .seconds(6 * 3600)
    /// No feedback from a partner for this long raises an alert (default 3 days).
    public var silenceAlertAfter: Duration = .seconds(3 * 86_400)
    /// A certificate or key expiring within this many days raises an alert (default 30).
    public var expiryWarningDays: Int = 30
    /// A job that fails the same way this many times in a row for a partner is parked:
    /// the service stops running it for that partner until the configuration is reloaded (default 5).
    public var deadLetterAfter: Int = 5

    public init() {}
}

/// A JSON POST of each alert, signed with HMAC-SHA256 over the body (`X-Arlink-Signature: sha256=HEX`).
public struct WebhookAlertSettings: Sendable, Hashable {
    public var url: String
    /// The HMAC key, read from this file (owner-only permissions).
    public var secretFile: String
    /// Attempts after the first, with doubling delays from ``retryDelay`` (default 3).
    public var retries: Int = 3
    public var retryDelay: Duration = .seconds(2)
    public var timeout: Duration = .seconds(10)
    /// A CA file for an https URL with a private CA.
    public var caFile: String?
}

/// An e-mail for each alert, through SMTP with STARTTLS (libcurl).
public struct EmailAlertSettings: Sendable, Hashable {
    /// `smtp://host:port` (STARTTLS required unless ``starttls`` is `optional`) or `smtps://host:port`.
    public var url: String
    public var from: String
    public var to: [String]
    public var username: String?
    public var passwordFile: String?
    /// `required` (default) or `optional` (only for a relay on loopback).
    public var starttls: String = "required"
    /// A CA file for the server's certificate (a private CA).
    public var caFile: String?
    public var timeout: Duration = .seconds(20)
}

/// Durations in the configuration: a whole number followed by `s`, `m`, `h` or `d` (`90s`, `5m`, `6h`, `3d`).
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        guard let unit = text.last, let n = Int64(text.dropLast()), n >= 0 else { return nil }
        let factor: Int64
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        default: return nil
        }
        let (seconds, overflow) = n.multipliedReportingOverflow(by: factor)
        return overflow ? nil : .seconds(seconds)
    }
}
