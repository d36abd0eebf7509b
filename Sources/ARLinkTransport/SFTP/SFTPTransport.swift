/// SFTP transport through libcurl with libssh2 (work in progress in this commit).
public final class SFTPTransport: Transport {
    let settings: SFTPSettings

    /// Creates the transport after validating `settings`.
    public init(_ settings: SFTPSettings) throws {
        try settings.validate()
        self.settings = settings
    }

    public func deliver(localFile: String, as remoteName: String) throws -> DeliveryOutcome {
        throw TransportError(.internal, "SFTP delivery is not implemented yet")
    }

    public func list() throws -> OutboxListing {
        throw TransportError(.internal, "SFTP listing is not implemented yet")
    }

    public func fetch(_ file: RemoteFile, to localPath: String) throws {
        throw TransportError(.internal, "SFTP fetch is not implemented yet")
    }

    public func finish(_ file: RemoteFile, disposition: FetchedDisposition) throws {
        throw TransportError(.internal, "SFTP finish is not implemented yet")
    }
}
