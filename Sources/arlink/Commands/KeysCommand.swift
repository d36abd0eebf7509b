import ARLinkSystem
import ArgumentParser
import ARLinkConfig
import ARLinkCore
import ARLinkEnvelope
import ARLinkAudit
import ARLinkJobs
import ARLinkStore
import ARLinkTransport
import Foundation

/// `arlink keys`: checks every key and certificate the configuration names.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Check keys and certificates.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One row per key and certificate: role, subject, fingerprint, expiry, usage, permissions, pairing.",
            discussion: "Warns when a certificate expires within 30 days. Exits 77 when any key or certificate is unusable."
        )

        @OptionGroup var common: CommonOptions

        func run() throws {
            try Console.run(common.logFormat) {
                let config = try ArlinkConfiguration.load(path: common.config)
                let reporter = ConsoleReporter(format: common.logFormat)
                // The run lock first, like every job: a check while a run holds it stops with 75.
                let context = try Self.context(config, reporter: reporter)
                let rows = KeyCheck.run(Self.items(config)) + Self.openPGPRows(config) + Self.transportRows(config) + config.partners.filter { $0.envelope == .cms }.map { partner in
                    KeyCheck.trust(role: "\(partner.id.rawValue) trust (\(partner.trust))", policy: RunContext.trustPolicy(for: partner, now: Date()))
                }
                print(common.logFormat == .json ? Self.json(rows) : Self.table(rows))
                if let context { Self.record(rows, context: context, reporter: reporter) }
                if rows.contains(where: { !$0.ok }) {
                    throw KeysCheckFailed(count: rows.filter { !$0.ok }.count)
                }
            }
        }

        static func items(_ config: ArlinkConfiguration) -> [KeyCheck.Item] {
            func pass(_ p: PassphraseSource?) -> Passphrase? {
                switch p {
                case .file(let path)?: .file(path)
                case .environment(let name)?: .environment(name)
                case nil: nil
                }
            }
            let c = config.company
            var items: [KeyCheck.Item] = [
                .init(role: "company signing", certificatePath: c.signing.certificatePath, keyPath: c.signing.keyPath,
                      passphrase: pass(c.signing.passphrase), requiredUsage: .digitalSignature),
                .init(role: "company encryption", certificatePath: c.encryption.certificatePath, keyPath: c.encryption.keyPath,
                      passphrase: pass(c.encryption.passphrase), requiredUsage: .encryption),
                .init(role: "company archive", certificatePath: c.archive.certificatePath, keyPath: c.archive.keyPath,
                      passphrase: pass(c.archive.passphrase), requiredUsage: .encryption),
                .init(role: "audit key", certificatePath: nil, keyPath: config.audit.keyPath, passphrase: pass(config.audit.passphrase)),
            ]
            for partner in config.partners where partner.envelope == .cms {
                let id = partner.id.rawValue
                for path in partner.signingCertificates {
                    items.append(.init(role: "\(id) signing", certificatePath: path, keyPath: nil, requiredUsage: .digitalSignature))
                }
                if let ca = partner.caCertificate { items.append(.init(role: "\(id) CA", certificatePath: ca, keyPath: nil)) }
                items.append(.init(role: "\(id) encryption", certificatePath: partner.encryptionCertificate, keyPath: nil, requiredUsage: .encryption))
                if case .https(let https) = partner.transport {
                    if let ca = https.caFile { items.append(.init(role: "\(id) https CA", certificatePath: ca, keyPath: nil)) }
                    if https.clientCertificatePath != nil || https.clientKeyPath != nil {
                        items.append(.init(role: "\(id) https client", certificatePath: https.clientCertificatePath, keyPath: https.clientKeyPath,
                                           passphrase: pass(https.clientKeyPassphrase)))
                    }
                }
            }
            return items
        }

        /// Rows for our OpenPGP key, our earlier keys still accepted for decryption and our
        /// archive certificate (`company.openpgp`), and every OpenPGP partner's pinned
        /// certificates in their window today (the one we encrypt to must also encrypt; a pin
        /// outside its window is listed as such, and no pin we can encrypt to fails the partner).
        static func openPGPRows(_ config: ArlinkConfiguration, now: Date = Date()) -> [KeyCheck.Row] {
            var rows: [KeyCheck.Row] = []
            if let ours = config.company.openPGP {
                rows.append(KeyCheck.openPGP(role: "company OpenPGP key", path: ours.keyPath, secret: true, passphrase: ours.passphrase.map(RunContext.passphrase),
                                             needsSigning: true, needsEncryption: true, now: now))
                for previous in ours.previousKeys {
                    rows.append(KeyCheck.openPGP(role: "company OpenPGP key (previous, decrypts only)", path: previous.keyPath, secret: true,
                                                 passphrase: previous.passphrase.map(RunContext.passphrase), needsSigning: false, needsEncryption: true, now: now))
                }
                rows.append(KeyCheck.openPGP(role: "company OpenPGP archive", path: ours.archiveCertificatePath, secret: false,
                                             needsSigning: false, needsEncryption: true, now: now))
            }
            let today = LocalDate(utcDayOf: now)
            for partner in config.partners where partner.envelope == .openpgp {
                let encryptTo = try? RunContext.openPGPEncryptionPin(for: partner, now: now).fingerprint
                for pin in partner.openPGP?.certificates ?? [] {
                    let role = "\(partner.id.rawValue) OpenPGP certificate"
                    guard pin.isInWindow(on: today) else {
                        var row = KeyCheck.openPGP(role: role, path: pin.path, secret: false, expectedFingerprint: pin.fingerprint,
                                                   needsSigning: false, needsEncryption: false, now: now)
                        row.warnings.append("outside its pinned window today (\(pin.windowText)); not trusted now")
                        rows.append(row)
                        continue
                    }
                    var row = KeyCheck.openPGP(role: role + (pin.fingerprint == encryptTo ? " (we encrypt to it)" : ""), path: pin.path, secret: false,
                                               expectedFingerprint: pin.fingerprint, needsSigning: true,
                                               needsEncryption: pin.fingerprint == encryptTo, now: now)
                    if let until = pin.validUntil, until.daysSinceEpoch - today.daysSinceEpoch <= 30 {
                        row.warnings.append("its pinned window ends on \(until)")
                    }
                    rows.append(row)
                }
                if encryptTo == nil, let first = partner.openPGP?.certificates.first {
                    var row = KeyCheck.openPGP(role: "\(partner.id.rawValue) OpenPGP encryption", path: first.path, secret: false,
                                               expectedFingerprint: first.fingerprint, needsSigning: false, needsEncryption: false, now: now)
                    row.problems.append("no pinned certificate can be encrypted to today")
                    rows.append(row)
                }
            }
            return rows
        }

        /// One row per SFTP client key (owner-only, Ed25519 or ECDSA) and one per transport
        /// whose other local settings fail (``RunContext/checkTransportFiles(_:)``).
        static func transportRows(_ config: ArlinkConfiguration) -> [KeyCheck.Row] {
            config.partners.compactMap { partner in
                let id = partner.id.rawValue
                if case .sftp(let sftp) = partner.transport {
                    return KeyCheck.external(role: "\(id) sftp client key", path: sftp.privateKeyPath) {
                        guard case .sftp(let settings) = RunContext.transportSettings(partner) else { return "" }
                        let algorithm = try settings.checkClientKey()
                        try RunContext.checkTransportFiles(partner)
                        return algorithm
                    }
                }
                guard case .https = partner.transport else { return nil }
                let row = KeyCheck.external(role: "\(id) https transport", path: config.sourcePath) {
                    try RunContext.checkTransportFiles(partner)
                    return ""
                }
                return row.ok ? nil : row
            }
        }

        /// The run context the check is recorded through, holding the run lock. When the state or
        /// the audit key itself is unusable, says so and goes on without it: the check's own
        /// output still stands.
        /// - Throws: ``JobError`` `.busy` (exit 75) when a run holds the lock; ``AuditError``
        ///   `.unanchored` (exit 77) when the audit log does not extend its newest checkpoint
        ///   (nothing is signed over such a log).
        static func context(_ config: ArlinkConfiguration, reporter: ConsoleReporter) throws -> RunContext? {
            do {
                return try RunContext(config: config, reporter: reporter)
            } catch let error as JobError where error.code == .busy {
                throw error
            } catch let error as AuditError where error.code == .unanchored {
                throw error
            } catch {
                reporter.warning("the key check cannot be recorded in the audit log: \(error)")
                return nil
            }
        }

        /// Records the check in the audit log (fingerprints and outcomes only).
        static func record(_ rows: [KeyCheck.Row], context: RunContext, reporter: ConsoleReporter) {
            do {
                let failed = rows.filter { !$0.ok }.count
                var detail: [String: String] = ["checked": String(rows.count), "failed": String(failed),
                                                "warnings": String(rows.filter { !$0.warnings.isEmpty }.count)]
                for (i, row) in rows.enumerated() {
                    detail["item\(i)"] = (row.ok ? "ok:" : "fail:") + (row.fingerprint.map { String($0.prefix(16)) } ?? "key")
                }
                try context.store.write { db in
                    try context.audit.append([AuditEvent(action: "keys.checked", outcome: failed == 0 ? "ok" : "refused",
                                                         errorCode: failed == 0 ? nil : "keys.check_failed", detail: detail)], in: db)
                }
                _ = try context.audit.checkpoint()
            } catch {
                reporter.warning("the key check could not be recorded in the audit log: \(error)")
            }
        }

        static func table(_ rows: [KeyCheck.Row]) -> String {
            var lines: [String] = []
            for row in rows {
                let status = row.ok ? (row.warnings.isEmpty ? "ok" : "WARN") : "FAIL"
                lines.append("[\(status)] \(row.role): \(row.path)")
                if let subject = row.subject { lines.append("    subject:     \(subject)") }
                if let fp = row.fingerprint { lines.append("    sha256:      \(fp)") }
                if let notAfter = row.notAfter {
                    lines.append("    not after:   \(notAfter.formatted(Date.ISO8601FormatStyle())) (\(row.daysLeft ?? 0) days left)")
                }
                if !row.usage.isEmpty { lines.append("    usage:       \(row.usage.joined(separator: ", "))") }
                if let alg = row.keyAlgorithm { lines.append("    key:         \(alg)") }
                if let perm = row.permissions { lines.append("    permissions: \(perm)") }
                if let pair = row.pairMatches { lines.append("    key pair:    \(pair ? "matches" : "DOES NOT MATCH")") }
                for w in row.warnings { lines.append("    warning:     \(w)") }
                for p in row.problems { lines.append("    problem:     \(p)") }
            }
            let failed = rows.filter { !$0.ok }.count
            lines.append(failed == 0 ? "All \(rows.count) keys and certificates are usable." : "\(failed) of \(rows.count) keys or certificates are NOT usable.")
            return lines.joined(separator: "\n")
        }

        /// One JSON array of rows; numbers and booleans as such, absent values as null.
        static func json(_ rows: [KeyCheck.Row]) -> String {
            let objects: [[String: Any]] = rows.map { row in
                ["role": row.role, "path": row.path, "ok": row.ok, "problems": row.problems, "warnings": row.warnings,
                 "subject": row.subject ?? NSNull(), "sha256": row.fingerprint ?? NSNull(), "days_left": row.daysLeft ?? NSNull(),
                 "not_after": row.notAfter.map { Timestamp.iso8601($0) } ?? NSNull(), "usage": row.usage,
                 "key": row.keyAlgorithm ?? NSNull(), "permissions": row.permissions ?? NSNull(), "pair_matches": row.pairMatches ?? NSNull()]
            }
            let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// At least one key or certificate failed its check (exit 77).
struct KeysCheckFailed: ARLinkFailure {
    let count: Int
    var codeName: String { "keys.check_failed" }
    var message: String { "\(count) key(s) or certificate(s) failed the check; see the rows marked FAIL" }
    var exitStatus: ExitStatus { .noPermission }
}
