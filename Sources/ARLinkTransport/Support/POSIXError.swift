import ARLinkCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text for an `errno` value, for error messages.
func errnoText(_ code: Int32) -> String { LocalIO.describe(code) }

/// Maps a failed local file operation to a transport error: permission problems to
/// `.permissionDenied`, missing files to `.notFound`, anything else to `.localIO`.
func localError(_ code: Int32, _ what: String, file: String = #fileID, line: Int = #line) -> TransportError {
    switch code {
    case EACCES, EPERM, EROFS:
        TransportError(.permissionDenied, "\(what): \(errnoText(code)); check the folder's owner and permissions", file: file, line: line)
    case ENOENT:
        TransportError(.notFound, "\(what): \(errnoText(code))", file: file, line: line)
    default:
        TransportError(.localIO, "\(what): \(errnoText(code))", file: file, line: line)
    }
}
