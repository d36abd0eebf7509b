import ARLinkCore
import ARLinkConfig
import ARLinkEnvelope
import ARLinkFormats
import ARLinkInbound
import ARLinkJobs
import ARLinkStore
import ARLinkSystem
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `arlink-bench inbound`: one feedback file of N events (1,000,000 by default), inbound end to
/// end (open, validate, reconcile, apply in SQLite, export ERP updates, receipt, archive),
/// against `openssl cms -decrypt | openssl cms -verify` on the same file in the same run.
/// Each side is its own child process (peak RSS from `wait4`). Bars (design section 7): no
/// slower than the CLI decrypting and verifying alone; peak memory under 128 MB.
struct InboundBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbound",
        abstract: "Inbound end to end on one large feedback file versus openssl cms -decrypt | -verify (s, peak RSS, ratio)."
    )

    @Option(help: "Events in the feedback file.") var events = 1_000_000
    @Option(help: "Accounts placed with the partner.") var accounts = 20_000
    @Option(help: "The repository root (for keys-example/ and config/demo.yaml).") var root = "."
    @Option(help: "Work folder (a temporary folder by default, removed afterwards).") var dir: String?
    @Option(help: .hidden) var phase: String?
    @Option(help: .hidden) var work: String?
    @Option(help: "ERP update file formats, comma-separated (the demo configuration writes both).") var formats = "jsonl,csv"
    @Option(help: "Only time reading (parsing and checking) this plaintext feedback file.") var parseOnly: String?
    @Flag(help: "Only prepare the work folder (--dir) and stop; then profile with --phase run --work DIR.") var prepareOnly = false
    @Option(help: "Runs of each side, taken in turns; the fastest and the median of each are reported.") var runs = 3
    @Option(help: "Event ids of earlier files already in the ledger (a history, in files of a million ids).") var historyKeys = 0
    @Option(help: "How many days before the run the history's files were received (inside the 400-day duplicate window by default).")
    var historyAgeDays = 1

    func run() throws {
        if phase == "run", let work { return try runInbound(work) }
        if let parseOnly { return try timeParse(parseOnly) }
        let folder = dir ?? (NSTemporaryDirectory() + "arlink-inbench-\(getpid())")
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let name = try prepare(folder)
        if prepareOnly { return }
        let sealed = folder + "/partner/outbox/" + name
        let size = (try FileManager.default.attributesOfItem(atPath: sealed)[.size] as? Int) ?? 0
        print("inbound benchmark: \(events) events, \(accounts) placed accounts, \(historyKeys) earlier event ids received \(historyAgeDays) days ago, sealed file \(size / 1_000_000) MB (RSA-PSS signer, RSA-OAEP recipient, AES-256-GCM); \(runs) runs each, taken in turns (the side that goes first alternates)")
        // Each arlink run works on a fresh copy of the prepared folder (a run consumes its file);
        // the CLI reads a copy of the sealed file. Each side starts with the disk idle: the
        // writeback the preparation or the other side left behind belongs to neither.
        let work = folder + ".run"
        let copy = folder + "/sealed-copy.der"
        try FileManager.default.copyItem(atPath: sealed, toPath: copy)
        var arlinkRuns: [Child.Measurement] = []
        var cliRuns: [Child.Measurement] = []
        for index in 0..<max(1, runs) {
            try? FileManager.default.removeItem(atPath: work)
            try FileManager.default.copyItem(atPath: folder, toPath: work)
            try? FileManager.default.removeItem(atPath: work + "/sealed-copy.der")
            sync()
            func runCLI() throws {
                cliRuns.append(try Child.shell(
                    "openssl cms -decrypt -binary -inform DER -in sealed-copy.der -recip keys/company/encryption.crt -inkey keys/company/encryption.key"
                        + " | openssl cms -verify -binary -inform DER -CAfile keys/ca/partner-ca.crt -purpose any -out cli-opened.jsonl 2>/dev/null",
                    in: folder))
                try? FileManager.default.removeItem(atPath: folder + "/cli-opened.jsonl")
                sync()
            }
            if index % 2 == 1 { try runCLI() }
            arlinkRuns.append(try Child.run(["/proc/self/exe", "inbound", "--phase", "run", "--work", work]))
            sync()
            if index % 2 == 0 { try runCLI() }
            if index < runs - 1 { try FileManager.default.removeItem(atPath: work) }
        }
        defer { try? FileManager.default.removeItem(atPath: work) }
        let arlink = arlinkRuns.min { $0.seconds < $1.seconds }!
        let peakKB = arlinkRuns.map(\.maxRSSKB).max()!  // memory: the worst run, not the fastest
        let cli = cliRuns.min { $0.seconds < $1.seconds }!
        func median(_ runs: [Child.Measurement]) -> Double {
            let sorted = runs.map(\.seconds).sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        if runs > 1 {
            print("each run, arlink: " + arlinkRuns.map { String(format: "%.2f", $0.seconds) }.joined(separator: " ")
                  + " s; CLI: " + cliRuns.map { String(format: "%.2f", $0.seconds) }.joined(separator: " ") + " s")
        }
        let store = try StateStore(path: work + "/state/arlink.sqlite")
        let applied = try store.read { db in try InboundLedger.eventCount(db) } - historyKeys
        let updates = try store.read { db in try InboundLedger.updateCount(db) }
        func row(_ label: String, _ m: Child.Measurement) -> String {
            label.padding(toLength: 40, withPad: " ", startingAt: 0)
                + String(format: "%8.2f s  %9.0f events/s  peak RSS %5d MB", m.seconds, Double(events) / m.seconds, m.maxRSSKB / 1024)
        }
        print(row("arlink inbound run (end to end), fastest", arlink))
        print(row("openssl cms -decrypt | -verify, fastest", cli))
        let (arlinkMedian, cliMedian) = (median(arlinkRuns), median(cliRuns))
        print(String(format: "median: arlink %.2f s, CLI %.2f s", arlinkMedian, cliMedian))
        let ratio = cli.seconds / arlink.seconds
        let medianRatio = cliMedian / arlinkMedian
        print(String(format: "inbound: %.2fx the speed of the CLI decrypting and verifying alone by median, %.2fx fastest against fastest (bar >= 0.9x by median: %@); peak %d MB (bar < 128 MB: %@)",
                     medianRatio, ratio, medianRatio >= 0.9 ? "met" : "NOT met", peakKB / 1024, peakKB < 128 * 1024 ? "met" : "NOT met"))
        print("events recorded: \(applied) of \(events); ERP updates produced: \(updates)")
        // The floor this disk sets: every ERP update file is fsynced before its transaction commits.
        let erp = work + "/erp/import"
        let erpBytes = ((try? FileManager.default.contentsOfDirectory(atPath: erp)) ?? []).reduce(0) { total, name in
            total + (((try? FileManager.default.attributesOfItem(atPath: erp + "/" + name))?[.size] as? Int) ?? 0)
        }
        let rate = try Self.fsyncedWriteRate(folder)
        // What arlink must make durable per run: the ERP files (before the commit), the fetched
        // copy of the envelope (before the partner's copy is moved), and what the state database
        // grew by (written at least once, through its log; an estimate from below).
        func fileSize(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        let database = max(0, fileSize(work + "/state/arlink.sqlite") - fileSize(folder + "/state/arlink.sqlite"))
        let durable = erpBytes + size + database
        print(String(format: "ERP update files (%@): %d MB; with the fetched copy (%d MB) and the database's growth (%d MB), %d MB are written and fsynced per run; this disk takes %.0f MB/s fsynced, so it needs about %.2f s for them, written back while the run works (only what is left at each fsync is waited for; the CLI writes %d MB and never fsyncs)",
                     formats, erpBytes / 1_000_000, size / 1_000_000, database / 1_000_000, durable / 1_000_000, rate / 1e6,
                     Double(durable) / rate, size / 1_000_000))
        if applied != events { throw ExitCode(70) }
    }

    /// Bytes per second this disk takes when 256 MB are written and fsynced (one file, 1 MiB writes).
    static func fsyncedWriteRate(_ folder: String) throws -> Double {
        let path = folder + "/fsync-probe"
        let fd = Syscall.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot create \(path)") }
        defer { close(fd); try? FileManager.default.removeItem(atPath: path) }
        let chunk = [UInt8](repeating: 0x5A, count: 1 << 20)
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<256 {
            guard Syscall.pwriteAll(fd, chunk, at: Int64(index) << 20) else { throw ValidationError("cannot write \(path)") }
        }
        _ = fsync(fd)
        return Double(256 << 20) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Demo-shaped folder, placements written to the ledger, and the partner's sealed file in the outbox.
    private func prepare(_ folder: String) throws -> String {
        let fm = FileManager.default
        try? fm.removeItem(atPath: folder)
        for sub in ["partner/inbox", "partner/outbox", "partner/processed", "erp/import", "state"] {
            try fm.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        try fm.copyItem(atPath: root + "/keys-example", toPath: folder + "/keys")
        if let walker = fm.enumerator(atPath: folder + "/keys") {
            while let relative = walker.nextObject() as? String {
                if relative.hasSuffix(".key") { unsafe chmod(folder + "/keys/" + relative, 0o600) }
            }
        }
        let demo = try String(contentsOfFile: root + "/config/demo.yaml", encoding: .utf8)
        let list = formats.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        guard demo.contains("formats: [jsonl, csv]") else { throw ValidationError("config/demo.yaml no longer has `formats: [jsonl, csv]`; update the benchmark") }
        try demo.replacingOccurrences(of: "formats: [jsonl, csv]", with: "formats: [\(list)]").write(toFile: folder + "/arlink.yaml", atomically: true, encoding: .utf8)
        let config = try ArlinkConfiguration.load(path: folder + "/arlink.yaml")
        _ = try StateSetup.initialize(config)
        let context = try RunContext(config: config)
        let partner = "acme-collect"
        let now = Date()
        let today = LocalDate(utcDayOf: now)
        // The partner's placements, through the ledger's own API: one delivered batch.
        let eur = try Currency("EUR")
        let refs = (1...accounts).map { "C\($0)" }
        try context.store.write { db in
            let batch = OutboundBatch(batchID: "B1", partner: partner, asOf: today.iso, sequence: 1, fileID: "f-1", fileName: "bench.p7m", state: .built,
                                      createdAt: Timestamp.iso8601(now), plaintextPath: "/nonexistent", plaintextSHA256: String(repeating: "0", count: 64),
                                      plaintextBytes: 0, recordCountsJSON: "{}", totalsJSON: "{}", invoiceCount: 2 * accounts)
            try PlacementLedger.recordBuilt(db, batch: batch, changes: refs.map { LedgerChange(accountRef: $0, action: .place, fingerprint: "fp", balances: []) }) { ref in
                let n = ref.dropFirst()
                return [PortfolioInvoice(number: "I\(n)-1", invoiceDate: nil, dueDate: today.adding(days: -90), amount: Money(minorUnits: 50_000, currency: eur),
                                         openAmount: Money(minorUnits: 50_000, currency: eur), daysPastDue: 90),
                        PortfolioInvoice(number: "I\(n)-2", invoiceDate: nil, dueDate: today.adding(days: -60), amount: Money(minorUnits: 30_000, currency: eur),
                                         openAmount: Money(minorUnits: 30_000, currency: eur), daysPastDue: 60)]
            }
            try PlacementLedger.advance(db, batchID: "B1", to: .sealed, at: Timestamp.iso8601(now))
            try PlacementLedger.advance(db, batchID: "B1", to: .delivered, at: Timestamp.iso8601(now))
        }
        try Self.seedHistory(store: context.store, partner: partner, keys: historyKeys, receivedOn: today.adding(days: -historyAgeDays))
        let identity = try context.decryptionIdentity()
        let header = try FeedbackSimulator.nextHeader(store: context.store, partner: partner, company: config.company.id.rawValue,
                                                      ourKeySHA256: identity.sha256Fingerprint, createdAt: Timestamp.iso8601(now.addingTimeInterval(-60)))
        let plain = folder + "/feedback.jsonl"
        try FeedbackSimulator.write(to: plain, header: header, store: context.store, partner: partner, today: today, seed: 42, eventCount: events)
        let name = "acme-collect_acme-corp_feedback_\(today.compact)_000001.jsonl.p7m"
        _ = try Child.shell(
            "openssl cms -sign -binary -nodetach -md sha256 -in feedback.jsonl -signer keys/partner/signing.crt -inkey keys/partner/signing.key"
                + " -keyopt rsa_padding_mode:pss -outform DER | openssl cms -encrypt -binary -aes-256-gcm -recip keys/company/encryption.crt"
                + " -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256 -outform DER -out partner/outbox/\(name)",
            in: folder)
        try fm.removeItem(atPath: plain)
        return name
    }

    /// Records `keys` event ids of earlier files (a million to a file) as received on `receivedOn`.
    static func seedHistory(store: StateStore, partner: String, keys: Int, receivedOn: LocalDate) throws {
        guard keys > 0 else { return }
        let perFile = 1_000_000
        var file = 0
        while file * perFile < keys {
            let first = file * perFile
            let sorted = (first..<min(keys, first + perFile)).map { EventKey("history-\($0)") }.sorted()
            try store.write { db in
                try InboundLedger.recordEventKeys(db, partner: partner, fileSHA256: "history-\(file)", receivedOn: receivedOn, sorted: sorted)
            }
            file += 1
        }
    }

    /// Reads a plaintext feedback file to the end (the reader alone: parse, validate, trailer).
    private func timeParse(_ path: String) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let reader = try FeedbackReader(path: path, displayName: "feedback")
        var count = 0
        while try reader.next() != nil { count += 1 }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(String(format: "read %d events in %.3f s (%.0f events/s)", count, seconds, Double(count) / seconds))
    }

    /// The measured side: one inbound run, in this (child) process.
    private func runInbound(_ folder: String) throws {
        let context = try RunContext(config: try ArlinkConfiguration.load(path: folder + "/arlink.yaml"))
        let report = try InboundJob(context: context).run(.init(partner: "acme-collect"))
        guard report.partners.first?.processed.count == 1 else {
            throw ValidationError("the feedback file was not applied: \(report.partners.first?.quarantined.map(\.message) ?? [])")
        }
    }
}
