internal import CCurl
public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Sends operator alerts through libcurl: a JSON POST to a webhook, and an e-mail over SMTP
/// with STARTTLS. Each call uses its own easy handle and returns when the transfer is done.
public enum AlertDelivery {
    /// POSTs `body` to `url` (`CURLOPT_COPYPOSTFIELDS`) with `Content-Type: application/json`
    /// and the extra `headers`.
    ///
    /// `http://` is used only for a loopback host (a local relay); anything else must be
    /// `https://` with a verified certificate.
    /// - Returns: the HTTP status code.
    /// - Throws: ``TransportError`` `.unreachable` when the server cannot be reached or times out.
    public static func postJSON(url: String, body: String, headers: [String], timeout: Duration, caFile: String? = nil) throws -> Int {
        let easy = try CurlEasy()
        try easy.reset()
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, false)
        try easy.set(CURLOPT_NOSIGNAL, true)
        try easy.set(CURLOPT_SSL_VERIFYPEER, true)
        try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { try easy.set(CURLOPT_CAINFO, caFile) }
        try easy.set(CURLOPT_TIMEOUT_MS, milliseconds(timeout))
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(timeout))
        try easy.set(CURLOPT_USERAGENT, "arlink")
        try easy.set(CURLOPT_POSTFIELDSIZE, body.utf8.count)
        try easy.set(CURLOPT_COPYPOSTFIELDS, body)
        try easy.set(CURLOPT_HTTPHEADER, list: ["Content-Type: application/json"] + headers + ["Expect:"])
        let sink = TransferContext(.discard)
        try easy.set(CURLOPT_WRITEFUNCTION, callback: TransferContext.writeCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: sink.userData)
        let outcome = withExtendedLifetime(sink) { easy.perform() }
        guard outcome.ok else {
            throw TransportError(.unreachable, "the alert webhook \(redacted(url)) did not answer: \(outcome.message)")
        }
        return easy.responseCode
    }

    /// Sends `message` (a complete RFC 5322 message with CRLF line ends) over SMTP.
    ///
    /// `smtp://` upgrades with STARTTLS (`CURLOPT_USE_SSL`: required, or optional when
    /// `requireTLS` is false, for a relay on loopback); `smtps://` is TLS from the start. The
    /// message is staged in a private file in `stagingFolder` and removed afterwards.
    /// - Parameter password: the SMTP password's bytes, NUL-terminated; the caller wipes them.
    /// - Throws: ``TransportError`` `.unreachable` when the server refuses or cannot be reached.
    public static func sendMail(url: String, from: String, to: [String], message: String, username: String?, password: [CChar]?,
                                requireTLS: Bool, caFile: String?, timeout: Duration, stagingFolder: String) throws {
        let path = stagingFolder + "/.alert-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).eml"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TransportError(.localIO, "cannot stage the alert e-mail in \(stagingFolder) (errno \(errno))") }
        defer { close(fd); unlink(path) }
        let bytes = Array(message.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw TransportError(.localIO, "cannot stage the alert e-mail in \(stagingFolder) (errno \(errno))") }
            written += n
        }
        _ = lseek(fd, 0, SEEK_SET)
        let easy = try CurlEasy()
        try easy.reset()
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        try easy.set(CURLOPT_NOSIGNAL, true)
        try easy.set(CURLOPT_USE_SSL, Int(requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
        try easy.set(CURLOPT_SSL_VERIFYPEER, true)
        try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { try easy.set(CURLOPT_CAINFO, caFile) }
        try easy.set(CURLOPT_TIMEOUT_MS, milliseconds(timeout))
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(timeout))
        if let username { try easy.set(CURLOPT_USERNAME, username) }
        if let password { try easy.set(CURLOPT_PASSWORD, secret: password) }
        try easy.set(CURLOPT_MAIL_FROM, "<\(from)>")
        try easy.set(CURLOPT_MAIL_RCPT, list: to.map { "<\($0)>" })
        try easy.set(CURLOPT_UPLOAD, true)
        try easy.set(CURLOPT_INFILESIZE_LARGE, offset: Int64(bytes.count))
        let context = TransferContext(.readFile(fd))
        try easy.set(CURLOPT_READFUNCTION, callback: TransferContext.readCallback)
        try easy.set(CURLOPT_READDATA, pointer: context.userData)
        let outcome = withExtendedLifetime(context) { easy.perform() }
        guard outcome.ok else {
            throw TransportError(.unreachable, "the SMTP server \(redacted(url)) did not take the alert e-mail: \(outcome.message)")
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// The URL without any user information or query (which may hold a token).
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "(unparsable URL)" }
        components.user = nil
        components.password = nil
        components.query = nil
        return components.string ?? "(unparsable URL)"
    }
}
