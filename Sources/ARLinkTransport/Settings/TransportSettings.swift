/// Which transport a partner uses, with its settings.
public enum TransportSettings: Sendable {
    /// A shared drop folder (local disk or a mounted share).
    case folder(FolderSettings)
    /// An SFTP server, through libcurl with libssh2.
    case sftp(SFTPSettings)
    /// An HTTPS endpoint taking uploads by PUT.
    case https(HTTPSSettings)

    /// Checks the settings completely; see each settings type's `validate()`.
    public func validate() throws {
        switch self {
        case .folder(let settings): try settings.validate()
        case .sftp(let settings): try settings.validate()
        case .https(let settings): try settings.validate()
        }
    }
}

extension TransportSettings {
    /// Checks everything local the transport needs, without touching the network or the
    /// partner's folders: the settings, the SFTP client key (owner-only, Ed25519 or ECDSA) and
    /// known_hosts file, the HTTPS CA file, client certificate and client key (owner-only).
    /// A drop folder's folders are checked when the transport is made.
    ///
    /// - Throws: ``TransportError`` `.keyPermissions` (exit 77) or `.config` (exit 78).
    public func checkLocalFiles() throws {
        switch self {
        case .folder(let settings): try settings.rules.validate()
        case .sftp(let settings): try settings.validate()
        case .https(let settings): try settings.validate()
        }
    }
}

/// Creates the transport that `settings` describe, after validating them.
///
/// - Throws: ``TransportError`` `.config` for missing or weak settings (no host-key pin, RSA
///   client key, loose key permissions...).
public func makeTransport(_ settings: TransportSettings) throws -> any Transport {
    switch settings {
    case .folder(let folder):
        return try FolderTransport(folder)
    case .sftp(let sftp):
        return try SFTPTransport(sftp)
    case .https(let https):
        return try HTTPSTransport(https)
    }
}
