/// HTTPS transport through libcurl with libssh2 (work in progress in this commit).
public final class HTTPSTransport: Transport {
    let settings: HTTPSSettings

    /// Creates the transport after validating `settings`.
    public init(_ settings: HTTPSSettings) throws {
        try settings.validate()
        self.settings = settings
    }

    public func deliver(localFile: String, as remoteName: String) throws -> DeliveryOutcome {
        throw TransportError(.internal, "HTTPS delivery is not implemented yet")
    }

    public func list() throws -> OutboxListing {
        throw TransportError(.internal, "HTTPS listing is not implemented yet")
    }

    public func fetch(_ file: RemoteFile, to localPath: String) throws {
        throw TransportError(.internal, "HTTPS fetch is not implemented yet")
    }

    public func finish(_ file: RemoteFile, disposition: FetchedDisposition) throws {
        throw TransportError(.internal, "HTTPS finish is not implemented yet")
    }
}
