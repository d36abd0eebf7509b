public import ARLinkConfig
import PostgresNIO

/// How to reach the server `state.database` names: PostgresNIO's connection configuration with
/// the password (read at each connect, so a rotated file is picked up) and TLS per `sslmode`.
public struct PostgresEndpoint: Sendable {
    public let settings: PostgresStateSettings
    /// Name the connections carry (`application_name`, shown in `pg_stat_activity`).
    public let applicationName: String

    public init(_ settings: PostgresStateSettings, applicationName: String = "arlink") {
        self.settings = settings
        self.applicationName = applicationName
    }

    /// The server as `postgresql://user@host:port/db`, for messages.
    public var description: String { settings.redactedURL }

    /// PostgresNIO's configuration.
    /// - Throws: ``ARLinkConfig/ConfigError`` for the password file (77 when others may read
    ///   it); ``PostgresStoreError`` `.tls` when `ssl_root_cert` cannot be loaded.
    func configuration() throws -> PostgresConnection.Configuration {
        let password = try settings.readPassword()
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: password,
            database: settings.database, tls: try tls())
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        return configuration
    }

    /// `disable`: none; `require`: TLS without certificate checks (libpq's meaning);
    /// `verify-full`: the chain must lead to `ssl_root_cert` (or the system's roots) and the
    /// certificate must name the host.
    func tls() throws -> PostgresConnection.Configuration.TLS {
        switch settings.sslMode {
        case .disable:
            return .disable
        case .require:
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            return .require(try context(tls))
        case .verifyFull:
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .fullVerification
            tls.minimumTLSVersion = .tlsv12
            if let root = settings.sslRootCertificate { tls.trustRoots = .file(root) }
            return .require(try context(tls))
        }
    }

    private func context(_ tls: TLSConfiguration) throws -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw PostgresStoreError(.tls, "\(description): cannot set up TLS (state.ssl_root_cert \(settings.sslRootCertificate ?? "(system roots)")): \(error)")
        }
    }
}
