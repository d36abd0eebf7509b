import ARLinkConfig
import ARLinkCore
import ARLinkTestSupport
import Foundation
import Testing

/// The `service:` and `alerts:` sections: defaults, and every mistake refused with its key.
@Suite("Configuration: service and alerts")
struct ServiceConfigTests {
    /// The demo configuration (example keys beside it) with `extra` appended.
    static func load(_ extra: String, files: [String: String] = [:]) throws -> ArlinkConfiguration {
        let dir = try TemporaryDirectory("svc-config")
        defer { dir.remove() }
        try RepositoryPaths.copyExampleKeys(to: dir.path)
        for (name, text) in files { _ = try dir.write(name, text) }
        let yaml = try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8)
        _ = try dir.write("arlink.yaml", yaml + "\n" + extra + "\n")
        return try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
    }

    @Test("defaults: no service section, alerts at 6h, 3d, 30 days and 5 failures; a full section parses")
    func defaults() throws {
        let plain = try Self.load("")
        #expect(plain.service == nil)
        #expect(plain.alerts.heldAlertAfter == .seconds(21_600))
        #expect(plain.alerts.silenceAlertAfter == .seconds(259_200))
        #expect(plain.alerts.expiryWarningDays == 30)
        #expect(plain.alerts.deadLetterAfter == 5)
        let full = try Self.load("""
            service:
              schedules:
                - job: outbound
                  partner: acme-collect
                  cron: "0 2 * * 1-5"
                  time_zone: Asia/Jakarta
                  jitter: 5m
                - job: keys-check
                  every: 1d
            """)
        let service = try #require(full.service)
        #expect(service.listenHost == "127.0.0.1" && service.listenPort == 9464)
        #expect(!service.instance.isEmpty)
        #expect(service.schedules.count == 2)
        #expect(service.schedules[0].name == "outbound/acme-collect")
        #expect(service.schedules[0].jitter == .seconds(300))
        guard case .cron(let cron, let zone) = service.schedules[0].timing else { Issue.record("not cron"); return }
        #expect(cron.text == "0 2 * * 1-5" && zone.identifier == "Asia/Jakarta")
        #expect(service.schedules[1].timing == .every(.seconds(86_400)))
    }

    @Test("mistakes are refused naming the key and the fix", arguments: [
        ("service:\n  listen: 0.0.0.0:9464", "service.auth_token_file: service.listen 0.0.0.0:9464 is not on loopback"),
        ("service:\n  listen: localhost", "service.listen: \"localhost\" is not HOST:PORT"),
        ("service:\n  auth_token: abc", "service.auth_token: secrets are never written inline"),
        ("service:\n  schedules:\n    - job: outbond\n      every: 5m", "did you mean outbound?"),
        ("service:\n  schedules:\n    - job: inbound", "service.schedules[0]: give cron:"),
        ("service:\n  schedules:\n    - job: inbound\n      every: 5m\n      cron: \"* * * * *\"", "give cron: or every:, not both"),
        ("service:\n  schedules:\n    - job: inbound\n      every: 5 minutes", "service.schedules[0].every: \"5 minutes\" is not a duration"),
        ("service:\n  schedules:\n    - job: inbound\n      cron: \"0 2 * *\"", "service.schedules[0].cron: \"0 2 * *\" has 4 field(s)"),
        ("service:\n  schedules:\n    - job: inbound\n      cron: \"0 2 * * *\"\n      time_zone: Asia/Jakartaa", "service.schedules[0].time_zone: \"Asia/Jakartaa\" is not a time zone"),
        ("service:\n  schedules:\n    - job: inbound\n      every: 5m\n      time_zone: UTC", "applies to cron schedules only"),
        ("service:\n  schedules:\n    - job: inbound\n      partner: nobody\n      every: 5m", "partner \"nobody\" is not configured"),
        ("service:\n  schedules:\n    - job: keys-check\n      partner: acme-collect\n      every: 5m", "takes no partner"),
        ("service:\n  schedules:\n    - job: inbound\n      every: 5m\n      jiter: 1m", "service.schedules[0].jiter: unknown key; did you mean jitter?"),
        ("alerts:\n  held_alert_after: 6 hours", "alerts.held_alert_after: \"6 hours\" is not a duration"),
        ("alerts:\n  webhook:\n    url: ftp://x\n    secret_file: arlink.yaml", "alerts.webhook.url: expected an http:// or https:// URL"),
        ("alerts:\n  webhook:\n    url: http://alerts.example.com/x\n    secret_file: arlink.yaml", "http:// only to a loopback host"),
        ("alerts:\n  webhook:\n    url: https://alerts.example.com/x\n    secret: abc", "alerts.webhook.secret: secrets are never written inline"),
        ("alerts:\n  email:\n    url: smtp://mail.example.com:587\n    from: arlink@example.com\n    to: [ops]", "alerts.email.to[0]: \"ops\" is not an e-mail address"),
        ("alerts:\n  email:\n    url: smtp://mail.example.com:587\n    from: arlink@example.com\n    to: [ops@example.com]\n    starttls: never", "alerts.email.starttls: expected required (default) or optional"),
    ])
    func mistakes(extra: String, expected: String) throws {
        do {
            _ = try Self.load(extra)
            Issue.record("expected an error containing \(expected)")
        } catch let error as ConfigError {
            #expect(error.message.contains(expected), "got: \(error.message)")
            #expect(error.exitStatus.rawValue == 78)
        }
    }
}
