internal import CCurl

/// The HTTPS requests arlink needs (HEAD, PUT, GET, MOVE, DELETE) on one reused libcurl handle.
///
/// Every request is hardened in ``prepare(url:)``: protocols limited to `https`, no redirects,
/// TLS 1.2 or later, peer and host name verified (system store or the pinned CA file), optional
/// client certificate, `NOSIGNAL`, timeouts.
final class HTTPSSession {
    /// Called with the bytes sent so far during an upload (``Transport/deliver(localFile:as:progress:)``).
    var uploadProgress: ((Int64) -> Void)?
    let settings: HTTPSSettings
    private let easy: CurlEasy
    private var passphrase: [CChar]?
    /// Set when a request got any HTTP answer.
    private(set) var connected = false

    /// One answered request.
    struct Response {
        let status: Int
        /// Up to 4 KiB of the body, for error messages (not for downloads into files).
        let body: [UInt8]
        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    init(_ settings: HTTPSSettings) throws {
        self.settings = settings
        easy = try CurlEasy()
        if let secret = settings.clientKeyPassphrase {
            passphrase = Array(try secret.read(purpose: "https transport client_key passphrase").utf8CString)
        }
    }

    deinit {
        if passphrase != nil {
            passphrase!.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = 0 }
            }
        }
    }

    private func prepare(url: String) throws {
        try easy.reset()
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "https")
        try easy.set(CURLOPT_FOLLOWLOCATION, false)
        try easy.set(CURLOPT_NOSIGNAL, true)
        try easy.set(CURLOPT_SSL_VERIFYPEER, true)
        try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        try easy.set(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        if let caFile = settings.caFile { try easy.set(CURLOPT_CAINFO, caFile) }
        if let certificate = settings.clientCertificatePath, let key = settings.clientKeyPath {
            try easy.set(CURLOPT_SSLCERT, certificate)
            try easy.set(CURLOPT_SSLKEY, key)
            if let passphrase { try easy.set(CURLOPT_KEYPASSWD, secret: passphrase) }
        }
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(settings.connectTimeout))
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, settings.lowSpeedLimit)
        try easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(settings.lowSpeedTime.components.seconds)))
        try easy.set(CURLOPT_USERAGENT, "arlink")
    }

    /// Sends one request. `upload` streams a file as the body (PUT); `download` receives the body
    /// (otherwise up to 4 KiB are kept for messages). Throws only when no HTTP answer came.
    func send(_ method: String, _ url: String, headers: [String] = [], upload: (fd: Int32, size: Int64)? = nil, download: TransferContext? = nil) throws -> Response {
        try prepare(url: url)
        let sink = download ?? TransferContext(.discard)
        var source: TransferContext? = nil
        switch method {
        case "HEAD":
            try easy.set(CURLOPT_NOBODY, true)
        case "GET":
            break
        case "PUT":
            guard let upload else { throw TransportError(.internal, "PUT without a body") }
            let context = TransferContext(.readFile(upload.fd))
            context.onRead = uploadProgress
            source = context
            try easy.set(CURLOPT_UPLOAD, true)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: upload.size)
            try easy.set(CURLOPT_UPLOAD_BUFFERSIZE, 2 << 20)
            try easy.set(CURLOPT_READFUNCTION, callback: TransferContext.readCallback)
            try easy.set(CURLOPT_READDATA, pointer: context.userData)
        default:
            try easy.set(CURLOPT_CUSTOMREQUEST, method)
        }
        // No "Expect: 100-continue" round trip; nginx answers errors before reading the body anyway.
        try easy.set(CURLOPT_HTTPHEADER, list: headers + ["Expect:"])
        try easy.set(CURLOPT_WRITEFUNCTION, callback: TransferContext.writeCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: sink.userData)
        let outcome = withExtendedLifetime((sink, source)) { easy.perform() }
        let status = easy.responseCode
        if status > 0 { connected = true }
        if !outcome.ok {
            // A download that stopped on purpose (size limit) still has its status.
            if status > 0, sink.exceeded || sink.differs { return Response(status: status, body: sink.collected) }
            throw CurlFailure.error(outcome, flavour: .https, operation: method, target: redacted(url), context: source ?? sink)
        }
        return Response(status: status, body: sink.collected)
    }

    /// The size a HEAD request reports, or `nil` for 404.
    func size(of url: String) throws -> Int64? {
        let response = try send("HEAD", url)
        if response.status == 404 { return nil }
        guard (200..<300).contains(response.status) else { throw statusError(response, "HEAD", url) }
        let length = easy.contentLength
        guard length >= 0 else { throw TransportError(.protocolError, "HEAD \(redacted(url)) did not report a Content-Length") }
        return length
    }

    /// Maps an unexpected HTTP status to an error with advice.
    func statusError(_ response: Response, _ method: String, _ url: String) -> TransportError {
        let detail = "\(method) \(redacted(url)) answered HTTP \(response.status)"
        let body = response.bodyText.lowercased()
        switch response.status {
        case 400 where body.contains("certificate") || method == "HEAD" || settings.clientCertificatePath != nil:
            return TransportError(.authFailed, "\(detail); the server refused our client certificate (nginx answers 400 when it is missing or not issued by a CA it trusts): check client_certificate with the partner")
        case 401:
            return TransportError(.authFailed, "\(detail); the server wants authentication: check client_certificate with the partner")
        case 403:
            return TransportError(.permissionDenied, "\(detail); the server forbids this: ask the partner to allow it for our certificate")
        case 404, 409:
            return TransportError(.notFound, "\(detail); does the folder exist on the partner's server?")
        case 405, 501:
            return TransportError(.config, "\(detail); the server does not allow \(method) there (nginx needs dav_methods PUT MOVE DELETE); set atomic_rename: false if it cannot rename")
        case 413:
            return TransportError(.config, "\(detail); the file is larger than the server accepts (nginx client_max_body_size)")
        case 408, 429, 500, 502, 503, 504, 507:
            return TransportError(.transient, "\(detail); the server is busy or failing, a later run retries")
        default:
            return TransportError(.protocolError, detail)
        }
    }

    /// URLs carry no secrets here, but strip any user-info or query just in case.
    func redacted(_ url: String) -> String {
        var text = url
        if let query = text.firstIndex(of: "?") { text = String(text[..<query]) + "?..." }
        if let at = text.firstIndex(of: "@"), let scheme = text.firstRange(of: "://"), scheme.upperBound < at {
            text = String(text[..<scheme.upperBound]) + "..." + String(text[at...])
        }
        return text
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
