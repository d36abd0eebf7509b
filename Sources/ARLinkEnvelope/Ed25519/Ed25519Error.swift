public import ARLinkCore
import COpenSSL

/// Errors of the Ed25519 signing keys (audit checkpoints). Equality compares the code only.
public struct Ed25519Error: ARLinkFailure, Equatable {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case keyFileMissing = "ed25519.key_file_missing"
            case keyPermissions = "ed25519.key_permissions"
            case keyFormat = "ed25519.key_format"
            case signFailed = "ed25519.sign_failed"
            case digestFailed = "ed25519.digest_failed"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }

        /// The key file does not exist or cannot be read.
        public static let keyFileMissing = Code(value: .keyFileMissing)
        /// A private key file is readable or writable by group or others.
        public static let keyPermissions = Code(value: .keyPermissions)
        /// The file or bytes are not an Ed25519 key in the expected encoding.
        public static let keyFormat = Code(value: .keyFormat)
        /// OpenSSL failed to produce a signature.
        public static let signFailed = Code(value: .signFailed)
        /// OpenSSL failed to compute a digest.
        public static let digestFailed = Code(value: .digestFailed)
    }

    public let code: Code
    public let message: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var codeName: String { code.description }
    public var exitStatus: ExitStatus {
        switch code {
        case .keyFileMissing: .noInput
        case .keyPermissions: .noPermission
        case .keyFormat: .config
        default: .software
        }
    }

    public static func == (lhs: Ed25519Error, rhs: Ed25519Error) -> Bool { lhs.code == rhs.code }

    /// Builds an error whose message ends with OpenSSL's drained error queue
    /// (`ERR_get_error` until empty), so a failure never leaves stale entries behind.
    static func openSSL(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) -> Ed25519Error {
        var reasons: [String] = []
        while true {
            let err = ERR_get_error()
            if err == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(err, &buffer, buffer.count)
            let text = buffer.withUnsafeBufferPointer { String(decoding: $0.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            reasons.append(text)
        }
        let suffix = reasons.isEmpty ? "" : " (OpenSSL: \(reasons.joined(separator: "; ")))"
        return Ed25519Error(code, message + suffix, file: file, line: line)
    }
}
