import ARLinkSystem
internal import CCurl
internal import CCurlShims
import ARLinkCore

/// Connects to an SSH server only to see the host key it presents, then hangs up before
/// authenticating (for `arlink transport test`, to show the presented key next to the pin).
enum SFTPHostKeyProbe {
    /// The presented key: its algorithm name and `SHA256:` fingerprint as `ssh-keygen -l` prints it.
    struct PresentedKey: Sendable {
        let algorithm: String
        let fingerprint: String
    }

    private final class Capture {
        var blob: [UInt8] = []
    }

    private static let callback: CCurlShims_hostkey_callback = { user, _, key, length in
        if let user {
            let capture = Unmanaged<Capture>.fromOpaque(user).takeUnretainedValue()
            capture.blob = Array(UnsafeRawBufferPointer(start: key, count: length))
        }
        return 1  // CURLKHMATCH_MISMATCH: stop here, never authenticate to an unverified server
    }

    static func presentedKey(_ settings: SFTPSettings) throws -> PresentedKey {
        let easy = try CurlEasy()
        try easy.reset()
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        try easy.set(CURLOPT_URL, "sftp://\(host):\(settings.port)/")
        try easy.set(CURLOPT_PROTOCOLS_STR, "sftp")
        try easy.set(CURLOPT_NOSIGNAL, true)
        try easy.set(CURLOPT_USERNAME, settings.username)
        try easy.set(CURLOPT_SSH_AUTH_TYPES, Int(CURLSSH_AUTH_PUBLICKEY))
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout.components.seconds) * 1000)
        let capture = Capture()
        try easy.set(hostKeyCallback: callback, data: Unmanaged.passUnretained(capture).toOpaque())
        let outcome = withExtendedLifetime(capture) { easy.perform() }
        guard !capture.blob.isEmpty else {
            throw CurlFailure.error(outcome, flavour: .sftp, operation: "connecting to", target: "\(settings.host):\(settings.port)")
        }
        return PresentedKey(algorithm: algorithmName(capture.blob) ?? "unknown", fingerprint: "SHA256:" + Base64.encodeUnpadded(SHA256.hash(capture.blob)))
    }

    /// The first SSH string of a public key blob is its algorithm name.
    private static func algorithmName(_ blob: [UInt8]) -> String? {
        guard blob.count >= 4 else { return nil }
        let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
        guard length > 0, length <= 64, blob.count >= 4 + length else { return nil }
        return RemoteName.escape(blob[4..<(4 + length)])
    }
}
