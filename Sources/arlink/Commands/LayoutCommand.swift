import ArgumentParser
import ARLinkCore
import ARLinkLayouts
import Foundation

/// `arlink layout`: partner file layouts on their own (docs/layouts.md).
struct LayoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "Check partner file layouts.",
        subcommands: [Check.self]
    )

    /// `arlink layout check --layout FILE|BUILTIN [--sample FILE] [--direction in|out]`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a layout file (or a built-in layout) and read a sample data file through it.",
            discussion: """
                Loads the layout as a configuration load does (schemas/layout.v1.schema.json: keys, types, \
                positions, overlaps, trailer references), then applies the semantic rules: every position of a \
                fixed-width record covered by a field, a trailer that counts the records, domain names and code \
                maps arlink knows, detail records of one direction that name their account. With --sample, reads \
                the file through the layout (trailer counts and sums included) and, for a feedback layout, \
                converts its records to arlink's events, reporting the first error with file, line, record type, \
                field and position. Needs no configuration and touches no state. Exit status: 0 when everything \
                passed (warnings allowed), 78 when the layout is wrong, 65 when the sample is, 66 when the sample \
                cannot be read, 64 when a built-in layout's sample lacks --direction.
                """
        )

        @Option(name: .long, help: "A layout file (.yaml) or a built-in layout (latitude-aim, latitude-aim-pipe).")
        var layout: String

        @Option(name: .long, help: "A data file to read through the layout.")
        var sample: String?

        @Option(name: .long, help: "in (feedback, agency to us) or out (portfolio, us to the agency); inferred from a layout file's records.")
        var direction: Direction?

        @Option(name: .long, help: "Output: human (default) or json (one JSON object on stdout).")
        var logFormat: LogFormat = .human

        enum Direction: String, ExpressibleByArgument, CaseIterable {
            case `in`, out
            var layoutDirection: LayoutDirection { self == .in ? .feedback : .portfolio }
        }

        func run() throws {
            let result = LayoutCheck.run(layoutArgument: layout, direction: direction?.layoutDirection, samplePath: sample,
                                         baseDirectory: FileManager.default.currentDirectoryPath)
            print(logFormat == .json ? Self.json(result, layout: layout, sample: sample) : Self.human(result, layout: layout, sample: sample))
            let status = result.exitStatus
            if status != .success { throw ExitCode(status.rawValue) }
        }

        static func human(_ result: LayoutCheck.Result, layout: String, sample: String?) -> String {
            var lines: [String] = []
            if let error = result.loadError {
                lines.append("layout \(layout): error: \(error.message) [\(error.codeName)]")
            }
            for checked in result.layouts {
                let errors = checked.findings.filter { $0.severity == .error }.count
                let what = "layout \(checked.layout.name)\(checked.direction.map { " (\($0.rawValue))" } ?? "")"
                let format = checked.layout.format == .fixedWidth ? "fixed width" : "delimited"
                lines.append("\(what): \(errors == 0 ? "ok" : "\(errors) error\(errors == 1 ? "" : "s")"), \(checked.layout.records.count) record types, \(format), \(checked.layout.encoding.rawValue), amounts in \(checked.layout.currency.code)")
                for finding in checked.findings { lines.append("  \(finding)") }
            }
            if let sample {
                if let summary = result.sampleSummary { lines.append("sample \(summary)") }
                else if let error = result.sampleError { lines.append("sample \(sample): error: \(error.message) [\(error.codeName)]") }
                else { lines.append("sample \(sample): not read (fix the layout first)") }
            }
            return lines.joined(separator: "\n")
        }

        static func json(_ result: LayoutCheck.Result, layout: String, sample: String?) -> String {
            func q(_ s: String) -> String { JSONLine.quote(s) }
            let layouts = result.layouts.map { checked in
                "{\"layout\":\(q(checked.layout.name)),\"direction\":\(checked.direction.map { q($0.rawValue) } ?? "null"),\"findings\":["
                    + checked.findings.map { "{\"severity\":\(q($0.severity.rawValue)),\"message\":\(q($0.message))}" }.joined(separator: ",") + "]}"
            }
            var pairs = ["\"argument\":\(q(layout))", "\"exit_status\":\(result.exitStatus.rawValue)", "\"layouts\":[\(layouts.joined(separator: ","))]"]
            pairs.append("\"load_error\":" + (result.loadError.map { "{\"code\":\(q($0.codeName)),\"message\":\(q($0.message))}" } ?? "null"))
            if let sample {
                pairs.append("\"sample\":{\"file\":\(q(sample)),\"summary\":\(result.sampleSummary.map(q) ?? "null"),\"error\":"
                             + (result.sampleError.map { "{\"code\":\(q($0.codeName)),\"message\":\(q($0.message))}" } ?? "null") + "}")
            }
            return "{" + pairs.joined(separator: ",") + "}"
        }
    }
}
