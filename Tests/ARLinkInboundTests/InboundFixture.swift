import ARLinkConfig
import ARLinkCore
import ARLinkEnvelope
import ARLinkFormats
import ARLinkInbound
import ARLinkJobs
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkSystem
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// A demo-shaped folder (example keys, folder transport) with accounts placed with
/// `acme-collect` written straight into the ledger tables, and the partner's side: feedback
/// files sealed with the `openssl` CLI and the partner's keys, dropped into the outbox.
final class InboundFixture {
    let dir: TemporaryDirectory
    let partner = "acme-collect"
    let company = "acme-corp"
    var now: Date
    var configPath: String { dir.file("arlink.yaml") }
    var keys: String { dir.file("keys") }
    var outbox: String { dir.file("partner/outbox") }
    var inbox: String { dir.file("partner/inbox") }
    var processed: String { dir.file("partner/processed") }
    var updatesFolder: String { dir.file("erp/import") }
    var work: String { dir.file("state/work/inbound/acme-collect") }

    /// - Parameter partnerExtra: YAML lines added to the partner (indented 4 spaces), e.g. `promise_horizon_days: 30`.
    init(partnerExtra: [String] = [], transportExtra: [String] = [], now: Date = Date()) throws {
        self.now = now
        dir = try TemporaryDirectory("inbound")
        try RepositoryPaths.copyExampleKeys(to: dir.path)
        var yaml = try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8)
        if !partnerExtra.isEmpty {
            yaml = yaml.replacingOccurrences(of: "    portfolio_format: jsonl\n", with: "    portfolio_format: jsonl\n" + partnerExtra.map { "    \($0)\n" }.joined())
        }
        if transportExtra.contains(where: { $0.hasPrefix("stable_seconds:") }) {
            yaml = yaml.replacingOccurrences(of: #"      stable_seconds: 0[^\n]*\n"#, with: "", options: .regularExpression)
        }
        if !transportExtra.isEmpty {
            yaml = yaml.replacingOccurrences(of: "      processed: partner/processed\n", with: "      processed: partner/processed\n" + transportExtra.map { "      \($0)\n" }.joined())
        }
        try dir.write("arlink.yaml", yaml)
        for folder in ["partner/inbox", "partner/outbox", "partner/processed", "erp/import"] {
            try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true)
        }
    }

    deinit { dir.remove() }

    func context() throws -> RunContext {
        let fixed = now
        return try RunContext(config: try ArlinkConfiguration.load(path: configPath), now: { fixed }, createState: true)
    }

    var today: LocalDate { LocalDate(daysSinceEpoch: Int32((now.timeIntervalSince1970 / 86_400).rounded(.down))) }

    func run() throws -> InboundReport {
        try InboundJob(context: try context()).run(.init(partner: partner))
    }

    /// Places `accounts` accounts, then seals one simulated feedback file of `events` events
    /// (sequence 1) into the partner's outbox.
    func placeAndSimulate(accounts: Int, seed: UInt64, events: Int) throws {
        try seedPlacements(accounts: accounts)
        let plain = dir.file("plain.jsonl")
        try FeedbackSimulator.write(to: plain, header: try header(sequence: 1, previous: nil), store: try store(), partner: partner,
                                    today: today, seed: seed, eventCount: events)
        try seal(plain, as: name(1))
    }

    /// Places `accounts` accounts with the partner: C0001... each with invoices
    /// I<n>-1 (100.00 EUR, due 90 days ago) and I<n>-2 (50.00 EUR, due 60 days ago); batch B1 delivered.
    func seedPlacements(accounts: Int = 10, currency: String = "EUR") throws {
        _ = try context()  // creates the state folder and database
        let store = try StateStore(path: dir.file("state/arlink.sqlite"))
        let created = Timestamp.iso8601(now)
        try store.write { db in
            let total = Money(minorUnits: Int64(accounts) * 15_000, currency: try Currency(currency))
            try db.sqlite.execute(sql: """
                INSERT INTO outbound_batch (batch_id, partner, as_of, sequence, file_id, file_name, state, created_at, plaintext_path,
                    plaintext_sha256, plaintext_bytes, record_counts, totals, invoice_count)
                VALUES ('B1', ?, ?, 1, 'f-1', 'acme-corp_acme-collect_portfolio_1.jsonl.p7m', 'delivered', ?, '/nonexistent', ?, 0, ?, ?, ?)
                """, arguments: [partner, today.iso, created, String(repeating: "0", count: 64), "{\"place\":\(accounts)}",
                                 "{\"\(currency)\":\"\(total.decimalString)\"}", accounts * 2])
            for n in 1...accounts {
                let ref = accountRef(n)
                try db.sqlite.execute(sql: "INSERT INTO placement (partner, account_ref, status, fingerprint, balances, placed_batch, last_batch, updated_at) VALUES (?, ?, 'active', 'fp', '{}', 'B1', 'B1', ?)",
                               arguments: [partner, ref, created])
                let code = try Currency(currency)
                try PlacementLedger.setInvoices(db, partner: partner, accountRef: ref, [
                    InvoicePosition(invoiceNumber: "I\(n)-1", dueDate: today.adding(days: -90), placed: Money(minorUnits: 10000, currency: code), paidMinor: 0),
                    InvoicePosition(invoiceNumber: "I\(n)-2", dueDate: today.adding(days: -60), placed: Money(minorUnits: 5000, currency: code), paidMinor: 0),
                ])
            }
        }
    }

    func accountRef(_ n: Int) -> String { "C" + String(format: "%04d", n) }

    /// Our encryption certificate's fingerprint (what a correct header names).
    func ourKeySHA256() throws -> String {
        try DecryptionIdentity(certificatePath: keys + "/company/encryption.crt", keyPath: keys + "/company/encryption.key").sha256Fingerprint
    }

    /// A header for `sequence`, chained to `previous` (plaintext SHA-256 of the previous file).
    func header(sequence: Int, previous: String?, recipient: String? = nil, sender: String? = nil, keySHA256: String? = nil,
                createdAt: Date? = nil, fileID: String? = nil) throws -> FileHeader {
        FileHeader(schema: "feedback.v1", fileID: fileID ?? UUID().uuidString.lowercased(), kind: "feedback", direction: "inbound",
                   batchID: "fb-\(sequence)", sequence: sequence, sender: sender ?? partner, recipient: recipient ?? company,
                   recipientKeySHA256: try keySHA256 ?? ourKeySHA256(), createdAt: Timestamp.iso8601(createdAt ?? now.addingTimeInterval(-60)),
                   previousFileSHA256: previous)
    }

    /// The outbox name for `sequence`.
    func name(_ sequence: Int) -> String { "acme-collect_acme-corp_feedback_20260630_" + String(format: "%06d", sequence) + ".jsonl.p7m" }

    /// Writes a plaintext feedback file with `events` (plus extra raw lines / trailer options) and returns its path and SHA-256.
    func plaintext(_ header: FileHeader, _ events: [FeedbackEvent], raw: [String] = [], trailer: ControlTotals? = nil,
                   omitTrailer: Bool = false) throws -> (path: String, sha256: String) {
        let path = dir.file("plain-\(UUID().uuidString).jsonl")
        let writer = try FeedbackWriter(path: path, header: header)
        for event in events { try writer.write(event) }
        for line in raw { try writer.writeRaw(line) }
        try writer.finish(trailer: trailer, omitTrailer: omitTrailer)
        return (path, try sha256(path))
    }

    func sha256(_ path: String) throws -> String {
        let r = try ProcessRunner.run("openssl", ["dgst", "-sha256", "-r", path])
        return String(r.stdout.prefix(64))
    }

    /// Signs with the partner's key (RSA-PSS) and encrypts to our certificate (RSA-OAEP, AES-256-GCM)
    /// with the `openssl` CLI, writing `outbox/name`.
    @discardableResult
    /// - Parameter certfile: extra certificates carried in the signature (`-certfile`, a path under `keys`).
    /// - Parameter recipientOptions: the CLI's key transport options instead of ours (empty: the CLI's defaults).
    func seal(_ plain: String, as name: String, signer: String = "partner/signing", recipient: String = "company/encryption",
              into folder: String? = nil, certfile: String? = nil, recipientOptions: String? = nil) throws -> String {
        let out = (folder ?? outbox) + "/" + name
        let pss = signer.hasPrefix("partner") ? " -keyopt rsa_padding_mode:pss" : ""
        let recip = recipientOptions
            ?? (recipient.hasPrefix("company/encryption") ? "-keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256" : "-keyopt ecdh_kdf_md:sha256")
        let script = "openssl cms -sign -binary -nodetach -md sha256 -in '\(plain)' -signer '\(keys)/\(signer).crt' -inkey '\(keys)/\(signer).key'\(pss)"
            + (certfile.map { " -certfile '\(keys)/\($0).crt'" } ?? "") + " -outform DER"
            + " | openssl cms -encrypt -binary -aes-256-gcm -recip '\(keys)/\(recipient).crt' \(recip) -outform DER -out '\(out).tmp' && mv '\(out).tmp' '\(out)'"
        let r = try ProcessRunner.run("/bin/sh", ["-c", script])
        try #require(r.status == 0, "openssl failed: \(r.stderr)")
        return out
    }

    /// Writes, seals and drops one feedback file; returns the plaintext SHA-256 (for chaining).
    @discardableResult
    func drop(sequence: Int, previous: String?, _ events: [FeedbackEvent]) throws -> String {
        let plain = try plaintext(try header(sequence: sequence, previous: previous), events)
        try seal(plain.path, as: name(sequence))
        return plain.sha256
    }

    func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The names kept under a `<folder>/<sha256>/<name>` evidence folder (archive, quarantine), sorted.
    func keptNames(_ folder: String) -> [String] {
        files(folder).flatMap { files(folder + "/" + $0) }.sorted()
    }

    /// Every `update` record across the ERP export files of one format.
    func exportedUpdates(ext: String = "jsonl") throws -> [LineJSON] {
        var out: [LineJSON] = []
        for name in files(updatesFolder) where name.hasSuffix("." + ext) {
            for line in try String(contentsOfFile: updatesFolder + "/" + name, encoding: .utf8).split(separator: "\n") {
                let value = try LineJSON.parse(String(line))
                if value["record_type"] == .string("update") { out.append(value) }
            }
        }
        return out
    }

    func store() throws -> StateStore { try StateStore(path: dir.file("state/arlink.sqlite")) }

    /// Opens a delivered receipt with the openssl CLI and the partner's keys.
    func openReceipt(_ name: String) throws -> [String] {
        let signed = dir.file("receipt.der"), plain = dir.file("receipt.txt")
        let d = try ProcessRunner.run("openssl", ["cms", "-decrypt", "-binary", "-inform", "DER", "-in", inbox + "/" + name, "-out", signed,
                                                  "-recip", keys + "/partner/encryption.crt", "-inkey", keys + "/partner/encryption.key"])
        try #require(d.status == 0, "\(d.stderr)")
        let v = try ProcessRunner.run("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", signed, "-out", plain,
                                                  "-CAfile", keys + "/ca/company-ca.crt", "-purpose", "any"])
        try #require(v.status == 0, "\(v.stderr)")
        return try String(contentsOfFile: plain, encoding: .utf8).split(separator: "\n").map(String.init)
    }
}

/// Builders for events in tests.
enum Events {
    static func payment(_ id: String, _ ref: String, _ amount: String, invoice: String? = nil, currency: String = "EUR", on: LocalDate) throws -> FeedbackEvent {
        var e = FeedbackEvent(type: .payment, eventID: id, accountRef: ref)
        e.amount = try Money(decimal: amount, currency: try Currency(currency))
        e.invoiceNumber = invoice
        e.occurredOn = on
        return e
    }

    static func reversal(_ id: String, _ ref: String, _ amount: String, of payment: String, on: LocalDate) throws -> FeedbackEvent {
        var e = FeedbackEvent(type: .paymentReversal, eventID: id, accountRef: ref)
        e.amount = try Money(decimal: amount, currency: try Currency("EUR"))
        e.reversesEventID = payment
        e.occurredOn = on
        return e
    }

    static func promise(_ id: String, _ ref: String, _ amount: String, date: LocalDate) throws -> FeedbackEvent {
        var e = FeedbackEvent(type: .promise, eventID: id, accountRef: ref)
        e.amount = try Money(decimal: amount, currency: try Currency("EUR"))
        e.promisedDate = date
        return e
    }

    static func dispute(_ id: String, _ ref: String, invoice: String, reason: String) -> FeedbackEvent {
        var e = FeedbackEvent(type: .dispute, eventID: id, accountRef: ref)
        e.invoiceNumber = invoice
        e.disputeReason = reason
        return e
    }

    static func status(_ id: String, _ ref: String, _ status: PartnerStatus) -> FeedbackEvent {
        var e = FeedbackEvent(type: .status, eventID: id, accountRef: ref)
        e.status = status
        return e
    }

    static func risk(_ id: String, _ ref: String, score: Int) -> FeedbackEvent {
        var e = FeedbackEvent(type: .risk, eventID: id, accountRef: ref)
        e.riskScore = score
        e.riskSegment = "medium"
        return e
    }
}
