import Foundation
public import ARLinkCore

/// `arlink layout check`: a layout file (or a built-in layout) checked on its own, and a
/// sample data file read through it, without a configuration or a state database.
public enum LayoutCheck {
    /// What one check found.
    public struct Result: Sendable {
        /// The layouts checked: a built-in name without a direction checks both of its files.
        public var layouts: [(layout: Layout, direction: LayoutDirection?, findings: [LayoutFinding])] = []
        /// The layout could not be loaded (the loader's first error).
        public var loadError: LayoutError?
        /// What the sample file held, when one was read and it passed.
        public var sampleSummary: String?
        /// The sample's first error (file, line, record type, field, position, value).
        public var sampleError: (any ARLinkFailure)?

        public init() {}

        public var errors: [LayoutFinding] { layouts.flatMap { $0.findings.filter { $0.severity == .error } } }

        /// 78 when the layout is wrong, else 65 when the sample is, else 0.
        public var exitStatus: ExitStatus {
            if loadError != nil || !errors.isEmpty { return .config }
            if let sampleError { return sampleError.exitStatus }
            return .success
        }
    }

    /// Checks `layoutArgument` (a built-in name or a layout file) and reads `samplePath` through it.
    /// - Parameter direction: portfolio (`out`) or feedback (`in`); needed to pick a built-in's
    ///   file for a sample, inferred from a layout file's records otherwise.
    public static func run(layoutArgument: String, direction: LayoutDirection?, samplePath: String?, baseDirectory: String) -> Result {
        var result = Result()
        do {
            if BuiltinLayouts.names.contains(layoutArgument) && layoutArgument.hasPrefix("arlink-") {
                throw LayoutError(.badLayout, "\(layoutArgument) is arlink's own format, not a layout (nothing to check)")
            }
            let directions: [LayoutDirection] = direction.map { [$0] } ?? [.portfolio, .feedback]
            if try BuiltinLayouts.layout(named: layoutArgument, direction: .portfolio) != nil {
                for d in directions {
                    if let layout = try BuiltinLayouts.layout(named: layoutArgument, direction: d) {
                        result.layouts.append((layout, d, LayoutLint.findings(layout, direction: d)))
                    }
                }
            } else {
                guard case .layout(let layout) = try BuiltinLayouts.resolve(layoutArgument, direction: direction ?? .feedback, baseDirectory: baseDirectory) else {
                    throw LayoutError(.badLayout, "\(layoutArgument) is not a layout")
                }
                result.layouts.append((layout, direction ?? LayoutLint.direction(of: layout), LayoutLint.findings(layout, direction: direction)))
            }
        } catch let error as LayoutError {
            result.loadError = error
            return result
        } catch {
            result.loadError = LayoutError(.badLayout, "\(layoutArgument): \(error)")
            return result
        }
        guard let samplePath, result.errors.isEmpty else { return result }
        guard result.layouts.count == 1, let (layout, sampleDirection, _) = result.layouts.first else {
            result.sampleError = LayoutUsageError(message: "\(layoutArgument) has a portfolio and a feedback layout: say which one reads the sample with --direction out (portfolio) or --direction in (feedback)")
            return result
        }
        do {
            result.sampleSummary = try readSample(samplePath, layout: layout, direction: sampleDirection)
        } catch let failure as any ARLinkFailure {
            result.sampleError = failure
        } catch {
            result.sampleError = LayoutError(.badLine, "\(samplePath): \(error)")
        }
        return result
    }

    /// Reads a sample file through `layout` (trailer checks included) and, for a feedback layout,
    /// converts its records to arlink's events (file numbers taken as they come).
    /// - Returns: a one-line summary (records per type).
    /// - Throws: the first ``LayoutError`` of the file; ``SampleError`` when it cannot be read.
    static func readSample(_ path: String, layout: Layout, direction: LayoutDirection?) throws -> String {
        let name = (path as NSString).lastPathComponent
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw SampleError(message: "sample file \(path) cannot be read (check the path)")
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? Int64(data.count)
        guard size <= 256 << 20 else { throw LayoutError(.badLine, "\(name) has \(size) bytes, more than the 256 MiB a layout file may have") }
        let file = try LayoutReader(layout: layout).read([UInt8](data), name: name)
        var counts: [String: Int] = [:]
        for r in file.records { counts[r.type, default: 0] += 1 }
        var converted = ""
        switch direction {
        case .feedback?:
            // The sample's own file numbers, each with the account its records name.
            var pairs: [Int64: String] = [:]
            for r in file.records {
                guard let rl = layout.record(named: r.type), let nf = rl.field(domain: "file_number"), let n = r[nf.name].integer else { continue }
                let account = rl.field(domain: "account_ref").flatMap { r[$0.name].text }
                if pairs[n] == nil || account != nil { pairs[n] = account ?? pairs[n] ?? "file-\(n)" }
            }
            let records = try FeedbackLayout(layout: layout).records(file, fileNumbers: FileNumberTable(pairs.map { ($0.value, $0.key) }))
            var events = 0, other = 0
            for r in records { if case .event = r { events += 1 } else { other += 1 } }
            converted = "; \(events) events and \(other) acknowledgements, reconciliations or recall objections"
        case .portfolio?, nil:
            // A portfolio's updates are balance changes against balances only the ledger knows.
            break
        }
        let types = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return "\(name): \(file.records.count) records (\(types))\(file.trailer.map { ", trailer \($0.type) checks pass" } ?? "")\(converted)"
    }

    /// A sample without the direction that picks a built-in's layout (exit 64).
    public struct LayoutUsageError: ARLinkFailure {
        public var message: String
        public var codeName: String { "layout.usage" }
        public var exitStatus: ExitStatus { .usage }
    }

    /// A sample file that cannot be read at all (exit 66).
    public struct SampleError: ARLinkFailure {
        public var message: String
        public var codeName: String { "layout.sample_unreadable" }
        public var exitStatus: ExitStatus { .noInput }
    }
}
