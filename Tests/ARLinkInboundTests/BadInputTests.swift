import ARLinkCore
import ARLinkFormats
import ARLinkInbound
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// Every bad file is refused with its own code, quarantined with a reason file, and a good
/// file dropped beside it is applied as if the bad one were not there.
@Suite("Bad input: each refused with its own code, nothing else affected", .serialized, .timeLimit(.minutes(10)))
struct BadInputTests {
    /// Drops the bad file as sequence 1 (built by `make`) and a good file in the same run, and checks the outcome.
    func check(_ expectedCode: String, quarantined: Bool = true,
               make: (InboundFixture) throws -> Void) throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        try make(f)
        let report = try f.run()
        let p = try #require(report.partners.first)
        if quarantined {
            #expect(p.quarantined.map(\.code) == [expectedCode], "\(p.quarantined)")
            let name = try #require(p.quarantined.first?.fileName)
            let sha = try #require(try f.store().read { db in try String.fetchOne(db.sqlite, sql: "SELECT sha256 FROM inbound_file WHERE state = 'quarantined'") })
            let kept = f.work + "/quarantine/" + sha + "/" + name
            #expect(f.files(f.work + "/quarantine/" + sha).contains(name))
            let reason = try String(contentsOfFile: kept + ".reason.json", encoding: .utf8)
            #expect(reason.contains("\"error_code\":\"\(expectedCode)\""))
            #expect(report.exitStatus == .dataError)
            // The original bytes are kept exactly.
            #expect(try f.sha256(kept) == sha)
            let codeRecorded = try f.store().read { db in
                try String.fetchOne(db.sqlite, sql: "SELECT error_code FROM inbound_file WHERE state = 'quarantined'")
            }
            #expect(codeRecorded == expectedCode)
        }
        // Nothing else affected: a good file (the next sequence after whatever was applied) still goes through.
        let last = try f.store().read { db in try InboundLedger.lastApplied(db, partner: f.partner) }
        let seq = (last?.sequence ?? 0) + 1
        _ = try f.drop(sequence: seq, previous: last?.plaintextSHA256, [Events.risk("GOOD-\(seq)", f.accountRef(1), score: 5)])
        let after = try f.run()
        #expect(after.partners.first?.processed == [f.name(seq)], "\(after.partners)")
        #expect(after.partners.first?.quarantined.isEmpty == true)
        let accepted = try f.store().read { db in try InboundLedger.acceptedCounts(db, partner: f.partner) }
        #expect((accepted["risk"] ?? 0) >= 1)
    }

    func good(_ f: InboundFixture, _ events: [FeedbackEvent]? = nil, header: FileHeader? = nil) throws -> String {
        try f.plaintext(try header ?? f.header(sequence: 1, previous: nil), events ?? [Events.risk("R1", f.accountRef(1), score: 1)]).path
    }

    @Test("tampered ciphertext") func tampered() throws {
        try check("envelope.tag_mismatch") { f in
            let path = try f.seal(try good(f), as: f.name(1))
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count - 40] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
        }
    }

    @Test("truncated file") func truncated() throws {
        try check("envelope.truncated") { f in
            let path = try f.seal(try good(f), as: f.name(1))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test("signed by an unpinned key") func unpinned() throws {
        try check("envelope.untrusted_signer") { f in try f.seal(try good(f), as: f.name(1), signer: "company/signing") }
    }

    @Test("encrypted for another recipient") func otherRecipient() throws {
        try check("envelope.not_for_us") { f in try f.seal(try good(f), as: f.name(1), recipient: "partner/encryption") }
    }

    @Test("header naming another recipient (forwarding)") func forwarded() throws {
        try check("inbound.wrong_recipient") { f in
            try f.seal(try good(f, header: try f.header(sequence: 1, previous: nil, recipient: "other-corp")), as: f.name(1))
        }
    }

    @Test("header naming another key") func otherKey() throws {
        try check("inbound.wrong_recipient_key") { f in
            try f.seal(try good(f, header: try f.header(sequence: 1, previous: nil, keySHA256: String(repeating: "0", count: 64))), as: f.name(1))
        }
    }

    @Test("created_at in the future") func future() throws {
        try check("inbound.created_in_future") { f in
            try f.seal(try good(f, header: try f.header(sequence: 1, previous: nil, createdAt: f.now.addingTimeInterval(3600))), as: f.name(1))
        }
    }

    @Test("trailer counts do not match") func trailerCounts() throws {
        try check("feedback.trailer_mismatch") { f in
            let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [Events.risk("R1", f.accountRef(1), score: 1)],
                                    trailer: ControlTotals(counts: ["risk": 2]))
            try f.seal(p.path, as: f.name(1))
        }
    }

    @Test("trailer totals do not match") func trailerTotals() throws {
        try check("feedback.trailer_mismatch") { f in
            let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [try Events.payment("P1", f.accountRef(1), "10.00", on: f.today)],
                                    trailer: ControlTotals(counts: ["payment": 1], totals: [try Currency("EUR"): Money(minorUnits: 999, currency: try Currency("EUR"))]))
            try f.seal(p.path, as: f.name(1))
        }
    }

    @Test("missing trailer") func missingTrailer() throws {
        try check("feedback.missing_trailer") { f in
            let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [Events.risk("R1", f.accountRef(1), score: 1)], omitTrailer: true)
            try f.seal(p.path, as: f.name(1))
        }
    }

    @Test("a line over the length cap") func longLine() throws {
        try check("feedback.line_too_long") { f in
            let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [],
                                    raw: [#"{"record_type":"risk","event_id":"R1","account_ref":"C0001","comment":""# + String(repeating: "x", count: 70_000) + #"","score":1,"segment":"a"}"#])
            try f.seal(p.path, as: f.name(1))
        }
    }

    @Test("invalid JSON on one line") func invalidJSON() throws {
        try check("feedback.bad_json") { f in
            let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [Events.risk("R1", f.accountRef(1), score: 1)], raw: [#"{"record_type":"risk",,}"#])
            try f.seal(p.path, as: f.name(1))
        }
    }

    @Test("an unknown event type") func unknownType() throws {
        try check("feedback.unknown_event_type") { f in
            let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [], raw: [#"{"record_type":"bonus","event_id":"X","account_ref":"C0001"}"#])
            try f.seal(p.path, as: f.name(1))
        }
    }

    @Test("duplicate event_id inside one file rolls the whole file back") func duplicateInFile() throws {
        try check("feedback.duplicate_event_id") { f in
            let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [
                try Events.payment("P1", f.accountRef(1), "10.00", on: f.today),
                try Events.payment("P1", f.accountRef(1), "10.00", on: f.today),
            ])
            try f.seal(p.path, as: f.name(1))
        }
        // (check() verified that nothing of the file was applied: the next good file is sequence 1.)
    }

    @Test("an empty file") func emptyFile() throws {
        try check("envelope.empty") { f in
            FileManager.default.createFile(atPath: f.outbox + "/" + f.name(1), contents: Data())
        }
    }

    @Test("duplicate event_id across files: rejected on its own, applied once")
    func duplicateAcrossFiles() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 1)
        let prev = try f.drop(sequence: 1, previous: nil, [try Events.payment("P1", f.accountRef(1), "10.00", on: f.today)])
        _ = try f.run()
        _ = try f.drop(sequence: 2, previous: prev, [try Events.payment("P1", f.accountRef(1), "10.00", on: f.today)])
        let report = try f.run()
        #expect(report.partners.first?.processed.count == 1)
        #expect(report.partners.first?.eventsRejected == [.duplicateEventID: 1])
        let paid = try f.store().read { db in try Int64.fetchOne(db.sqlite, sql: "SELECT SUM(paid_minor) FROM inbound_invoice_paid") }
        #expect(paid == 1000)
    }

    @Test("a replayed file is a no-op recorded as a duplicate")
    func replay() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 1)
        let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [try Events.payment("P1", f.accountRef(1), "10.00", on: f.today)])
        let sealed = try f.seal(p.path, as: f.name(1))
        let copy = f.dir.file("copy.p7m")
        try FileManager.default.copyItem(atPath: sealed, toPath: copy)
        _ = try f.run()
        // Same bytes again.
        try FileManager.default.copyItem(atPath: copy, toPath: sealed)
        let same = try f.run()
        #expect(same.partners.first?.duplicates == [f.name(1)])
        // Same plaintext sealed again (new bytes, same file id).
        try f.seal(p.path, as: f.name(1))
        let resealed = try f.run()
        #expect(resealed.partners.first?.duplicates == [f.name(1)])
        #expect(resealed.exitStatus == .success)
        let paid = try f.store().read { db in try Int64.fetchOne(db.sqlite, sql: "SELECT SUM(paid_minor) FROM inbound_invoice_paid") }
        #expect(paid == 1000)
        #expect(f.files(f.outbox).isEmpty)
    }

    @Test("a new file id reusing an applied sequence number is quarantined")
    func sequenceReused() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 1)
        _ = try f.drop(sequence: 1, previous: nil, [Events.risk("R1", f.accountRef(1), score: 1)])
        _ = try f.run()
        _ = try f.drop(sequence: 1, previous: nil, [Events.risk("R2", f.accountRef(1), score: 2)])
        let report = try f.run()
        #expect(report.partners.first?.quarantined.map(\.code) == ["inbound.sequence_reused"])
    }

    @Test("hostile names, symbolic links and other names are skipped, never used as paths")
    func hostileNames() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 1)
        let outside = f.dir.file("secret.txt")
        try "secret".write(toFile: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: f.outbox + "/" + f.name(7), withDestinationPath: outside)
        FileManager.default.createFile(atPath: f.outbox + "/evil\nname.jsonl.p7m", contents: Data("x".utf8))
        FileManager.default.createFile(atPath: f.outbox + "/.." + "x", contents: Data("x".utf8))
        FileManager.default.createFile(atPath: f.outbox + "/" + String(repeating: "a", count: 250), contents: Data("x".utf8))
        _ = try f.drop(sequence: 1, previous: nil, [Events.risk("R1", f.accountRef(1), score: 1)])
        let report = try f.run()
        let p = try #require(report.partners.first)
        #expect(p.processed == [f.name(1)])
        #expect(p.skipped.count >= 2, "\(p.skipped)")
        #expect(p.skipped.contains { $0.fileName.contains("\\x0A") })
        #expect(p.quarantined.isEmpty)
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "secret")
        #expect(FileManager.default.fileExists(atPath: f.outbox + "/evil\nname.jsonl.p7m"))
    }

    @Test("a file still being written is not picked up until its size is stable")
    func growingFile() throws {
        let f = try InboundFixture(transportExtra: ["stable_seconds: 1"])
        try f.seedPlacements(accounts: 1)
        let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [Events.risk("R1", f.accountRef(1), score: 1)])
        let sealed = try f.seal(p.path, as: "staged.p7m", into: f.dir.path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: sealed))
        let target = f.outbox + "/" + f.name(1)
        FileManager.default.createFile(atPath: target, contents: Data())
        // The file grows (with its own first bytes) for as long as the run takes, then is completed.
        let writer = GrowingFile(path: target, content: bytes.prefix(bytes.count - 1))
        let first = try f.run()
        let written = try #require(writer.stop())
        #expect(written > 0)
        #expect(first.partners.first?.processed.isEmpty == true)
        #expect(first.partners.first?.quarantined.isEmpty == true)
        if let h = FileHandle(forWritingAtPath: target) { h.seekToEndOfFile(); h.write(bytes.dropFirst(written)); try h.close() }
        let second = try f.run()
        #expect(second.partners.first?.processed == [f.name(1)], "\(second.partners)")
    }
}
