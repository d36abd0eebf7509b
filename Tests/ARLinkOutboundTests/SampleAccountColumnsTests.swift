import ARLinkCore
import ARLinkOutbound
import ARLinkTestSupport
import Foundation
import Testing

/// The sample extract's Regulation F itemization and account flags are read back and reach the
/// portfolio: what the generator wrote (parsed independently with Python's csv module) is what
/// the partner receives, the restriction's text only where the partner's debtor_fields allow it.
@Suite("Outbound: the sample extract's itemization and flags reach the portfolio (real SQLite, real envelope)", .timeLimit(.minutes(10)))
struct SampleAccountColumnsTests {
    /// The fixture's customer master as Python's csv module reads it, by customer id.
    static func customerRows(_ f: OutboundFixture) throws -> [String: [String: String]] {
        let r = try ProcessRunner.run("python3", ["-c", """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8') as f:
                json.dump({row['customer_id']: row for row in csv.DictReader(f)}, sys.stdout)
            """, f.dir.file("erp/customers.csv")])
        try #require(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: [String: String]])
    }

    static func flag(_ text: String?) -> Bool { text == "true" }

    @Test("each placed account carries the itemization and flags of its customer row", arguments: [false, true])
    func itemizationAndFlagsReachThePartner(restrictionAllowed: Bool) throws {
        let f = try OutboundFixture(customers: 600, items: 6000)
        defer { f.dir.remove() }
        if restrictionAllowed {
            try TransferBasisTests.edit(f, "country, language]", "country, language, communication_restriction]")
        }
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        let partner = try #require(report.partners.first)
        let rows = try Self.customerRows(f)
        let lines = try f.openWithOpenSSL(try #require(try f.inbox().first))
        let places = try lines.filter { $0.contains("\"record_type\":\"place\"") }.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(places.count == partner.placed && partner.placed > 100)

        var itemized = 0, flagged = 0, withText = 0
        for place in places {
            let ref = try #require(place["account_ref"] as? String)
            let row = try #require(rows[ref], "\(ref) is not in customers.csv")
            if let date = row["itemization_date"], !date.isEmpty {
                itemized += 1
                let item = try #require(place["itemization"] as? [String: Any], "\(ref) lost its itemization")
                #expect(item["date"] as? String == date)
                for (member, column) in [("type", "itemization_type"), ("currency", "itemization_currency"), ("amount", "itemization_amount"),
                                         ("interest", "itemization_interest"), ("fees", "itemization_fees"),
                                         ("payments", "itemization_payments"), ("credits", "itemization_credits"),
                                         ("creditor_name", "itemization_creditor_name"), ("creditor_account", "itemization_creditor_account")] {
                    #expect(item[member] as? String == row[column], "\(ref) \(member)")
                }
            } else {
                #expect(place["itemization"] == nil, "\(ref) has an itemization its row lacks")
            }
            let text = row["communication_restriction"].flatMap { $0.isEmpty ? nil : $0 }
            let chapter = row["bankruptcy_chapter"].flatMap { Int($0) }
            let restricted = Self.flag(row["communication_restricted"]) || text != nil
            let anyFlag = restricted || Self.flag(row["disputed_debt"]) || chapter != nil || Self.flag(row["deceased"])
                || Self.flag(row["attorney_represented"])
            guard anyFlag else {
                #expect(place["flags"] == nil, "\(ref) has flags its row lacks")
                continue
            }
            flagged += 1
            let flags = try #require(place["flags"] as? [String: Any], "\(ref) lost its flags")
            #expect(flags["communication_restricted"] as? Bool == restricted)
            #expect(flags["disputed"] as? Bool == Self.flag(row["disputed_debt"]))
            #expect(flags["bankruptcy_chapter"] as? Int == chapter)
            #expect(flags["deceased"] as? Bool == Self.flag(row["deceased"]))
            #expect(flags["attorney_represented"] as? Bool == Self.flag(row["attorney_represented"]))
            if let text {
                withText += 1
                #expect(flags["communication_restriction"] as? String == (restrictionAllowed ? text : nil), "\(ref)")
            }
            #expect(flags["communication_restriction"] is NSNull == (text == nil || !restrictionAllowed))
        }
        // The generator's shares make every kind appear in a run of this size.
        #expect(itemized > 20 && itemized < places.count)
        #expect(flagged > 10 && withText > 0)

        // Neither the restriction texts nor the creditor account numbers reach the audit log.
        let audit = try TransferBasisTests.sql(f, "SELECT entry FROM audit_entry").joined(separator: "\n")
        #expect(!audit.isEmpty)
        let secrets = rows.values.flatMap { [$0["communication_restriction"] ?? "", $0["itemization_creditor_account"] ?? ""] }
        #expect(!secrets.contains { !$0.isEmpty && audit.contains($0) })
    }
}
