import ArgumentParser
import ARLinkAudit
import ARLinkConfig
import ARLinkCore
import ARLinkInbound
import ARLinkJobs
import ARLinkTransport
import Foundation

/// `arlink config`: the configuration on its own.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration.",
        subcommands: [Check.self]
    )

    /// `arlink config check --config FILE`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load, validate and resolve the configuration, check what a run needs, and print the effective configuration.",
            discussion: """
                Prints the configuration with every default filled in and every path absolute (passphrases \
                appear only as the file or environment variable they come from), then one line per check: \
                our keys and the audit key, each partner's certificates and trust files, transport files \
                (SFTP client key, known_hosts, HTTPS CA and client pair), the state database and ERP import \
                folder, each partner's transfer basis (as an outbound run checks it today) and remote folders (this connects to SFTP servers). Creates, locks \
                and records nothing. Exit status as a run's: 0 when every check passed, otherwise that of \
                the first failure (66 unreadable file, 69 unreachable, 75 temporary, 77 permissions or \
                trust, 78 configuration).
                """
        )

        @OptionGroup var common: CommonOptions

        func run() throws {
            try Console.run(common.logFormat) {
                let config = try ArlinkConfiguration.load(path: common.config)
                if common.logFormat == .human { print(EffectiveConfiguration.render(config)) }
                var checks: [(step: String, failure: (any ARLinkFailure)?, detail: String)] = []
                func check(_ step: String, _ body: () throws -> String) {
                    do {
                        checks.append((step, nil, try body()))
                    } catch let failure as any ARLinkFailure {
                        checks.append((step, failure, failure.message))
                    } catch {
                        checks.append((step, UnexpectedFailure(description: "\(error)"), "\(error)"))
                    }
                }
                check("keys and trust") {
                    let warnings = try RunContext.checkKeysAndTrust(config, partners: config.partners, now: Date())
                    return warnings.isEmpty ? "our keys, the partners' certificates and trust files, and the transports' key files are usable"
                        : "usable; warnings: " + warnings.joined(separator: "; ")
                }
                check("audit key") {
                    if config.audit.passphrase != nil {
                        throw ConfigError(.invalidValue, "audit.passphrase_file/passphrase_env: an encrypted audit key is not supported yet; store the Ed25519 audit key unencrypted with mode 0600")
                    }
                    _ = try AuditSigner(privateKeyPath: config.audit.keyPath, keyName: config.audit.origin)
                    return config.audit.keyPath
                }
                check("state database") {
                    try config.state.requireSQLite(for: "a job")
                    if FileManager.default.fileExists(atPath: config.state.databasePath) { return "\(config.state.databasePath) exists" }
                    guard config.state.create else {
                        throw ConfigError(.missingFile, "state.database: \(config.state.databasePath) does not exist; for a new installation run `arlink init --config \(config.sourcePath)`, otherwise correct the path")
                    }
                    return "\(config.state.databasePath) does not exist yet; the first run creates it (state.create: true)"
                }
                check("erp import folder") {
                    try ERPImportFolder.require(config.erp.updatesFolder)
                    return "\(config.erp.updatesFolder) exists"
                }
                let today = LocalDate(utcDayOf: Date())
                for partner in config.partners {
                    check("\(partner.id.rawValue) transfer basis") {
                        switch partner.transferDecision(companyCountry: config.company.country, on: today) {
                        case .allowed(let basis): return "\(basis.rawValue), valid today"
                        case .refused(_, let message): throw ConfigError(.transferRefused, message)
                        }
                    }
                    check("\(partner.id.rawValue) folders") {
                        try RunContext.checkTransportFiles(partner)
                        return try makeTransport(RunContext.transportSettings(partner)).checkFolders()
                    }
                }
                for item in checks {
                    let ok = item.failure == nil
                    if common.logFormat == .json {
                        print(JSONLine.encode(["step": item.step, "ok": ok ? "true" : "false", "detail": item.detail,
                                               "code": item.failure?.codeName ?? ""]))
                    } else {
                        print("\(ok ? "OK  " : "FAIL") \(item.step): \(item.detail)")
                    }
                }
                if let first = checks.first(where: { $0.failure != nil }), let failure = first.failure {
                    throw ConfigCheckFailed(first: failure, step: first.step, count: checks.filter { $0.failure != nil }.count)
                }
            }
        }
    }
}

/// A check of `arlink config check` failed; exits with the status of the first failure.
struct ConfigCheckFailed: ARLinkFailure {
    let first: any ARLinkFailure
    let step: String
    let count: Int
    var codeName: String { first.codeName }
    var message: String { "\(count) check(s) failed; the first, \(step), with exit status \(first.exitStatus.rawValue) (see the lines marked FAIL)" }
    var exitStatus: ExitStatus { first.exitStatus }
}

/// An error that is not one of arlink's own (exit 70).
struct UnexpectedFailure: ARLinkFailure {
    let description: String
    var codeName: String { "internal" }
    var message: String { description }
    var exitStatus: ExitStatus { .software }
}
