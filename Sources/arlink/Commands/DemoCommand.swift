import ARLinkSystem
import ArgumentParser
import ARLinkCore
import ARLinkConfig
import ARLinkJobs
import ARLinkKPI
import ARLinkAudit
import ARLinkEnvelope
import ARLinkOutbound
import ARLinkSampleData
import ARLinkInbound
import Foundation

/// `arlink demo`: the whole mission on embedded defaults, in one folder, with the example keys.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole gateway end to end in a folder, on sample data and the EXAMPLE keys.",
        discussion: """
            Creates DIR with a deterministic sample ERP extract, DIR/arlink.yaml, the example keys \
            (copied with owner-only permissions), runs the outbound job into DIR/partner/inbox, then \
            plays the partner: opens the delivered file with the openssl command-line tool, answers with \
            a feedback file sealed by the same tool, runs the inbound job and shows the ERP status updates, \
            and ends by verifying the audit log. Needs no network. Never use the example keys for real data. \
            With --envelope openpgp the partner uses OpenPGP: the demo makes throwaway OpenPGP keys with gpg, \
            and gpg plays the partner.
            """
    )

    @Option(help: "The folder to create (refused if it exists and was not made by arlink demo).")
    var workdir: String

    @Option(help: "Where the example keys are (default: keys-example/ in the current folder or beside the arlink build).")
    var keys: String?

    @Option(help: "Customers in the sample extract.")
    var customers = 3000

    @Option(help: "Open items in the sample extract.")
    var openItems = 30000

    @Option(help: "The partner's envelope: cms (openssl plays the partner) or openpgp (gpg plays the partner).")
    var envelope: DemoEnvelope = .cms

    @Option(help: "A partner layout the simulated agency speaks both ways: latitude-aim or latitude-aim-pipe (docs/layouts.md).")
    var layout: String?

    @Option(help: "Log output: human or json.")
    var logFormat: LogFormat = .human

    func run() throws {
        try Console.run(logFormat) {
            let reporter = ConsoleReporter(format: logFormat)
            let demo = try DemoFolder.prepare(workdir)
            let keysSource = try keys ?? DemoFolder.findExampleKeys()
            try ExampleKeys.copy(from: keysSource, to: demo.path + "/keys")
            let asOf = Today.utc()
            say("1. Sample ERP extract (\(customers) customers, \(openItems) open items, as of \(asOf.iso)) in \(demo.path)/erp")
            let sample = try SampleExtract.write(to: demo.path + "/erp", options: .init(asOf: asOf, customers: customers, openItems: openItems,
                                                                                         currencies: layout == nil ? ["EUR", "USD"] : ["USD"]))
            say("   \(sample.openItems) open items, \(sample.customers) customers, \(sample.payments) payments, \(sample.bytes) bytes")
            var openPGPKeys: GnuPGPeer.Keys?
            if envelope == .openpgp {
                let made = try GnuPGPeer.makeKeys(demo: demo)
                openPGPKeys = made
                try demo.writeConfiguration(DemoConfiguration.openPGPYaml(partnerFingerprint: made.partner))
                say("2. Configuration: \(demo.configPath) (envelope: openpgp; demo OpenPGP keys made with gpg: ours \(made.ours), the partner's \(made.partner))")
            } else if let layout {
                try LayoutAgency.configure(demo, layout: layout)
                say("2. Configuration: \(demo.configPath) (the partner's portfolio_format and feedback_format: \(layout); a USD extract, as AIM carries one currency)")
            } else {
                try demo.writeConfiguration()
                say("2. Configuration: \(demo.configPath)")
            }
            let gnupg = GnuPGPeer(demo: demo)
            defer { if openPGPKeys != nil { gnupg.finish() } }

            say("3. Outbound run: select, write, sign, encrypt, deliver")
            let config = try ArlinkConfiguration.load(path: demo.configPath)
            _ = try StateSetup.initialize(config, reporter: reporter)  // what `arlink init` does
            let context = try RunContext(config: config, reporter: reporter)
            let report = try OutboundJob(context: context).run(.init(asOf: asOf))
            say(OutboundSummary.render(report, format: .human, dryRun: false))

            if let layout {
                try LayoutAgency(demo: demo, layoutName: layout).play(config: config, context: context, asOf: asOf, say: say)
            } else {
                say("4. The partner opens what it received, with the \(openPGPKeys == nil ? "openssl" : "gpg") command-line tool and its own keys")
                var witnessed: String?
                for partnerReport in report.partners {
                    guard let fileName = partnerReport.fileName else { continue }
                    let opened = try openPGPKeys.map { try gnupg.open(fileName, ourFingerprint: $0.ours) } ?? PartnerPeer(demo: demo).open(fileName)
                    say(opened.summary)
                    witnessed = opened.auditCheckpoint
                }
                say("5. The partner sends feedback (payments, a reversal, promises, disputes, a closure, a contact update, risk scores,")
                say("   an acknowledgement), sealed with the \(openPGPKeys == nil ? "openssl" : "gpg") CLI and its own keys, into partner/outbox; its header echoes the")
                say("   audit checkpoint of the portfolio it received, as a witness of our log")
                let partner = try config.partner("acme-collect")
                let header = try FeedbackSimulator.nextHeader(
                    store: context.store, partner: partner.id.rawValue, company: config.company.id.rawValue,
                    ourKeySHA256: try context.ourKeySHA256(for: partner, identity: try context.decryptionIdentity()), createdAt: Timestamp.iso8601(Date()),
                    auditCheckpoint: witnessed)
                let feedbackName = ExchangeFileName.sealed(sender: partner.id.rawValue, recipient: config.company.id.rawValue,
                                                           kind: "feedback", date: asOf, sequence: header.sequence, format: "jsonl",
                                                           envelope: partner.envelope.fileExtension)
                let feedbackPlain = demo.path + "/partner/" + String(feedbackName.dropLast(4))
                let totals = try FeedbackSimulator.write(to: feedbackPlain, header: header, store: context.store,
                                                         partner: partner.id.rawValue, today: asOf, seed: 7)
                if let openPGPKeys {
                    try gnupg.sealAndDrop(plaintext: feedbackPlain, as: feedbackName, keys: openPGPKeys)
                } else {
                    try PartnerPeer(demo: demo).sealAndDrop(plaintext: feedbackPlain, as: feedbackName)
                }
                say("   \(feedbackName): " + totals.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
            }

            say("6. Inbound run: verify, decrypt, check, reconcile, write ERP status updates, send a signed receipt")
            let inbound = try InboundJob(context: context).run(.init())
            InboundStop.recordCompleted(inbound, context: context)
            say(InboundSummary.render(inbound, json: false))
            for file in inbound.exportFiles where file.hasSuffix(".jsonl") {
                let lines = (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n") ?? []
                say("   ERP updates in \(file) (\(lines.count) lines), the first ones:")
                for line in lines.prefix(4) { say("   " + String(line.prefix(300))) }
            }

            say("7. Audit: verify the tamper-evident log and show the newest signed checkpoint")
            let verification = try AuditVerifier.verify(
                store: context.store, key: try AuditVerifierKey(publicKeyPath: config.audit.publicKeyPath, keyName: config.audit.origin),
                origin: config.audit.origin, checkpointFile: config.audit.checkpointFile)
            say("   audit log intact: \(verification.entryCount) entries, \(verification.checkpointCount) signed checkpoints, root \(verification.rootHash.base64)")
            if let checkpoint = verification.latestCheckpoint {
                say(checkpoint.noteText.split(separator: "\n", omittingEmptySubsequences: false).map { "   | " + $0 }.joined(separator: "\n"))
            }
            say("8. Collection KPIs of the last 90 days, for the finance team")
            let kpiFrom = asOf.adding(days: -89)
            let kpis = try KPICalculator.build(store: context.store, partners: config.partners.map(\.id.rawValue), from: kpiFrom, to: asOf,
                                               generatedAt: Timestamp.iso8601(Date()))
            for k in kpis.overall.kpis {
                say("   \(k.currency.code): placed \(k.placedAccounts) accounts, \(Money(minorUnits: k.placedMinor, currency: k.currency).decimalString); recovered \(Money(minorUnits: k.recoveredMinor, currency: k.currency).decimalString)")
            }
            let kpiPath = demo.path + "/kpi.html"
            try AuditCommand.emit(kpis.html(), to: kpiPath)
            say("   KPI report: \(kpiPath)")
            say("""

                Done. Try next:
                  arlink outbound run --config \(demo.configPath)             # repeats safely: places nothing new
                  arlink inbound run --config \(demo.configPath)              # repeats safely: applies nothing twice
                  arlink outbound run --config \(demo.configPath) --dry-run   # what would be sent, by reason
                  arlink keys check --config \(demo.configPath)
                  arlink audit verify --config \(demo.configPath)
                  arlink report kpi --config \(demo.configPath) --from \(kpiFrom.iso) --to \(asOf.iso) --format json
                """)
        }
    }

    /// Writes a line to stdout unbuffered, so it stays in order with the log lines on stderr.
    func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
}

/// The partner's envelope in the demo.
enum DemoEnvelope: String, ExpressibleByArgument, CaseIterable {
    case cms
    case openpgp
}
