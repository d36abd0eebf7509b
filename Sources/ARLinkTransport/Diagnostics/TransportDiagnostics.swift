#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Partner onboarding: checks a transport end to end and says what failed and how to fix it.
///
/// Steps: validate the settings; for SFTP, show the host key the server presents next to the
/// pin (stopping before login when they differ); log in and check that every folder the
/// settings name exists (inbox, outbox, processed), naming each missing one; list the outbox;
/// upload a small probe file into the inbox (through the normal `.part`-then-rename path);
/// remove it again.
public enum TransportDiagnostics {
    /// Runs the test. Never throws: every failure becomes a failed ``TransportCheck``.
    ///
    /// - Parameters:
    ///   - settings: the partner's transport settings.
    ///   - probeName: the probe's remote name; default `arlink-probe-<unix time>-<pid>.txt`.
    public static func run(_ settings: TransportSettings, probeName: String? = nil) -> TransportTestReport {
        var checks: [TransportCheck] = []
        func record(_ step: String, _ body: () throws -> String) -> Bool {
            do {
                checks.append(TransportCheck(step: step, ok: true, detail: try body(), error: nil))
                return true
            } catch let error as TransportError {
                checks.append(TransportCheck(step: step, ok: false, detail: error.message, error: error))
            } catch {
                let wrapped = TransportError(.internal, "\(error)")
                checks.append(TransportCheck(step: step, ok: false, detail: wrapped.message, error: wrapped))
            }
            return false
        }

        var transport: (any Transport)? = nil
        guard record("settings", {
            transport = try makeTransport(settings)
            return describe(settings)
        }), let transport else { return TransportTestReport(checks: checks) }

        if case .sftp(let sftp) = settings {
            guard record("host key", { try hostKeyCheck(sftp) }) else { return TransportTestReport(checks: checks) }
        }
        guard record("folders", { try transport.checkFolders() }) else { return TransportTestReport(checks: checks) }
        guard record("login and listing", {
            let listing = try transport.list()
            var text = "outbox has \(listing.files.count) file(s) ready to fetch"
            if !listing.skipped.isEmpty {
                text += "; skipped: " + listing.skipped.prefix(10).map { "\"\($0.escapedName)\" (\($0.reason))" }.joined(separator: ", ")
                if listing.skipped.count > 10 { text += ", and \(listing.skipped.count - 10) more" }
            }
            return text
        }) else { return TransportTestReport(checks: checks) }

        let name = probeName ?? "arlink-probe-\(time(nil))-\(getpid()).txt"
        var localProbe = ""
        guard record("upload", {
            localProbe = try writeProbe()
            defer { unlink(localProbe) }
            let outcome = try transport.deliver(localFile: localProbe, as: name)
            return "uploaded \(name) into the partner's inbox (\(outcome == .delivered ? "new" : "was already there"))"
        }) else { return TransportTestReport(checks: checks) }
        _ = record("remove", {
            try removeDelivered(transport, name)
            return "removed \(name) again"
        })
        return TransportTestReport(checks: checks)
    }

    private static func hostKeyCheck(_ settings: SFTPSettings) throws -> String {
        let presented = try SFTPHostKeyProbe.presentedKey(settings)
        let shown = "server presents \(presented.algorithm) \(presented.fingerprint)"
        guard let pin = settings.normalizedHostKeySHA256 else {
            return shown + "; checked against known_hosts \(settings.knownHostsPath ?? "") at login"
        }
        guard "SHA256:" + pin == presented.fingerprint else {
            throw TransportError(.hostKeyMismatch, "\(shown), but host_key_sha256 pins SHA256:\(pin). Nothing was sent. If the partner confirms (by phone, not by e-mail from the same server) that \(presented.fingerprint) is their new key, put it in host_key_sha256; otherwise someone may be impersonating the partner")
        }
        return shown + ", which matches the pinned host_key_sha256"
    }

    private static func removeDelivered(_ transport: any Transport, _ name: String) throws {
        switch transport {
        case let folder as FolderTransport: try folder.removeDelivered(name)
        case let sftp as SFTPTransport: try sftp.removeDelivered(name)
        case let https as HTTPSTransport: try https.removeDelivered(name)
        default: throw TransportError(.internal, "unknown transport type")
        }
    }

    private static func writeProbe() throws -> String {
        var template = Array("/tmp/arlink-probe-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw localError(errno, "cannot create a local probe file in /tmp") }
        defer { close(fd) }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let text = Array("arlink transport test probe; safe to delete\n".utf8)
        try text.withUnsafeBytes { try LocalFiles.writeAll(fd, $0, path) }
        return path
    }

    private static func describe(_ settings: TransportSettings) -> String {
        switch settings {
        case .folder(let f):
            return "folder transport: inbox \(f.inbox), outbox \(f.outbox)"
        case .sftp(let s):
            let pin = s.normalizedHostKeySHA256.map { "pinned host key SHA256:\($0)" } ?? "host key from known_hosts \(s.knownHostsPath ?? "")"
            return "sftp://\(s.username)@\(s.host):\(s.port), inbox \(s.inboxPath), outbox \(s.outboxPath), \(pin), client key \(s.privateKeyPath)"
        case .https(let h):
            return "https upload \(h.uploadURLTemplate), \(h.caFile.map { "CA file \($0)" } ?? "system trust store")\(h.clientCertificatePath.map { ", client certificate \($0)" } ?? "")"
        }
    }
}
