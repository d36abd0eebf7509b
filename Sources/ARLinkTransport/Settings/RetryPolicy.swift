/// How often and how patiently transient failures (refused or reset connections, timeouts)
/// are retried within one run. Authentication and host-key failures are never retried.
public struct RetryPolicy: Sendable {
    /// Total attempts per operation, including the first. Default 4.
    public var maxAttempts: Int
    /// Delay before the first retry; doubled each time, with up to 50 % random jitter. Default 1 s.
    public var initialDelay: Duration
    /// Upper bound of one delay. Default 30 s.
    public var maxDelay: Duration

    /// Creates a retry policy.
    public init(maxAttempts: Int = 4, initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// No retries at all (one attempt).
    public static let none = RetryPolicy(maxAttempts: 1, initialDelay: .zero, maxDelay: .zero)

    /// Checks the bounds.
    public func validate() throws {
        guard (1...20).contains(maxAttempts) else {
            throw TransportError(.config, "retry max_attempts must be between 1 and 20 (got \(maxAttempts))")
        }
        guard initialDelay >= .zero, maxDelay >= initialDelay else {
            throw TransportError(.config, "retry delays must satisfy 0 <= initial_delay <= max_delay")
        }
    }

    /// The delay before retry number `retry` (1 = first retry), with jitter.
    func delay(beforeRetry retry: Int) -> Duration {
        var base = initialDelay
        for _ in 1..<max(1, retry) { base = min(base * 2, maxDelay) }
        let jitter = Double.random(in: 0.5...1.0)
        return min(base * jitter, maxDelay)
    }
}
