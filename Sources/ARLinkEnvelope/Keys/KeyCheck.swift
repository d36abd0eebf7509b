public import Foundation
import ARLinkCore

/// The checks behind `arlink keys check`: one ``Row`` per configured key or certificate.
public enum KeyCheck {
    /// What a certificate in a role must allow.
    public enum RequiredUsage: String, Sendable {
        case digitalSignature
        /// keyEncipherment for RSA certificates, keyAgreement for EC ones.
        case encryption
        case keyEncipherment
        case keyAgreement
        case none
    }

    /// One configured item: a certificate, a private key, or both (a pair).
    public struct Item: Sendable {
        public var role: String
        public var certificatePath: String?
        public var keyPath: String?
        public var passphrase: Passphrase?
        public var requiredUsage: RequiredUsage

        public init(role: String, certificatePath: String?, keyPath: String?, passphrase: Passphrase? = nil, requiredUsage: RequiredUsage = .none) {
            self.role = role
            self.certificatePath = certificatePath
            self.keyPath = keyPath
            self.passphrase = passphrase
            self.requiredUsage = requiredUsage
        }
    }

    /// One line of the report. `problems` empty means the item is usable.
    public struct Row: Sendable, Equatable {
        public var role: String
        /// The certificate path, else the key path.
        public var path: String
        public var subject: String?
        public var fingerprint: String?
        public var notAfter: Date?
        public var daysLeft: Int?
        public var usage: [String]
        public var keyAlgorithm: String?
        /// The private key file's mode in octal (e.g. `600`).
        public var permissions: String?
        /// Whether key and certificate belong together (nil when only one of them is configured).
        public var pairMatches: Bool?
        public var problems: [String]
        public var warnings: [String]

        public var ok: Bool { problems.isEmpty }
    }

    /// Checks every item.
    /// - Parameters:
    ///   - warnDays: warn when a certificate expires within this many days (30).
    /// - Returns: one row per item; any row with problems means exit 77.
    public static func run(_ items: [Item], now: Date = Date(), warnDays: Int = 30) -> [Row] {
        items.map { check($0, now: now, warnDays: warnDays) }
    }

    /// Checks a partner's trust configuration as a whole (pins, CA, CRL): one row whose
    /// problem, if any, is the reason the inbound job would refuse to start.
    public static func trust(role: String, policy: TrustPolicy) -> Row {
        var row = Row(role: role, path: policy.crlPath ?? policy.caPath ?? policy.pinned.first ?? "", subject: nil, fingerprint: nil,
                      notAfter: nil, daysLeft: nil, usage: [], keyAlgorithm: nil, permissions: nil, pairMatches: nil, problems: [], warnings: [])
        do {
            row.warnings = try Envelope.checkTrust(policy)
        } catch {
            row.problems.append(error.message)
        }
        return row
    }

    /// A row for a key that another module checks (the SFTP client key, which is an OpenSSH
    /// key and not OpenSSL's to judge): its permissions, and the check's verdict.
    /// - Parameters:
    ///   - check: returns the key's algorithm in words, or throws the reason it is unusable.
    public static func external(role: String, path: String, check: () throws -> String) -> Row {
        var row = Row(role: role, path: path, subject: nil, fingerprint: nil, notAfter: nil, daysLeft: nil, usage: [],
                      keyAlgorithm: nil, permissions: SmallFile.mode(path).map { String($0, radix: 8) }, pairMatches: nil,
                      problems: [], warnings: [])
        do {
            row.keyAlgorithm = try check()
        } catch let error as any ARLinkFailure {
            row.problems.append(error.message)
        } catch {
            row.problems.append("\(error)")
        }
        return row
    }

    static func check(_ item: Item, now: Date, warnDays: Int) -> Row {
        var row = Row(
            role: item.role, path: item.certificatePath ?? item.keyPath ?? "", subject: nil, fingerprint: nil,
            notAfter: nil, daysLeft: nil, usage: [], keyAlgorithm: nil, permissions: nil, pairMatches: nil,
            problems: [], warnings: []
        )
        var cert: X509Handle? = nil
        if let path = item.certificatePath {
            do {
                let loaded = try X509Handle.load(path: path)
                cert = loaded
                row.subject = loaded.subject
                row.fingerprint = loaded.sha256Fingerprint
                row.notAfter = loaded.notAfter
                row.daysLeft = Int((loaded.notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
                row.usage = loaded.keyUsage?.names ?? []
                row.keyAlgorithm = loaded.publicKey()?.description
                if loaded.notBefore > now { row.problems.append("not valid before \(loaded.notBefore)") }
                if loaded.notAfter < now {
                    row.problems.append("expired on \(loaded.notAfter)")
                } else if let days = row.daysLeft, days < warnDays {
                    row.warnings.append("expires in \(days) days (\(loaded.notAfter))")
                }
                if let problem = usageProblem(loaded, item.requiredUsage) { row.problems.append(problem) }
                if case .rsa(let bits) = loaded.publicKey()?.kind, bits < 2048 {
                    row.problems.append("RSA-\(bits) key is too small (at least 2048 bits)")
                }
            } catch {
                row.problems.append(error.message)
            }
        }
        if let keyPath = item.keyPath {
            if let mode = SmallFile.mode(keyPath) { row.permissions = String(mode, radix: 8) }
            do {
                let key = try PrivateKeyLoader.load(path: keyPath, passphrase: item.passphrase)
                if row.keyAlgorithm == nil { row.keyAlgorithm = key.description }
                if let cert {
                    do {
                        try CertificateChecks.requireMatch(cert, key, certPath: item.certificatePath ?? "", keyPath: keyPath)
                        row.pairMatches = true
                    } catch {
                        row.pairMatches = false
                        row.problems.append(error.message)
                    }
                }
            } catch let error where error.code == .badKey && isOpenSSHKey(keyPath) {
                // OpenSSH keys (SFTP client, test host) are not OpenSSL keys: permissions only.
                row.keyAlgorithm = row.keyAlgorithm ?? "OpenSSH key"
            } catch {
                row.problems.append(error.message)
            }
        }
        if item.certificatePath == nil && item.keyPath == nil { row.problems.append("neither a certificate nor a key is configured") }
        return row
    }

    private static func usageProblem(_ cert: X509Handle, _ required: RequiredUsage) -> String? {
        let needed: (KeyUsage, String)?
        switch required {
        case .none: needed = nil
        case .digitalSignature: needed = (.digitalSignature, "digitalSignature")
        case .keyEncipherment: needed = (.keyEncipherment, "keyEncipherment")
        case .keyAgreement: needed = (.keyAgreement, "keyAgreement")
        case .encryption:
            if case .rsa = cert.publicKey()?.kind { needed = (.keyEncipherment, "keyEncipherment") } else { needed = (.keyAgreement, "keyAgreement") }
        }
        guard let (bit, name) = needed else { return nil }
        guard let usage = cert.keyUsage, usage.contains(bit) else { return "lacks the \(name) key usage" }
        return nil
    }

    private static func isOpenSSHKey(_ path: String) -> Bool {
        guard let bytes = try? SmallFile.read(path, what: "key") else { return false }
        return String(decoding: bytes.prefix(64), as: UTF8.self).contains("BEGIN OPENSSH PRIVATE KEY")
    }
}
