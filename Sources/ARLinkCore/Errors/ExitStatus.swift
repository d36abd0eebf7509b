/// Process exit statuses, following BSD `sysexits.h` as design section 3 fixes them.
///
/// Every error arlink reports maps to exactly one of these, so a scheduler can tell a
/// bad file (65) from a partner that is down (69, 75) or a trust failure (77).
public enum ExitStatus: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case success = 0
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69
    case software = 70
    case tempFailure = 75
    case noPermission = 77
    case config = 78

    public var description: String {
        switch self {
        case .success: "success"
        case .usage: "usage error"
        case .dataError: "bad input data"
        case .noInput: "missing input"
        case .unavailable: "partner unavailable"
        case .software: "internal error"
        case .tempFailure: "temporary failure, retry later"
        case .noPermission: "permission or trust failure"
        case .config: "configuration error"
        }
    }
}

/// An error that knows which exit status it deserves and how to say what went wrong.
///
/// Each module has one public error struct conforming to this protocol. `message` is a
/// sentence naming the input, the place and the fix; it never holds personal data or secrets.
public protocol ARLinkFailure: Error, CustomStringConvertible, Sendable {
    /// The exit status a command ends with when this error stops it.
    var exitStatus: ExitStatus { get }
    /// A stable, machine-readable code such as `envelope.tag_mismatch`.
    var codeName: String { get }
    /// A sentence for the operator.
    var message: String { get }
}

extension ARLinkFailure {
    public var description: String { "\(codeName): \(message)" }
}
