import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM to `arlink inbound run`: a request to stop at the next file boundary. The file under
/// way finishes (applied, exported, moved, audited); the files not yet started stay in the
/// partner's outbox for the next run, and the command exits 75.
enum StopSignal {
    private static let requested = Atomic(false)

    /// Whether SIGTERM arrived since ``install()``.
    static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Turns SIGTERM into a stop request (instead of ending the process at once).
    /// - Returns: the signal source; keep it alive for the run.
    static func install() -> any DispatchSourceSignal {
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler { requested.store(true, ordering: .relaxed) }
        source.resume()
        return source
    }
}
