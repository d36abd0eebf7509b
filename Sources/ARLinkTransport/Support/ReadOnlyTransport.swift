/// A transport that reads through another one and changes nothing at the partner's: it checks
/// folders, lists and fetches, but a delivery or a finish (move to processed, delete) does
/// nothing. For dry runs, which must leave the partner's files where they are and send nothing.
public final class ReadOnlyTransport: Transport {
    private let base: any Transport
    /// Names a dry run would have delivered, in order.
    public private(set) var withheld: [String] = []

    /// Wraps `base`.
    public init(_ base: any Transport) {
        self.base = base
    }

    /// Sends nothing; reports `.delivered` so the dry run goes on as the real run would.
    public func deliver(localFile: String, as remoteName: String) throws -> DeliveryOutcome {
        withheld.append(remoteName)
        return .delivered
    }

    public func list() throws -> OutboxListing { try base.list() }

    public func fetch(_ file: RemoteFile, to localPath: String) throws { try base.fetch(file, to: localPath) }

    public func checkFolders() throws -> String { try base.checkFolders() }

    /// Leaves the file in the partner's outbox.
    public func finish(_ file: RemoteFile, disposition: FetchedDisposition) throws {}
}
