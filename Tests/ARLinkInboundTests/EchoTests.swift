import ARLinkCore
import ARLinkTestSupport
import Foundation
import Testing

/// What a partner wrote comes back in our messages only as a short, escaped excerpt, and only
/// for fields that cannot hold personal data; otherwise the message names the field and line.
@Suite("Partner values in messages: bounded, escaped, or not at all (the built executable)", .serialized, .timeLimit(.minutes(10)))
struct EchoTests {
    static let secrets = ["Mary Major", "Peter Parker", "FORGED LOG LINE"]

    @Test("unknown field names, control characters and long values never reach stdout, stderr or reason.json raw",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests"))
    func echoes() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let ref = f.accountRef(1)
        let day = f.today.iso
        let lines = [
            // An unknown field whose name is personal data.
            #"{"record_type":"risk","event_id":"R1","account_ref":"\#(ref)","score":5,"segment":"low","Mary Major":"x"}"#,
            // An amount far over any bound, with a forged log line after it.
            #"{"record_type":"payment","event_id":"P1","account_ref":"\#(ref)","amount":"\#(String(repeating: "9", count: 80))\nFORGED LOG LINE","currency":"EUR","occurred_on":"\#(day)"}"#,
            // A status with a terminal escape sequence.
            #"{"record_type":"status","event_id":"S1","account_ref":"\#(ref)","status":"in\u001b[31mred"}"#,
            // A status that reverses the text direction of a terminal line and closes the quotes.
            #"{"record_type":"status","event_id":"S2","account_ref":"\#(ref)","status":"in\u202Ede\"q"}"#,
            // An unknown contact field whose name is personal data.
            #"{"record_type":"contact_update","event_id":"C1","account_ref":"\#(ref)","contact":{"Peter Parker":"x"}}"#,
        ]
        for (index, line) in lines.enumerated() {
            let plain = try f.plaintext(try f.header(sequence: 1, previous: nil), [], raw: [line])
            try f.seal(plain.path, as: f.name(index + 1))
        }
        let r = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stdout.contains("5 quarantined"), "\(r.stdout)")
        var reasons = ""
        for name in f.files(f.work + "/quarantine") where name.hasSuffix(".reason.json") {
            reasons += try String(contentsOfFile: f.work + "/quarantine/" + name, encoding: .utf8)
        }
        for (label, text) in [("stdout", r.stdout), ("stderr", r.stderr), ("reason.json", reasons)] {
            for secret in Self.secrets { #expect(!text.contains(secret), "\(label) holds \"\(secret)\"") }
            #expect(!text.contains("\u{1B}"), "\(label) holds a raw escape character")
            #expect(!text.contains("\u{202E}"), "\(label) holds a raw direction override")
            #expect(!text.contains(String(repeating: "9", count: 40)), "\(label) holds an unbounded value")
        }
        // What is said instead: the field and the line, and short escaped excerpts where harmless.
        #expect(r.stderr.contains("field \"amount\""), "\(r.stderr)")
        #expect(r.stderr.contains("line 2: a field that is not allowed"), "\(r.stderr)")
        #expect(r.stderr.contains(#"field "status": "in\u202ede\"q" is not one of"#), "\(r.stderr)")
        #expect(r.stderr.contains("line 2"))
    }
}
