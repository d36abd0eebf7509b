internal import CCurl

/// Turns a failed libcurl transfer into a ``TransportError`` with a sentence for the operator.
///
/// The one place that decides which failures are transient (retried) and which are trust or
/// configuration failures (never retried).
enum CurlFailure {
    enum Flavour { case sftp, https }

    static func error(_ outcome: CurlEasy.Outcome, flavour: Flavour, operation: String, target: String, context: TransferContext? = nil, knownHosts: Bool = false) -> TransportError {
        if let local = context?.localFailure { return local }
        let detail = "\(operation) \(target): \(outcome.message) (libcurl error \(outcome.code.rawValue))"
        let lower = outcome.message.lowercased()
        switch outcome.code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError(.unreachable, "\(detail); is the partner's server running and reachable from here (host, port, firewall)?")
        case CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
            CURLE_REMOTE_DISK_FULL, CURLE_AGAIN:
            return TransportError(.transient, "\(detail); the connection broke or stalled, a later run completes the transfer")
        case CURLE_PEER_FAILED_VERIFICATION:
            if flavour == .sftp {
                return TransportError(.hostKeyMismatch, "\(detail); the server's host key does not match the pinned fingerprint or known_hosts: someone may be impersonating the partner, or the partner changed its key. Confirm the new fingerprint with the partner out of band (`arlink transport test` shows it) before changing host_key_sha256")
            }
            return TransportError(.untrustedCertificate, "\(detail); the server's TLS certificate does not verify against the configured CA (ca_file or the system store). Confirm the partner's CA before trusting it")
        case CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED:
            return TransportError(.config, "\(detail); check the transport settings (URLs, CA file, client certificate and key)")
        case CURLE_SSL_CONNECT_ERROR:
            if lower.contains("alert") && (lower.contains("certificate") || lower.contains("handshake")) {
                return TransportError(.authFailed, "\(detail); the server refused the TLS handshake, probably our client certificate; check client_certificate with the partner")
            }
            return TransportError(.transient, "\(detail); the TLS handshake failed, a later run retries")
        case CURLE_LOGIN_DENIED:
            return TransportError(.authFailed, "\(detail); the server refused our client key: give the partner the public key of private_key, check username and the key's passphrase")
        case CURLE_REMOTE_ACCESS_DENIED:
            return TransportError(.permissionDenied, "\(detail); the account may not access that folder: ask the partner to fix its permissions")
        case CURLE_REMOTE_FILE_NOT_FOUND:
            return TransportError(.notFound, "\(detail)")
        case CURLE_FAILED_INIT where flavour == .sftp && knownHosts:
            return TransportError(.hostKeyMismatch, "\(detail); key exchange failed, which happens when the known_hosts entry is of another key type than the server's key: pin host_key_sha256 instead")
        case CURLE_QUOTE_ERROR, CURLE_UPLOAD_FAILED, CURLE_SSH:
            if lower.contains("permission denied") {
                return TransportError(.permissionDenied, "\(detail); the account may not write there: ask the partner to fix the folder's permissions")
            }
            if lower.contains("no such file") {
                return TransportError(.notFound, "\(detail); does the remote folder exist?")
            }
            if outcome.code == CURLE_SSH || outcome.code == CURLE_UPLOAD_FAILED {
                return TransportError(.transient, "\(detail); the SSH session failed, a later run retries")
            }
            return TransportError(.protocolError, detail)
        case CURLE_ABORTED_BY_CALLBACK, CURLE_WRITE_ERROR, CURLE_READ_ERROR:
            return TransportError(.localIO, detail)
        default:
            return TransportError(.protocolError, detail)
        }
    }
}
