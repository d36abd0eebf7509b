internal import CCurl
internal import CCurlShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one libcurl easy handle (`CURL *`) and its error buffer; frees both in `deinit`.
///
/// One handle serves all operations of a run, so libcurl keeps the SSH or TLS connection open
/// between them (`curl_easy_reset` keeps live connections). Not `Sendable`: one task only.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Header and quote lists set on the handle; freed when replaced or in `deinit`.
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    /// Result of one `curl_easy_perform`.
    struct Outcome {
        let code: CURLcode
        /// The error buffer's text, or `curl_easy_strerror` when it is empty.
        let message: String
        var ok: Bool { code == CURLE_OK }
    }

    init() throws {
        CurlGlobal.initialise()
        guard let handle = curl_easy_init() else {
            throw TransportError(.internal, "curl_easy_init failed (out of memory?)")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    /// `curl_easy_reset` (connections stay cached), then the error buffer again.
    func reset() throws {
        curl_easy_reset(handle)
        for list in lists { curl_slist_free_all(list) }
        lists.removeAll()
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(CCurlShims_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: Bool) throws {
        try set(option, value ? 1 : 0)
    }

    func set(_ option: CURLoption, offset value: Int64) throws {
        try check(CCurlShims_setopt_off_t(handle, option, curl_off_t(value)), option)
    }

    func set(_ option: CURLoption, _ value: String?) throws {
        guard let value else {
            try check(CCurlShims_setopt_string(handle, option, nil), option)
            return
        }
        try check(value.withCString { CCurlShims_setopt_string(handle, option, $0) }, option)
    }

    /// Sets a secret string from a byte buffer that the caller wipes (libcurl keeps its own copy).
    func set(_ option: CURLoption, secret: [CChar]) throws {
        try check(secret.withUnsafeBufferPointer { CCurlShims_setopt_string(handle, option, $0.baseAddress) }, option)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws {
        try check(CCurlShims_setopt_pointer(handle, option, pointer), option)
    }

    /// Sets a string list (headers, quote commands); the list lives until the next reset.
    func set(_ option: CURLoption, list: [String]) throws {
        var head: UnsafeMutablePointer<curl_slist>? = nil
        for item in list {
            guard let next = item.withCString({ curl_slist_append(head, $0) }) else {
                if let head { curl_slist_free_all(head) }
                throw TransportError(.internal, "curl_slist_append failed (out of memory?)")
            }
            head = next
        }
        if let head { lists.append(head) }
        try check(CCurlShims_setopt_slist(handle, option, head), option)
    }

    func set(_ option: CURLoption, callback: CCurlShims_data_callback?) throws {
        try check(CCurlShims_setopt_data_callback(handle, option, callback), option)
    }

    func set(hostKeyCallback: CCurlShims_hostkey_callback?, data: UnsafeMutableRawPointer?) throws {
        try check(CCurlShims_setopt_hostkey_callback(handle, hostKeyCallback), CURLOPT_SSH_HOSTKEYFUNCTION)
        try set(CURLOPT_SSH_HOSTKEYDATA, pointer: data)
    }

    /// Runs the transfer configured so far.
    func perform() -> Outcome {
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        var message = String(cString: errorBuffer)
        if message.isEmpty, code != CURLE_OK { message = String(cString: curl_easy_strerror(code)) }
        return Outcome(code: code, message: message)
    }

    /// `CURLINFO_RESPONSE_CODE`: HTTP status, or the last SFTP status code.
    var responseCode: Int {
        var value = 0
        _ = CCurlShims_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &value)
        return value
    }

    /// `CURLINFO_CONTENT_LENGTH_DOWNLOAD_T`, or -1 when unknown.
    var contentLength: Int64 {
        var value: curl_off_t = -1
        _ = CCurlShims_getinfo_off_t(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &value)
        return Int64(value)
    }

    /// `CURLINFO_NUM_CONNECTS`: new connections made by the last transfer (0 when reused).
    var newConnections: Int {
        var value = 0
        _ = CCurlShims_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &value)
        return value
    }

    /// `CURLINFO_OS_ERRNO` of the last failed connect.
    var osErrno: Int {
        var value = 0
        _ = CCurlShims_getinfo_long(handle, CURLINFO_OS_ERRNO, &value)
        return value
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code == CURLE_OK else {
            throw TransportError(.internal, "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code))); is libcurl older than 7.88?")
        }
    }
}

/// Process-wide libcurl set-up, done once: `curl_global_init` and SIGPIPE ignored (libssh2
/// writes to sockets that the server may have closed).
enum CurlGlobal {
    private static let done: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func initialise() {
        _ = done
    }
}
