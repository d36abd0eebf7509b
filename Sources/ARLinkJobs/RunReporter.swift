/// How a job tells the operator what it is doing, without knowing about terminals or JSON.
///
/// The executable turns these into human lines on a terminal or JSON lines for machines
/// (`--log-format json`). Messages hold ids, counts and hashes only: never personal data.
public struct RunMessage: Sendable {
    public enum Level: String, Sendable { case debug, info, notice, warning, error }
    public var level: Level
    public var text: String
    /// Machine fields (`partner`, `batch_id`, `count`...).
    public var fields: [String: String]

    public init(_ level: Level, _ text: String, fields: [String: String] = [:]) {
        self.level = level
        self.text = text
        self.fields = fields
    }
}

/// Receives ``RunMessage``s and progress from a job.
public protocol RunReporter: Sendable {
    func report(_ message: RunMessage)
    /// Progress of a long step (`reading open_items.csv`): bytes done of `total`, or without a
    /// total a count of records. A call with `done >= total` ends the step. May be ignored;
    /// the executable draws a ``ProgressMeter`` on a terminal.
    func progress(step: String, done: Int64, total: Int64?)
}

extension RunReporter {
    public func info(_ text: String, _ fields: [String: String] = [:]) { report(RunMessage(.info, text, fields: fields)) }
    public func notice(_ text: String, _ fields: [String: String] = [:]) { report(RunMessage(.notice, text, fields: fields)) }
    public func warning(_ text: String, _ fields: [String: String] = [:]) { report(RunMessage(.warning, text, fields: fields)) }
    public func progress(step: String, done: Int64, total: Int64?) {}
}

/// A reporter that drops everything (tests, benchmarks).
public struct SilentReporter: RunReporter {
    public init() {}
    public func report(_ message: RunMessage) {}
}
