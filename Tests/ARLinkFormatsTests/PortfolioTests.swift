import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// Sample portfolio content shared by the portfolio tests.
enum SamplePortfolio {
    static func header(sequence: Int = 7) throws -> FileHeader {
        FileHeader(
            schema: "portfolio.v1", fileID: "0b7c2f4e-9d1a-4c3b-8e5f-2a6d9c1b3e70", kind: "portfolio", direction: "outbound",
            batchID: "2025-06-30-0001", sequence: sequence, sender: "acme-gmbh", recipient: "collect-partner",
            recipientKeySHA256: String(repeating: "ab", count: 32), createdAt: "2025-06-30T05:00:00Z",
            previousFileSHA256: String(repeating: "0f", count: 32), asOf: LocalDate(iso: "2025-06-30"),
            auditCheckpoint: "arlink.example/audit\n42\nq1w2e3r4t5y6\n\n— arlink-audit AbCdEf==\n")
    }

    static func records() throws -> [PortfolioRecord] {
        let eur = try Currency("EUR"), jpy = try Currency("JPY"), kwd = try Currency("KWD")
        func m(_ minor: Int64, _ c: Currency) -> Money { Money(minorUnits: minor, currency: c) }
        let due1 = try #require(LocalDate(iso: "2025-03-31")), due2 = try #require(LocalDate(iso: "2025-05-15"))
        return [
            PortfolioRecord(
                action: .place, accountRef: "C-0001",
                debtor: DebtorData(fields: [.name: "Müller \"Quote\" & Söhne, GmbH", .street: "Line 1\nLine 2", .email: "ap@example.com",
                                            .taxID: "DE123\\456", .country: "DE", .phone: "\u{1}+49 ctrl"]),
                invoices: [
                    PortfolioInvoice(number: "INV-1,001", invoiceDate: LocalDate(iso: "2025-03-01"), dueDate: due1, amount: m(120_000, eur), openAmount: m(120_000, eur), daysPastDue: 91),
                    PortfolioInvoice(number: "CN-7", invoiceDate: nil, dueDate: due2, amount: m(-5_025, eur), openAmount: m(-5, eur), daysPastDue: 46),
                    PortfolioInvoice(number: "JP-9", invoiceDate: nil, dueDate: due2, amount: m(125_000, jpy), openAmount: m(125_000, jpy), daysPastDue: 46),
                ],
                balances: [m(119_995, eur), m(125_000, jpy)],
                aging: [AgingAmount(bucket: "31-60", amount: m(-5, eur)), AgingAmount(bucket: "31-60", amount: m(125_000, jpy)), AgingAmount(bucket: "91-180", amount: m(120_000, eur))],
                oldestDueDate: due1, daysPastDue: 91, lastPaymentDate: LocalDate(iso: "2025-04-02")),
            PortfolioRecord(
                action: .update, accountRef: "C-0002", debtor: DebtorData(fields: [.name: "Kuwait Trading"]),
                invoices: [PortfolioInvoice(number: "K-1", invoiceDate: nil, dueDate: due1, amount: m(1_500, kwd), openAmount: m(1_250, kwd), daysPastDue: 91)],
                balances: [m(1_250, kwd)], aging: [AgingAmount(bucket: "91-180", amount: m(1_250, kwd))],
                oldestDueDate: due1, daysPastDue: 91),
            PortfolioRecord(action: .recall, accountRef: "C-0003", debtor: nil, invoices: [], balances: [], aging: [],
                            oldestDueDate: nil, daysPastDue: 0, recallReason: .paidToCreditor),
        ]
    }

    /// Writes the sample with `format` to `dir` and returns the path and what `finish` returned.
    static func write(_ dir: TemporaryDirectory, _ format: PortfolioFormat, name: String? = nil) throws -> (path: String, totals: ControlTotals, sha: String, bytes: Int64) {
        let path = dir.file(name ?? "portfolio.\(format.fileExtension)")
        let writer = try PortfolioWriter(path: path, format: format, header: try header())
        for record in try records() { try writer.write(record) }
        let result = try writer.finish()
        return (path, result.totals, result.plaintextSHA256, result.bytes)
    }
}

@Suite("Portfolio files", .timeLimit(.minutes(10)))
struct PortfolioTests {
    @Test("round trip", arguments: PortfolioFormat.allCases)
    func roundTrip(format: PortfolioFormat) throws {
        let dir = try TemporaryDirectory("portfolio")
        defer { dir.remove() }
        let written = try SamplePortfolio.write(dir, format)
        let contents = try PortfolioReader.read(path: written.path)
        #expect(contents.header == (try SamplePortfolio.header()))
        #expect(contents.records == (try SamplePortfolio.records()))
        #expect(contents.totals == written.totals)
        let eur = try Currency("EUR"), jpy = try Currency("JPY"), kwd = try Currency("KWD")
        #expect(written.totals.counts == ["place": 1, "update": 1, "recall": 1])
        #expect(written.totals.totals == [eur: Money(minorUnits: 119_995, currency: eur), jpy: Money(minorUnits: 125_000, currency: jpy), kwd: Money(minorUnits: 1_250, currency: kwd)])
        // Owner-only file, size and digest as reported (checked with the independent sha256sum).
        let attributes = try FileManager.default.attributesOfItem(atPath: written.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int).map(Int64.init) == written.bytes)
        let sum = try ProcessRunner.run("sha256sum", [written.path])
        #expect(sum.stdout.hasPrefix(written.sha + " "))
        // Deterministic: the same input gives the same bytes.
        let again = try SamplePortfolio.write(dir, format, name: "again.\(format.fileExtension)")
        #expect(again.sha == written.sha)
    }

    @Test("JSON Lines layout: header first, stable key order, money as strings")
    func jsonLayout() throws {
        let dir = try TemporaryDirectory("portfolio")
        defer { dir.remove() }
        let written = try SamplePortfolio.write(dir, .jsonl)
        let lines = try String(contentsOfFile: written.path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("{\"record_type\":\"header\",\"schema\":\"portfolio.v1\",\"file_id\":"))
        #expect(lines[1].contains("\"amount\":\"-50.25\",\"open_amount\":\"-0.05\""))
        #expect(lines[1].contains("\"currency\":\"JPY\",\"amount\":\"125000\""))
        #expect(lines[1].contains("\"name\":\"Müller \\\"Quote\\\" & Söhne, GmbH\""))
        #expect(lines[1].contains("\"phone\":\"\\u0001+49 ctrl\""))
        #expect(lines[2].contains("\"amount\":\"1.500\",\"open_amount\":\"1.250\""))
        #expect(lines[3] == "{\"record_type\":\"recall\",\"account_ref\":\"C-0003\",\"debtor\":null,\"invoices\":[],\"balances\":[],\"aging\":[],\"oldest_due_date\":null,\"days_past_due\":0,\"last_payment_date\":null,\"recall_reason\":\"paid_to_creditor\"}")
        #expect(lines[4] == "{\"record_type\":\"trailer\",\"counts\":{\"place\":1,\"update\":1,\"recall\":1},\"record_count\":3,\"totals\":[{\"currency\":\"EUR\",\"amount\":\"1199.95\"},{\"currency\":\"JPY\",\"amount\":\"125000\"},{\"currency\":\"KWD\",\"amount\":\"1.250\"}]}")
    }

    @Test("a trailer whose counts or totals differ is refused", arguments: PortfolioFormat.allCases)
    func trailerMismatch(format: PortfolioFormat) throws {
        let dir = try TemporaryDirectory("portfolio")
        defer { dir.remove() }
        let written = try SamplePortfolio.write(dir, format)
        let text = try String(contentsOfFile: written.path, encoding: .utf8)
        let (countEdit, totalEdit): ((String, String), (String, String)) = format == .jsonl
            ? (("\"place\":1,", "\"place\":2,"), ("\"amount\":\"1199.95\"", "\"amount\":\"1199.96\""))
            : (("T,1,1,1,3", "T,2,1,1,3"), ("EUR,1199.95", "EUR,1199.96"))
        let counts = try dir.write("counts." + format.fileExtension, text.replacingOccurrences(of: countEdit.0, with: countEdit.1))
        var error = formatError { _ = try PortfolioReader.read(path: counts) }
        #expect(error?.code == .trailerMismatch)
        #expect(error?.message.contains("the trailer counts 2 place records but the file has 1") == true)
        let totals = try dir.write("totals." + format.fileExtension, text.replacingOccurrences(of: totalEdit.0, with: totalEdit.1))
        error = formatError { _ = try PortfolioReader.read(path: totals) }
        #expect(error?.code == .trailerMismatch)
        #expect(error?.message.contains("the trailer's total for EUR is 1199.96 but the invoices add up to 1199.95") == true)
    }

    @Test("a file without its trailer is refused as truncated", arguments: PortfolioFormat.allCases)
    func truncation(format: PortfolioFormat) throws {
        let dir = try TemporaryDirectory("portfolio")
        defer { dir.remove() }
        let written = try SamplePortfolio.write(dir, format)
        var lines = try String(contentsOfFile: written.path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast(2) // the empty string after the final newline, and the trailer
        let cut = try dir.write("cut." + format.fileExtension, lines.joined(separator: "\n") + "\n")
        let error = formatError { _ = try PortfolioReader.read(path: cut) }
        #expect(error?.code == .missingTrailer)
        #expect(error?.message.contains("without a trailer record, so it is truncated") == true)
    }

    @Test("JSON Lines: records after the trailer, a missing header, bad JSON and bad shapes are refused")
    func badJSONFiles() throws {
        let dir = try TemporaryDirectory("portfolio")
        defer { dir.remove() }
        let written = try SamplePortfolio.write(dir, .jsonl)
        let lines = try String(contentsOfFile: written.path, encoding: .utf8).split(separator: "\n").map(String.init)
        func refused(_ name: String, _ body: [String], _ code: FormatError.Code, _ text: String) throws {
            let path = try dir.write(name, body.joined(separator: "\n") + "\n")
            let error = formatError { _ = try PortfolioReader.read(path: path, format: .jsonl) }
            #expect(error?.code == code, "\(name)")
            #expect(error?.message.contains(text) == true, "\(name): \(error?.message ?? "-")")
        }
        try refused("after.jsonl", lines + [lines[3]], .badRecord, "after.jsonl line 6: a record follows the trailer")
        try refused("noheader.jsonl", Array(lines.dropFirst()), .missingHeader, "the first record is \"place\", expected the header record")
        try refused("badjson.jsonl", [lines[0], "{\"record_type\":\"place\",", lines[4]], .badJSON, "badjson.jsonl line 2 is not valid JSON")
        try refused("float.jsonl", [lines[0], lines[1].replacingOccurrences(of: "\"amount\":\"1200.00\"", with: "\"amount\":1200.0"), lines[2], lines[3], lines[4]],
                    .badRecord, "float.jsonl line 2, invoices[0], field \"amount\": expected a decimal string with exactly 2 decimals for EUR")
        try refused("extra.jsonl", [lines[0], lines[1].replacingOccurrences(of: "\"account_ref\"", with: "\"iban\":\"DE00\",\"account_ref\""), lines[2], lines[3], lines[4]],
                    .badRecord, "unknown field \"iban\"")
        try refused("recall.jsonl", [lines[0], lines[1], lines[2], lines[3].replacingOccurrences(of: "\"recall_reason\":\"paid_to_creditor\"", with: "\"recall_reason\":null"), lines[4]],
                    .badRecord, "recall record for account \"C-0003\" has no recall reason")
    }

    @Test("a file of many buffers: digest, size and records all check out", arguments: PortfolioFormat.allCases)
    func manyBuffers(format: PortfolioFormat) throws {
        let dir = try TemporaryDirectory("portfolio")
        defer { dir.remove() }
        let path = dir.file("big.\(format.fileExtension)")
        let writer = try PortfolioWriter(path: path, format: format, header: try SamplePortfolio.header())
        let template = try SamplePortfolio.records()[0]
        for i in 0..<3_500 {
            var record = template
            record.accountRef = "C-\(i)"
            try writer.write(record)
        }
        let result = try writer.finish()
        #expect(result.bytes > 1 << 20)
        #expect(try ProcessRunner.run("sha256sum", [path]).stdout.hasPrefix(result.plaintextSHA256 + " "))
        var refs: [String] = []
        let (_, totals) = try PortfolioReader.read(path: path) { refs.append($0.accountRef) }
        #expect(refs == (0..<3_500).map { "C-\($0)" })
        #expect(totals == result.totals)
    }

    /// A digest that keeps what it is fed (test double for an OpenSSL-backed digest).
    final class CollectingDigest: PlaintextDigest {
        var bytes: [UInt8] = []
        func update(_ chunk: UnsafeRawBufferPointer) { bytes.append(contentsOf: chunk) }
        func finalizeHex() -> String { "collected \(bytes.count)" }
    }

    @Test("a caller's digest sees exactly the bytes written")
    func injectedDigest() throws {
        let dir = try TemporaryDirectory("portfolio")
        defer { dir.remove() }
        let path = dir.file("d.jsonl")
        let digest = CollectingDigest()
        let writer = try PortfolioWriter(path: path, format: .jsonl, header: try SamplePortfolio.header(), digest: digest)
        let record = try SamplePortfolio.records()[1]
        for _ in 0..<3_000 { try writer.write(record) }
        let result = try writer.finish()
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(digest.bytes == onDisk)
        #expect(result.plaintextSHA256 == "collected \(onDisk.count)")
        #expect(result.bytes == Int64(onDisk.count))
        #expect(onDisk.count > 1 << 20)
    }

    @Test("the writer refuses inconsistent records and leaves no partial file behind")
    func writerChecks() throws {
        let dir = try TemporaryDirectory("portfolio")
        defer { dir.remove() }
        let path = dir.file("p.jsonl")
        do {
            let writer = try PortfolioWriter(path: path, format: .jsonl, header: try SamplePortfolio.header())
            let bad = PortfolioRecord(action: .recall, accountRef: "C-1", debtor: DebtorData(fields: [.name: "X"]), invoices: [], balances: [], aging: [],
                                      oldestDueDate: nil, daysPastDue: 0, recallReason: .disputed)
            let error = formatError { try writer.write(bad) }
            #expect(error?.code == .badRecord)
            #expect(error?.message.contains("carries debtor data") == true)
            #expect(FileManager.default.fileExists(atPath: path))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
