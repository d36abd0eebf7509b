import ARLinkSystem
import Synchronization
import ArgumentParser
import ARLinkFormats
import ARLinkCore
import ARLinkJobs
import Foundation
import Logging

/// Output style: sentences for people, JSON lines for machines.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case human, json
}

/// Options every job command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The arlink configuration file (YAML).")
    var config: String

    @Option(name: .long, help: "Log output: human (default) or json (one JSON object per line on stderr).")
    var logFormat: LogFormat = .human
}

/// Turns job messages into log lines (swift-log) and progress on a terminal.
struct ConsoleReporter: RunReporter {
    let logger: Logger
    /// The progress line: on stderr when it is a terminal and the format is for people.
    let terminal: TerminalProgress

    /// - Parameter progress: false where no one watches (the service's jobs).
    init(format: LogFormat, progress: Bool = true) {
        Console.bootstrap(format)
        var logger = Logger(label: "arlink")
        logger.logLevel = .info
        self.logger = logger
        self.terminal = TerminalProgress(fd: STDERR_FILENO, enabled: progress && format == .human)
    }

    func report(_ message: RunMessage) {
        terminal.interrupt()
        let metadata = Logger.Metadata(uniqueKeysWithValues: message.fields.map { ($0.key, Logger.MetadataValue.string($0.value)) })
        switch message.level {
        case .debug: logger.debug("\(message.text)", metadata: metadata)
        case .info: logger.info("\(message.text)", metadata: metadata)
        case .notice: logger.notice("\(message.text)", metadata: metadata)
        case .warning: logger.warning("\(message.text)", metadata: metadata)
        case .error: logger.error("\(message.text)", metadata: metadata)
        }
    }

    func progress(step: String, done: Int64, total: Int64?) {
        terminal.progress(step: step, done: done, total: total)
    }
}

enum Console {
    private static let bootstrapped = Atomic(false)

    static func bootstrap(_ format: LogFormat) {
        guard !bootstrapped.exchange(true, ordering: .relaxed) else { return }
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, json: format == .json) }
    }

    static func writeStderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Runs a command body, turning arlink errors into a message on stderr and the exit
    /// status of design section 3.
    static func run(_ format: LogFormat = .human, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as any ARLinkFailure {
            if format == .json {
                writeStderr(JSONLine.encode(["level": "error", "code": failure.codeName, "message": failure.message,
                                             "exit_status": String(failure.exitStatus.rawValue), "time": Timestamp.iso8601(Date())]) + "\n")
            } else {
                writeStderr("arlink: error: \(failure.message) [\(failure.codeName)]\n")
            }
            throw ExitCode(failure.exitStatus.rawValue)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            writeStderr("arlink: internal error: \(error)\n")
            throw ExitCode(ExitStatus.software.rawValue)
        }
    }
}

/// A swift-log handler writing one line per message to stderr: readable text, or JSON.
struct LineLogHandler: LogHandler {
    let label: String
    let json: Bool
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if json {
            var object: [String: String] = ["level": event.level.rawValue, "message": "\(event.message)",
                                            "time": Timestamp.iso8601(Date())]
            for (k, v) in merged { object[k] = "\(v)" }
            Console.writeStderr(JSONLine.encode(object) + "\n")
        } else {
            let prefix = event.level >= .warning ? "\(event.level.rawValue): " : ""
            Console.writeStderr("\(prefix)\(event.message)\n")
        }
    }
}

/// Minimal, dependency-free JSON object encoding of string maps (sorted keys).
enum JSONLine {
    static func encode(_ object: [String: String]) -> String {
        "{" + object.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(quote($0.value))" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal (the formats module's one escaper).
    static func quote(_ s: String) -> String { JSONText.quoted(s) }
}
