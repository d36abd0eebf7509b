import ARLinkCore
import ARLinkConfig
import ARLinkFormats
import ARLinkInbound
import ARLinkJobs
import ARLinkLayouts
import ARLinkOutbound
import ARLinkStore
import ARLinkSystem
import Foundation

/// The demo's agency for `arlink demo --layout latitude-aim`: opens the AIM portfolio and its
/// signed manifest with the `openssl` command-line tool, and answers in AIM (acknowledgements,
/// payments, a close and return, promise notes) with its own manifest, sealed the same way.
struct LayoutAgency {
    let demo: DemoFolder
    /// The built-in layout name (`latitude-aim` or `latitude-aim-pipe`).
    let layoutName: String

    /// The configuration for a layout demo: the partner's portfolio and feedback in the layout.
    static func configure(_ demo: DemoFolder, layout: String) throws {
        guard ["latitude-aim", "latitude-aim-pipe"].contains(layout) else {
            throw DemoError("--layout \(layout) is not a built-in layout the demo agency speaks (expected latitude-aim or latitude-aim-pipe)")
        }
        let text = DemoConfiguration.yaml.replacingOccurrences(
            of: "    portfolio_format: jsonl\n", with: "    portfolio_format: \(layout)\n    feedback_format: \(layout)\n")
        try demo.writeConfiguration(text)
    }

    /// Decrypts and verifies one delivered file with the openssl CLI; returns its bytes.
    func open(_ fileName: String) throws -> [UInt8] {
        let keys = demo.path + "/keys"
        let signed = demo.path + "/partner/received/" + fileName + ".signed.der"
        let plain = demo.path + "/partner/received/" + String(fileName.dropLast(4))
        try FileManager.default.createDirectory(atPath: demo.path + "/partner/received", withIntermediateDirectories: true)
        try OpenSSLCLI.run(["cms", "-decrypt", "-binary", "-inform", "DER", "-in", demo.path + "/partner/inbox/" + fileName, "-out", signed,
                            "-recip", keys + "/partner/encryption.crt", "-inkey", keys + "/partner/encryption.key"])
        try OpenSSLCLI.run(["cms", "-verify", "-binary", "-inform", "DER", "-in", signed, "-out", plain,
                            "-CAfile", keys + "/ca/company-ca.crt", "-purpose", "any"])
        try? FileManager.default.removeItem(atPath: signed)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain)))
    }

    /// Steps 4 and 5 of the demo in the layout: open, check, answer.
    func play(config: ArlinkConfiguration, context: RunContext, asOf: LocalDate, say: (String) -> Void) throws {
        let partner = try config.partner("acme-collect")
        let inbox = try FileManager.default.contentsOfDirectory(atPath: demo.path + "/partner/inbox").sorted()
        guard let manifestName = inbox.last(where: { $0.contains(".manifest.jsonl.") }),
              let dataName = inbox.last(where: { $0.hasSuffix(".txt." + partner.envelope.fileExtension) }) else {
            throw DemoError("the agency found no layout file and manifest in partner/inbox")
        }
        say("4. The agency opens what it received, with the openssl command-line tool and its own keys: \(dataName) in \(layoutName), with its signed manifest")
        let data = try open(dataName)
        let manifest = try SidecarManifest(text: String(decoding: try open(manifestName), as: UTF8.self), name: manifestName)
        try manifest.check(data: data, dataFileName: String(dataName.dropLast(partner.envelope.fileExtension.count + 1)))
        guard let outLayout = try BuiltinLayouts.layout(named: layoutName, direction: .portfolio),
              let inLayout = try BuiltinLayouts.layout(named: layoutName, direction: .feedback) else { throw DemoError("no layout \(layoutName)") }
        let file = try LayoutReader(layout: outLayout).read(data, name: dataName)
        let counts = Dictionary(grouping: file.records, by: \.type).mapValues(\.count).sorted { $0.key < $1.key }
        say("   manifest matches (SHA-256 \(manifest.dataSHA256.prefix(16))…); records: " + counts.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        if let trailer = file.trailer { say("   trailer: " + String(trailer.rawLine.prefix(120)).trimmingCharacters(in: .whitespaces)) }
        let witnessed = (try? JSONSerialization.jsonObject(with: Data(manifest.headerLine.utf8)) as? [String: Any])?["audit_checkpoint"] as? String

        say("5. The agency answers in \(layoutName): acknowledgements (one with a wrong balance), payments, a close and return,")
        say("   promise notes; its signed manifest carries the header (echoing our audit checkpoint) and the control totals")
        let usd = outLayout.currency
        var records: [OutRecord] = []
        var totals = ControlTotals()
        for (index, r) in file.records.filter({ $0.type == "CACT" }).enumerated() {
            guard let number = r["file_number"].integer, let account = r["account"].text, let principal = r["principal"].amount else { continue }
            let ack: Int64 = index == 1 ? principal - 100 : principal
            records.append(OutRecord(type: "AACK", values: [
                "file_number": .integer(number), "account": .text(account), "original_balance": .amount(ack), "received_date": .date(asOf),
                "current_balance": .amount(ack)], context: "demo"))
            switch index % 6 {
            case 0, 1:
                let amount = index % 6 == 0 ? principal : principal / 2
                records.append(OutRecord(type: "APAY", values: [
                    "file_number": .integer(number), "account": .text(account), "payment_amount": .amount(amount), "payment_date": .date(asOf.adding(days: -1)),
                    "payment_type": .text("PA"), "payment_identifier": .text("AGY-\(number)-1")], context: "demo"))
                try totals.add(type: "payment", amounts: [Money(minorUnits: amount, currency: usd)])
            case 2:
                records.append(OutRecord(type: "ACLS", values: [
                    "file_number": .integer(number), "account": .text(account), "close_date": .date(asOf), "close_code": .text("RCL"),
                    "current_balance": .amount(principal)], context: "demo"))
                totals.counts["status", default: 0] += 1
            case 3:
                let terms = Money.format(minorUnits: max(1, principal / 2), exponent: usd.exponent) + " " + asOf.adding(days: 14).compact
                records.append(OutRecord(type: "ANOT", values: [
                    "file_number": .integer(number), "created_datetime": .date(asOf), "note_action": .text("CALL"), "note_result": .text("PTP"),
                    "note_comment": .text("PTP " + terms)], context: "demo"))
                totals.counts["promise", default: 0] += 1
            default:
                continue
            }
        }
        let feedbackData = try LayoutWriter(layout: inLayout).render(records, fileValues: [
            "agency_id": .text(partner.id.rawValue), "agency_name": .text(partner.name), "created_on": .date(asOf)])
        let header = try FeedbackSimulator.nextHeader(
            store: context.store, partner: partner.id.rawValue, company: config.company.id.rawValue,
            ourKeySHA256: try context.ourKeySHA256(for: partner, identity: try context.decryptionIdentity()), createdAt: Timestamp.iso8601(Date()),
            auditCheckpoint: witnessed)
        var paymentTotals = totals
        paymentTotals.totals = totals.totals.filter { _ in totals.counts["payment", default: 0] > 0 }
        let name = ExchangeFileName.plain(sender: partner.id.rawValue, recipient: config.company.id.rawValue, kind: "feedback", date: asOf,
                                          sequence: header.sequence, format: "txt")
        let answer = try SidecarManifest(
            arlinkFileText: FeedbackJSON.header(header) + "\n" + FeedbackJSON.trailer(paymentTotals) + "\n",
            layoutName: inLayout.name, dataFileName: name, data: feedbackData)
        let dataPlain = demo.path + "/partner/" + name
        let manifestPlain = demo.path + "/partner/" + SidecarManifest.fileName(for: name)
        try Data(feedbackData).write(to: URL(fileURLWithPath: dataPlain))
        try Data(answer.text.utf8).write(to: URL(fileURLWithPath: manifestPlain))
        let peer = PartnerPeer(demo: demo)
        try peer.sealAndDrop(plaintext: dataPlain, as: name + "." + partner.envelope.fileExtension)
        try peer.sealAndDrop(plaintext: manifestPlain, as: SidecarManifest.fileName(for: name) + "." + partner.envelope.fileExtension)
        let kinds = Dictionary(grouping: records, by: \.type).mapValues(\.count).sorted { $0.key < $1.key }
        say("   \(name).\(partner.envelope.fileExtension) + manifest: " + kinds.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    }
}
