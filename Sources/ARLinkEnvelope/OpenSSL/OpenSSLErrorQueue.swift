internal import COpenSSL

/// Reads and clears OpenSSL's per-thread error queue.
///
/// Every failure path drains the whole queue into the thrown ``EnvelopeError`` so that the
/// next operation starts clean and the operator sees OpenSSL's reasons. Some failures (a GCM
/// tag mismatch) leave the queue empty: callers check return values themselves.
enum OpenSSLErrorQueue {
    /// Returns every queued error as `library:reason` text, oldest first, and clears the queue.
    static func drain() -> [String] {
        var result: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            result.append(text)
            if result.count > 32 { ERR_clear_error(); break }
        }
        return result
    }

    /// Clears the queue before an operation whose failure we want to attribute precisely.
    static func clear() { ERR_clear_error() }
}

extension EnvelopeError {
    /// Builds an error carrying (and clearing) OpenSSL's error queue.
    static func fromOpenSSL(
        _ code: Code, _ message: String, file: String = #fileID, line: Int = #line
    ) -> EnvelopeError {
        EnvelopeError(code, message, opensslErrors: OpenSSLErrorQueue.drain(), file: file, line: line)
    }
}
