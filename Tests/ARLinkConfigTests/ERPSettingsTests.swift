import ARLinkConfig
import ARLinkCore
import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// The `erp` section and the recall limits: what the loader accepts is what the schema and the
/// docs list, and the presets bring their ERP's defaults.
@Suite("Configuration: ERP formats, presets and recall limits", .timeLimit(.minutes(10)))
struct ERPSettingsTests {
    static func load(_ replacements: [(String, String)]) throws -> ArlinkConfiguration {
        let dir = try ConfigLoadingTests.demoFolder()
        defer { dir.remove() }
        var yaml = try String(contentsOfFile: dir.file("arlink.yaml"), encoding: .utf8)
        for (old, new) in replacements {
            #expect(yaml.contains(old), "fixture does not contain \(old)")
            yaml = yaml.replacingOccurrences(of: old, with: new)
        }
        try dir.write("arlink.yaml", yaml)
        return try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
    }

    /// The values a setting's rows list in docs/extracts.md's "Value formats" table.
    static func documentedValues(_ setting: String) throws -> [String] {
        let text = try String(contentsOfFile: RepositoryPaths.root + "/docs/extracts.md", encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## Value formats").dropFirst().first)
        var current = ""
        var values: [String] = []
        for line in section.split(separator: "\n") {
            guard line.hasPrefix("|") else { if !values.isEmpty || current == setting { break } else { continue } }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 3, !cells[1].hasPrefix("---"), cells[1] != "setting" else { continue }
            if !cells[1].isEmpty { current = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            if current == setting { values.append(cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`"))) }
        }
        return values
    }

    /// The enum of an `erp` property in schemas/config.v1.schema.json.
    static func schemaEnum(_ key: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: RepositoryPaths.root + "/schemas/config.v1.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let erp = try #require((schema["properties"] as? [String: Any])?["erp"] as? [String: Any])
        let property = try #require((erp["properties"] as? [String: Any])?[key] as? [String: Any])
        return try #require(property["enum"] as? [String])
    }

    @Test("date_format: the loader, the schema and the docs list the same patterns, and each loads")
    func dateFormatsAreOneList() throws {
        let patterns = DateFormat.allCases.map(\.rawValue)
        #expect(patterns.contains("dd-MM-yyyy") && patterns.contains("yyyyMMdd") && patterns.contains("dd.MM.yyyy"))
        #expect(try Self.schemaEnum("date_format") == patterns)
        #expect(try Self.documentedValues("date_format") == patterns)
        for pattern in patterns {
            #expect(try Self.load([("date_format: yyyy-MM-dd", "date_format: \"\(pattern)\"")]).erp.dateFormat.rawValue == pattern)
        }
    }

    @Test("number_format: plain, 1,234.56 and 1.234,56 everywhere; anything else is refused with the list")
    func numberFormatsAreOneList() throws {
        let names = NumberFormat.allCases.map(\.rawValue)
        #expect(names == ["plain", "1,234.56", "1.234,56"])
        #expect(try Self.schemaEnum("number_format") == names)
        #expect(try Self.documentedValues("number_format") == names)
        for name in names {
            #expect(try Self.load([("number_format: plain", "number_format: \"\(name)\"")]).erp.numberFormat.rawValue == name)
        }
        do {
            _ = try Self.load([("number_format: plain", "number_format: \"1234.56\"")])
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.message == "erp.number_format: \"1234.56\" is not supported (expected plain, 1,234.56, 1.234,56)")
        }
    }

    @Test("each preset brings its ERP's date format; Odoo needs no customer file")
    func presetDefaults() throws {
        let erpnext = try Self.load([("preset: generic", "preset: erpnext"), ("  date_format: yyyy-MM-dd\n", "")])
        #expect(erpnext.erp.dateFormat == .dayMonthYearDash)
        let odoo = try Self.load([("preset: generic", "preset: odoo"), ("  date_format: yyyy-MM-dd\n", ""), ("  customers: erp/customers.csv\n", "")])
        #expect(odoo.erp.dateFormat == .iso)
        #expect(odoo.erp.customersPath == nil)
        do {
            _ = try Self.load([("date_format: yyyy-MM-dd", "date_format: dd-mm-yyyy")])
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.message.hasPrefix("erp.date_format: \"dd-mm-yyyy\" is not supported (expected one of dd-MM-yyyy, dd.MM.yyyy"))
        }
    }

    @Test("max_recall_share defaults to 0.2; max_recalls is off unless set; bad values are named")
    func recallLimits() throws {
        let plain = try Self.load([])
        #expect(try plain.partner("acme-collect").maxRecallShare == 0.2)
        #expect(try plain.partner("acme-collect").maxRecalls == nil)
        let set = try Self.load([("    masking:\n", "    max_recall_share: 0.5\n    max_recalls: 40\n    masking:\n")])
        #expect(try set.partner("acme-collect").maxRecallShare == 0.5)
        #expect(try set.partner("acme-collect").maxRecalls == 40)
        do {
            _ = try Self.load([("    masking:\n", "    max_recall_share: 20%\n    masking:\n")])
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.message == "partners[0].max_recall_share: \"20%\" is not a share (expected a number from 0 to 1, e.g. 0.2 for 20%)")
        }
    }
}
