/// Settings of an HTTPS partner: uploads by PUT, optional feedback fetching by GET.
///
/// TLS is always verified, against the system trust store or a pinned CA file. Deliveries go
/// to `NAME.part` and are renamed with WebDAV `MOVE` (`Overwrite: F`) so the partner never sees
/// a partial file, unless ``atomicRename`` is off (for servers that write uploads atomically).
public struct HTTPSSettings: Sendable {
    /// Upload URL with `{name}` where the file name goes, e.g. `https://partner.example/inbox/{name}`.
    public var uploadURLTemplate: String
    /// Upload to `{name}.part` then `MOVE` to `{name}` (needs WebDAV MOVE). Default true.
    public var atomicRename: Bool
    /// PEM file with the CA certificate(s) to trust instead of the system store.
    public var caFile: String?
    /// PEM client certificate for mutual TLS.
    public var clientCertificatePath: String?
    /// PEM private key of the client certificate (mode 600).
    public var clientKeyPath: String?
    /// Passphrase of the client key, if it has one.
    public var clientKeyPassphrase: TransportSecret?
    /// URL of the partner's feedback folder listing (nginx `autoindex_format json` style: a JSON
    /// array of objects with `name`, `type` and `size`); `nil` when the partner offers no feedback over HTTPS.
    public var listingURL: String?
    /// Download URL of one feedback file, with `{name}`; defaults to the listing URL + name.
    public var fetchURLTemplate: String?
    /// Destination URL for fetched files (WebDAV `MOVE`), with `{name}`; `nil` means delete.
    public var processedURLTemplate: String?
    /// Which outbox names are fetched and when they are complete.
    public var rules: OutboxRules
    /// Connect timeout (TCP plus TLS handshake). Default 15 s.
    public var connectTimeout: Duration
    /// A transfer slower than ``lowSpeedLimit`` bytes/s for this long is aborted as transient. Default 60 s.
    public var lowSpeedTime: Duration
    /// Bytes per second under which a transfer counts as stalled. Default 1024.
    public var lowSpeedLimit: Int
    /// Retries of transient failures.
    public var retry: RetryPolicy

    /// Creates HTTPS settings; see each property for defaults.
    public init(
        uploadURLTemplate: String, atomicRename: Bool = true, caFile: String? = nil, clientCertificatePath: String? = nil,
        clientKeyPath: String? = nil, clientKeyPassphrase: TransportSecret? = nil, listingURL: String? = nil,
        fetchURLTemplate: String? = nil, processedURLTemplate: String? = nil, rules: OutboxRules = OutboxRules(namePattern: "^$"),
        connectTimeout: Duration = .seconds(15), lowSpeedTime: Duration = .seconds(60), lowSpeedLimit: Int = 1024,
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.uploadURLTemplate = uploadURLTemplate
        self.atomicRename = atomicRename
        self.caFile = caFile
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
        self.clientKeyPassphrase = clientKeyPassphrase
        self.listingURL = listingURL
        self.fetchURLTemplate = fetchURLTemplate
        self.processedURLTemplate = processedURLTemplate
        self.rules = rules
        self.connectTimeout = connectTimeout
        self.lowSpeedTime = lowSpeedTime
        self.lowSpeedLimit = lowSpeedLimit
        self.retry = retry
    }

    /// Refuses plain HTTP, templates without `{name}`, a client certificate without key (or the
    /// reverse), a client key readable by others, and unreadable CA files.
    public func validate() throws {
        let prefix = "https transport"
        for (key, template) in [("upload_url", uploadURLTemplate), ("fetch_url", fetchURLTemplate), ("processed_url", processedURLTemplate)] {
            guard let template else { continue }
            guard template.lowercased().hasPrefix("https://") else {
                throw TransportError(.config, "\(prefix): \(key) \"\(template)\" must start with https:// (plain HTTP is refused)")
            }
            guard template.contains("{name}") else {
                throw TransportError(.config, "\(prefix): \(key) \"\(template)\" must contain {name} where the file name goes")
            }
        }
        if let listingURL {
            guard listingURL.lowercased().hasPrefix("https://") else {
                throw TransportError(.config, "\(prefix): listing_url \"\(listingURL)\" must start with https://")
            }
        }
        if let caFile {
            _ = try LocalFiles.readSmallFile(caFile, limit: 1 << 20, purpose: "\(prefix) ca_file")
        }
        switch (clientCertificatePath, clientKeyPath) {
        case (nil, nil):
            break
        case (.some(let certificate), .some(let key)):
            _ = try LocalFiles.readSmallFile(certificate, limit: 1 << 20, purpose: "\(prefix) client_certificate")
            try LocalFiles.requireOwnerOnly(key, purpose: "\(prefix) client_key")
        default:
            throw TransportError(.config, "\(prefix): client_certificate and client_key must be given together")
        }
        if connectTimeout <= .zero || lowSpeedTime <= .zero || lowSpeedLimit < 1 {
            throw TransportError(.config, "\(prefix): timeouts and low_speed_limit must be positive")
        }
        try rules.validate()
        try retry.validate()
    }
}
