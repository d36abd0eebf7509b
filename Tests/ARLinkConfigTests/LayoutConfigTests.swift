import ARLinkConfig
import ARLinkCore
import ARLinkLayouts
import ARLinkTestSupport
import Foundation
import Testing

/// `portfolio_format`, `feedback_format` and `layout_note_codes` (issue 14).
@Suite("partner layouts in the configuration", .timeLimit(.minutes(10)))
struct LayoutConfigTests {
    static let line = "    portfolio_format: jsonl"

    @Test("built-in layouts by name")
    func builtins() throws {
        let dir = try ConfigLoadingTests.demoFolder()
        defer { dir.remove() }
        let config = try ConfigLoadingTests.load(dir, replacing: Self.line, with: """
                portfolio_format: latitude-aim
                feedback_format: latitude-aim-pipe
                layout_note_codes: {PTP: promise, XX1: "status:legal"}
            """)
        let partner = try config.partner("acme-collect")
        #expect(partner.layouts.portfolio?.name == "latitude-aim-portfolio")
        #expect(partner.layouts.feedback?.name == "latitude-aim-feedback-delimited")
        #expect(partner.layouts.noteCodes == ["PTP": "promise", "XX1": "status:legal"])
        #expect(partner.portfolioFormat == "jsonl")
    }

    @Test("arlink's own formats keep working under both spellings", arguments: [("csv", "csv"), ("arlink-csv", "csv"), ("arlink-jsonl", "jsonl")])
    func own(value: String, format: String) throws {
        let dir = try ConfigLoadingTests.demoFolder()
        defer { dir.remove() }
        let partner = try ConfigLoadingTests.load(dir, replacing: Self.line, with: "    portfolio_format: \(value)").partner("acme-collect")
        #expect(partner.portfolioFormat == format)
        #expect(partner.layouts.portfolio == nil)
    }

    @Test("a layout file relative to the configuration file")
    func file() throws {
        let dir = try ConfigLoadingTests.demoFolder()
        defer { dir.remove() }
        try dir.write("agency.yaml", try String(contentsOfFile: RepositoryPaths.root + "/layouts/latitude-aim-portfolio.yaml", encoding: .utf8)
            .replacingOccurrences(of: "layout: latitude-aim-portfolio", with: "layout: our-agency"))
        let partner = try ConfigLoadingTests.load(dir, replacing: Self.line, with: "    portfolio_format: agency.yaml").partner("acme-collect")
        #expect(partner.layouts.portfolio?.name == "our-agency")
        #expect(partner.layouts.portfolioName == "agency.yaml")
    }

    @Test("mistakes name the key and the fix", arguments: [
        ("    portfolio_format: latitude", "partners[0].portfolio_format: \"latitude\" is not a format (expected a built-in one, arlink-jsonl, arlink-csv, latitude-aim, latitude-aim-pipe, or a layout file path ending in .yaml)"),
        ("    feedback_format: missing.yaml", "partners[0].feedback_format: layout file "),
        ("    portfolio_format: jsonl\n    layout_note_codes: {PTP: promised}", "partners[0].layout_note_codes.PTP: \"promised\" is not a note meaning"),
    ])
    func mistakes(replacement: String, message: String) throws {
        let dir = try ConfigLoadingTests.demoFolder()
        defer { dir.remove() }
        do {
            _ = try ConfigLoadingTests.load(dir, replacing: Self.line, with: replacement)
            Issue.record("accepted")
        } catch let e as ConfigError {
            #expect(e.message.hasPrefix(message), "\(e.message)")
            #expect(e.exitStatus == .config)
        }
    }
}
