import ARLinkConfig
import ARLinkCore
import ARLinkJobs
import ARLinkTransport
import ArgumentParser
import Foundation

/// `arlink transport`: partner onboarding checks for the configured transport.
struct TransportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Check the transport to a partner.",
        subcommands: [Test.self]
    )

    /// `arlink transport test --config FILE --partner NAME`.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect, show the pinned and presented host key, check the folders, list the outbox, upload and remove a probe file.",
            discussion: """
                Partner onboarding starts here. Each step prints OK or FAIL with what was seen; a failure says \
                what to fix. Exit status: 0 when every step passed, otherwise that of the first failure \
                (69 unreachable, 75 temporary, 77 host key or login refused, 78 configuration).
                """
        )

        @OptionGroup var common: CommonOptions

        @Option(help: "The partner id, as in the configuration's partners list.")
        var partner: String

        func run() throws {
            try Console.run(common.logFormat) {
                let config = try ArlinkConfiguration.load(path: common.config)
                let partnerSettings = try config.partner(partner)
                let report = TransportDiagnostics.run(RunContext.transportSettings(partnerSettings))
                for check in report.checks {
                    if common.logFormat == .json {
                        print(JSONLine.encode(["step": check.step, "ok": check.ok ? "true" : "false", "detail": check.detail, "code": check.error?.codeName ?? ""]))
                    } else {
                        print("\(check.ok ? "OK  " : "FAIL") \(check.step): \(check.detail)")
                    }
                }
                if report.exitStatus != .success {
                    if common.logFormat != .json {
                        print("transport test for \(partner) failed (exit \(report.exitStatus.rawValue), \(report.exitStatus))")
                    }
                    throw ExitCode(report.exitStatus.rawValue)
                }
                if common.logFormat != .json {
                    print("transport test for \(partner) passed")
                }
            }
        }
    }
}
