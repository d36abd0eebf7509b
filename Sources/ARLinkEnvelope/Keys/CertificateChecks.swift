internal import COpenSSL
import Foundation

/// Checks applied when our own certificates and keys are loaded.
enum CertificateChecks {
    /// Refuses a certificate outside its validity period at `now`.
    static func requireValid(_ cert: X509Handle, path: String, now: Date) throws(EnvelopeError) {
        if cert.notBefore > now {
            throw EnvelopeError(.certificateExpired, "certificate \(path) (\(cert.subject)) is not valid before \(cert.notBefore)")
        }
        if cert.notAfter < now {
            throw EnvelopeError(.certificateExpired, "certificate \(path) (\(cert.subject)) expired on \(cert.notAfter); renew it")
        }
    }

    /// Refuses a certificate whose keyUsage extension is absent or lacks `usage`.
    static func requireUsage(_ cert: X509Handle, _ usage: KeyUsage, name: String, path: String) throws(EnvelopeError) {
        guard let actual = cert.keyUsage, actual.contains(usage) else {
            throw EnvelopeError(
                .certificateUsage,
                "certificate \(path) (\(cert.subject)) lacks the \(name) key usage (has: \(cert.keyUsage?.names.joined(separator: ", ") ?? "no keyUsage extension"))"
            )
        }
    }

    /// Refuses a private key that does not belong to the certificate (`X509_check_private_key`).
    static func requireMatch(_ cert: X509Handle, _ key: PKeyHandle, certPath: String, keyPath: String) throws(EnvelopeError) {
        OpenSSLErrorQueue.clear()
        if X509_check_private_key(cert.pointer, key.pointer) != 1 {
            OpenSSLErrorQueue.clear()
            throw EnvelopeError(.keyMismatch, "private key \(keyPath) does not belong to certificate \(certPath) (\(cert.subject))")
        }
    }
}
