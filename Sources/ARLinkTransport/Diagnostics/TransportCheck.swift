public import ARLinkCore

/// One step of a connectivity test (`arlink transport test`).
public struct TransportCheck: Sendable {
    /// Short name of the step: `settings`, `host key`, `folders`, `login and listing`, `upload`, `remove`.
    public let step: String
    /// Whether the step succeeded.
    public let ok: Bool
    /// What was seen, in plain words (fingerprints, counts, names); no secrets.
    public let detail: String
    /// The failure, whose message says what to fix.
    public let error: TransportError?
}

/// The result of ``TransportDiagnostics/run(_:probeName:)``.
public struct TransportTestReport: Sendable {
    /// The steps in the order they ran; the test stops at the first failure.
    public let checks: [TransportCheck]

    /// Success, or the exit status of the first failure.
    public var exitStatus: ExitStatus {
        checks.first { !$0.ok }?.error?.exitStatus ?? (checks.allSatisfy(\.ok) ? .success : .software)
    }
}
