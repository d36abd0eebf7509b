public import ARLinkCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors of the sample extract generator. Equality compares the code only.
public struct SampleExtractError: ARLinkFailure, Equatable {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case invalidOptions = "sample.invalid_options"
            case writeFailed = "sample.write_failed"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }

        /// An option is out of range (negative counts, unknown currency, variant too large).
        public static let invalidOptions = Code(value: .invalidOptions)
        /// Creating, writing, syncing or renaming an output file failed.
        public static let writeFailed = Code(value: .writeFailed)
    }

    public let code: Code
    public let message: String
    /// The `errno` of a failed system call, when there was one.
    public let errno: Int32?
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, errno: Int32? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.errno = errno
        self.file = file
        self.line = line
    }

    public var codeName: String { code.description }

    public var exitStatus: ExitStatus {
        switch code {
        case .invalidOptions: .usage
        default: errno == EACCES || errno == EPERM ? .noPermission : .tempFailure
        }
    }

    public static func == (lhs: SampleExtractError, rhs: SampleExtractError) -> Bool { lhs.code == rhs.code }
}
