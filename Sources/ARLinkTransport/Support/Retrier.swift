/// Runs an operation with retries of transient failures (exponential backoff with jitter).
///
/// When retries are exhausted the error is `.unreachable` (exit 69) if no connection ever
/// succeeded in this run, otherwise `.transient` (exit 75). Other errors pass through at once.
final class Retrier {
    let policy: RetryPolicy
    /// Set by the transport once any transfer succeeded.
    var everConnected = false
    /// Called before each retry (for logging or tests).
    var onRetry: ((Int, TransportError) -> Void)?

    init(policy: RetryPolicy) {
        self.policy = policy
    }

    func run<T>(_ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body()
            } catch let error as TransportError where error.isTransient {
                if attempt >= policy.maxAttempts {
                    let suffix = " (gave up after \(attempt) attempt\(attempt == 1 ? "" : "s"))"
                    if error.code == .unreachable, !everConnected {
                        throw TransportError(.unreachable, error.message + suffix, underlying: error)
                    }
                    throw TransportError(.transient, error.message + suffix, underlying: error)
                }
                onRetry?(attempt, error)
                blockingSleep(policy.delay(beforeRetry: attempt))
                attempt += 1
            }
        }
    }
}
