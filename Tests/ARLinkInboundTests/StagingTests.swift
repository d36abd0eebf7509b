import ARLinkCore
import ARLinkFormats
@testable import ARLinkInbound
import ARLinkJobs
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkSystem
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

@Suite("Staged ERP exports and the reading thread", .timeLimit(.minutes(10)))
struct StagingTests {
    static func update(_ n: Int) -> ERPUpdate {
        ERPUpdate(updateID: "u-\(n)", partner: "acme-collect", sourceEventID: "E\(n)", sourceEventType: "risk", sourceFileID: "f",
                  accountRef: "C\(n % 7)", invoiceNumber: nil, status: .riskUpdated)
    }

    /// A plaintext feedback file in `dir`: the header, then `lines`.
    static func plainFile(in dir: TemporaryDirectory, _ lines: [String]) throws -> String {
        let path = dir.file("plain.jsonl")
        try (([headerLine] + lines).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A plaintext header line (the reader checks its fields, not who signed it).
    static let headerLine = #"{"record_type":"header","schema":"feedback.v1","file_id":"f-1","kind":"feedback","direction":"inbound","batch_id":"b-1","sequence":1,"sender":"acme-collect","recipient":"acme-corp","recipient_key_sha256":"\#(String(repeating: "a", count: 64))","created_at":"2026-11-29T00:00:00Z","previous_file_sha256":null}"#

    @Test("a stage writes every update in order under temporary names, and discarding removes them")
    func stageAndDiscard() throws {
        let dir = try TemporaryDirectory()
        let folder = dir.file("erp/import/updates")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)  // arlink never creates it
        let stage = ERPUpdateStage<ERPUpdate>(folder: folder, number: 7, formats: [.jsonl, .csv], createdAt: "2026-11-29T00:00:00Z", source: "sha")
        #expect(try stage.stage() == nil, "no update, no export")
        for n in 0..<10_000 { try stage.add(Self.update(n)) }  // several batches through the writing thread
        let staged = try #require(try stage.stage())
        #expect(staged.exportID == "arlink_erp_updates_000000000007")
        #expect(staged.updateCount == 10_000)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == [".arlink_erp_updates_000000000007.csv.tmp", ".arlink_erp_updates_000000000007.jsonl.tmp"])
        let json = try String(contentsOfFile: AtomicTextFile.temporaryPath(for: staged.files[0].path), encoding: .utf8)
        let ids = json.split(separator: "\n").compactMap { line -> String? in
            guard let start = line.range(of: #""update_id":""#), let end = line[start.upperBound...].firstIndex(of: "\"") else { return nil }
            return String(line[start.upperBound..<end])
        }
        #expect(ids == (0..<10_000).map { "u-\($0)" })
        #expect(Int64(json.utf8.count) == staged.files[0].bytes)
        stage.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test("publishing renames a staged file once; a changed or missing one is refused")
    func publish() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("out.jsonl")
        let file = try AtomicTextFile(path: path, mode: 0o640)
        try file.writeLine("one")
        let bytes = try file.stage()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: FeedbackError.self) { try AtomicTextFile.publish(path: path, expectedBytes: bytes + 1) }
        #expect(try AtomicTextFile.publish(path: path, expectedBytes: bytes))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\n")
        #expect(try AtomicTextFile.publish(path: path, expectedBytes: bytes) == false, "already published")
        #expect(throws: FeedbackError.self) { try AtomicTextFile.publish(path: dir.file("never.jsonl"), expectedBytes: 1) }
    }

    @Test("the reading thread hands over every event in order, then the reader's error at its place")
    func prefetchError() throws {
        let dir = try TemporaryDirectory()
        var lines = (0..<5_000).map { n in #"{"record_type":"risk","event_id":"R\#(n)","account_ref":"C1","score":\#(n % 1000),"segment":"low"}"# }
        lines.append(#"{"record_type":"risk","event_id":"BAD","account_ref":"C1","score":"high","segment":"low"}"#)
        let path = try Self.plainFile(in: dir, lines)
        let events = PrefetchingEvents(try FeedbackReader(path: path, displayName: "plain.jsonl"))
        var seen: [String] = []
        var failure: (any Error)?
        do {
            while let item = try events.next() {
                let (event, line, key) = (item.event, item.line, item.key)
                #expect(key == EventKey(event.eventID))
                #expect(line == seen.count + 2)
                seen.append(event.eventID)
            }
        } catch {
            failure = error
        }
        #expect(seen == (0..<5_000).map { "R\($0)" })
        let error = try #require(failure as? FeedbackError)
        #expect(error.lineNumber == 5_002)
        events.stop()
    }

    @Test("batch by batch: every event in order with its line, key and account slot, then the reader's error")
    func prefetchBatches() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.plainFile(in: dir, (0..<3_000).map { n in
            #"{"record_type":"risk","event_id":"R\#(n)","account_ref":"C\#(n % 3)","score":1,"segment":"low"}"#
        } + ["{not json"])
        let events = PrefetchingEvents(try FeedbackReader(path: path, displayName: "plain.jsonl"), slots: AccountSlots(["C0", "C1"]))
        var seen = 0
        var failure: (any Error)?
        do {
            while let batch = try events.nextBatch() {
                for item in batch {
                    #expect(item.event.eventID == "R\(seen)")
                    #expect(item.line == seen + 2)
                    #expect(item.key == EventKey(item.event.eventID))
                    #expect(item.slot == (seen % 3 == 2 ? -1 : Int32(seen % 3)))
                    seen += 1
                }
            }
        } catch {
            failure = error
        }
        #expect(seen == 3_000)
        #expect((failure as? FeedbackError)?.lineNumber == 3_002)
        #expect(try events.nextBatch()?.count == nil, "nothing after the error")
        events.stop()
    }

    @Test("stopping the reading thread early returns while it waits for room")
    func prefetchStop() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.plainFile(in: dir, (0..<50_000).map { n in
            #"{"record_type":"risk","event_id":"R\#(n)","account_ref":"C1","score":1,"segment":"low"}"#
        })
        let events = PrefetchingEvents(try FeedbackReader(path: path, displayName: "plain.jsonl"))
        #expect(try events.next()?.event.eventID == "R0")
        #expect(Wait.until(timeout: .seconds(30)) { events.isWaitingForRoom }, "the reading thread fills its queue and waits")
        let started = Date()
        events.stop()
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("a staged export file changed after the commit is not published: the run stops and names it",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests (swift build --build-tests)"))
    func tamperedStage() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        _ = try f.drop(sequence: 1, previous: nil, [try Events.payment("P1", f.accountRef(1), "10.00", on: f.today)])
        let killed = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath],
                                           environment: ["ARLINK_FAILPOINT": "inbound.applied"])
        #expect(killed.status != 0)
        let staged = try FileManager.default.contentsOfDirectory(atPath: f.updatesFolder).filter { $0.hasSuffix(".jsonl.tmp") }
        #expect(staged.count == 1)
        let handle = try #require(FileHandle(forWritingAtPath: f.updatesFolder + "/" + staged[0]))
        handle.seekToEndOfFile()
        handle.write(Data("{\"record_type\":\"update\",\"update_id\":\"forged\"}\n".utf8))
        try handle.close()
        let run = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath])
        #expect(run.status != 0)
        #expect(run.stderr.contains(staged[0]), "the error names the staged file: \(run.stderr)")
        #expect(f.files(f.updatesFolder).allSatisfy { !$0.hasSuffix(".jsonl") }, "nothing published: \(f.files(f.updatesFolder))")
    }
}

@Suite("Account positions read one by one, with a small cache", .timeLimit(.minutes(10)))
struct PositionLimitTests {
    @Test("a file applied with a 3-account cache and no preload ends exactly like one applied with everything in memory")
    func smallCache() throws {
        func apply(_ limits: PositionCache.Limits) throws -> (paid: [String], exported: [String]) {
            let f = try InboundFixture()
            try f.placeAndSimulate(accounts: 12, seed: 11, events: 2_000)
            let store = try f.store()
            let job = InboundJob(context: try f.context())
            job.positionLimits = limits
            let report = try job.run(.init(partner: f.partner))
            #expect(report.partners.first?.processed.count == 1)
            let paid = try store.read { db in
                try String.fetchAll(db.sqlite, sql: "SELECT account_ref || '/' || invoice_number || '=' || paid_minor FROM inbound_invoice_paid ORDER BY 1")
            }
            // Ids and file ids differ between the two files (each header has its own file id): compare what they say.
            let exported = try f.exportedUpdates().map { record in
                ["account_ref", "invoice_number", "status", "amount", "open_amount", "date"].map { "\(record[$0].map { "\($0)" } ?? "-")" }.joined(separator: " ")
            }.sorted()
            return (paid, exported)
        }
        let everything = try apply(PositionCache.Limits())
        let small = try apply(PositionCache.Limits(preload: 0, cached: 3))
        #expect(!everything.paid.isEmpty)
        #expect(small.paid == everything.paid)
        #expect(small.exported == everything.exported)
    }
}

@Suite("The placed accounts, read on another thread", .timeLimit(.minutes(10)))
struct AccountsReadTests {
    @Test("a read that ends after the file was opened is waited for before the transaction, not inside it (no deadlock)")
    func lateRead() throws {
        let f = try InboundFixture()
        try f.placeAndSimulate(accounts: 12, seed: 5, events: 200)
        let job = InboundJob(context: try f.context())
        job.accountsReadDelay = 0.5  // the file is opened and checked long before the read starts
        // On its own thread, so that a deadlock fails the test instead of hanging the suite.
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<InboundReport, any Error>?
        nonisolated(unsafe) let running = job
        let partner = f.partner
        Thread { outcome = Result { try running.run(.init(partner: partner)) }; done.signal() }.start()
        guard done.wait(timeout: .now() + 60) == .success else {
            Issue.record("the run did not end within 60 s: it waits for the read inside its transaction")
            return
        }
        let report = try #require(outcome).get()
        #expect(report.partners.first?.processed.count == 1)
        #expect((report.partners.first?.eventsAccepted ?? 0) > 0)
    }
}

@Suite("Update ids", .timeLimit(.minutes(10)))
struct UpdateIDTests {
    @Test("an update id is the prefix, the line and the position", arguments: [(0, 1), (7, 2), (1_000_000, 12), (Int(Int32.max), 99_999)])
    func parts(_ line: Int, _ index: Int) {
        func id(_ prefix: String) -> String {
            let pass = PassConstants(partner: "acme-collect", fileID: "f", updatePrefix: prefix)  // updates do not own it
            return withExtendedLifetime(pass) {
                PassUpdate(shared: pass.shared, event: FeedbackEvent(type: .risk, eventID: "R1", accountRef: "C1"), line: line, number: index,
                           draft: UpdateDraft(invoiceNumber: nil, status: .riskUpdated)).withUpdateID { String(decoding: $0, as: UTF8.self) }
            }
        }
        #expect(id("acme-collect-0123456789abcdef-") == "acme-collect-0123456789abcdef-\(line)-\(index)")
        #expect(id("") == "\(line)-\(index)")
    }

    @Test("an update rendered from the pass's form is byte for byte the plain ERPUpdate with the same fields")
    func sameBytes() throws {
        var event = FeedbackEvent(type: .dispute, eventID: "D-7", accountRef: "C,1")
        event.disputeReason = "quality"
        event.comment = "says \"broken\"\nline"
        let draft = UpdateDraft(invoiceNumber: "=I-1", status: .disputed, amount: Money(minorUnits: 1234, currency: try Currency("EUR")),
                                date: LocalDate(iso: "2026-11-02"))
        let pass = PassConstants(partner: "acme-collect", fileID: "file-1", updatePrefix: "acme-collect-00-")
        defer { withExtendedLifetime(pass) {} }  // updates point into it without owning it
        let compact = PassUpdate(shared: pass.shared, event: event, line: 41, number: 2, draft: draft)
        var plain = ERPUpdate(updateID: "acme-collect-00-41-2", partner: "acme-collect", sourceEventID: "D-7", sourceEventType: "dispute",
                              sourceFileID: "file-1", accountRef: "C,1", invoiceNumber: "=I-1", status: .disputed)
        plain.amount = draft.amount
        plain.date = draft.date
        plain.comment = "dispute reason: quality; says \"broken\"\nline"
        let a = ByteBuffer(), b = ByteBuffer(), c = ByteBuffer(), d = ByteBuffer()
        ERPUpdateBytes.appendJSON(compact, to: a)
        ERPUpdateBytes.appendJSON(plain, to: b)
        ERPUpdateBytes.appendCSV(compact, to: c)
        ERPUpdateBytes.appendCSV(plain, to: d)
        #expect(a.bytes == b.bytes)
        #expect(c.bytes == d.bytes)
        #expect(String(decoding: a.bytes, as: UTF8.self).contains(#""comment":"dispute reason: quality; says \"broken\"\nline""#))
        #expect(String(decoding: c.bytes, as: UTF8.self).contains(",'=I-1,"), "formula guard on the CSV side")

        var contact = FeedbackEvent(type: .contactUpdate, eventID: "K1", accountRef: "C2")
        contact.contact = ["city": "Köln", "email": "a@b.example"]
        let update = PassUpdate(shared: pass.shared, event: contact, line: 3, number: 1, draft: UpdateDraft(invoiceNumber: nil, status: .contactUpdated))
        var same = ERPUpdate(updateID: "acme-collect-00-3-1", partner: "acme-collect", sourceEventID: "K1", sourceEventType: "contact_update",
                             sourceFileID: "file-1", accountRef: "C2", invoiceNumber: nil, status: .contactUpdated)
        same.contact = contact.contact
        let e = ByteBuffer(), f = ByteBuffer()
        ERPUpdateBytes.appendCSV(update, to: e)
        ERPUpdateBytes.appendCSV(same, to: f)
        #expect(e.bytes == f.bytes)
        #expect(ERPUpdateJSON.record(same).contains(#""contact":{"city":"Köln","email":"a@b.example"}"#))
        withExtendedLifetime(pass) {}
    }
}

@Suite("One run at a time", .timeLimit(.minutes(10)))
struct RunLockTests {
    @Test("a second run on the same state stops with exit 75 and changes nothing; the lock goes with the first")
    func secondRunStops() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 1)
        _ = try f.drop(sequence: 1, previous: nil, [try Events.payment("P1", f.accountRef(1), "10.00", on: f.today)])
        var first: RunContext? = try f.context()
        #expect(first != nil)
        let error = try #require(throws: JobError.self) { try f.run() }
        #expect(error.code == .busy)
        #expect(error.exitStatus == .tempFailure)
        #expect(error.message.contains("pid \(getpid())"))
        #expect(f.files(f.outbox) == [f.name(1)], "nothing fetched")
        first = nil
        #expect(try f.run().partners.first?.processed == [f.name(1)])
    }

    @Test("the lock holds across processes: arlink exits 75 while another process holds it",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests (swift build --build-tests)"))
    func otherProcess() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 1)
        let held = try f.context()
        let run = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath])
        #expect(run.status == 75, "\(run.stderr)")
        #expect(run.stderr.contains("another arlink run"))
        _ = held.config
    }
}

@Suite("Both formats rendered at once", .timeLimit(.minutes(10)))
struct PairedRenderingTests {
    static func updates() throws -> [ERPUpdate] {
        let eur = try Currency("EUR"), jpy = try Currency("JPY"), kwd = try Currency("KWD")
        var out: [ERPUpdate] = []
        let texts = ["plain", "", "with,comma", "with \"quote\"", "back\\slash", "new\nline", "-5", "=SUM(A1)", "@x", "+1", "ünïcødé €",
                     "tab\there", "exactly8", "sixteen-bytes-16", "\u{7F}del", String(repeating: "long-", count: 40)]
        for (n, text) in texts.enumerated() {
            var u = ERPUpdate(updateID: "id-\(n)", partner: "acme-collect", sourceEventID: text.isEmpty ? "E\(n)" : text,
                              sourceEventType: n % 2 == 0 ? "payment" : "dispute", sourceFileID: n % 3 == 0 ? nil : "file-\(text)",
                              accountRef: text, invoiceNumber: n % 4 == 0 ? nil : text, status: CollectionStatus.allCases[n % CollectionStatus.allCases.count])
            u.amount = n % 5 == 0 ? nil : Money(minorUnits: Int64(n * 1234 - 500), currency: [eur, jpy, kwd][n % 3])
            u.openAmount = n % 2 == 0 ? Money(minorUnits: Int64(n), currency: [eur, jpy, kwd][n % 3]) : nil
            u.date = n % 3 == 1 ? nil : LocalDate(iso: "2026-0\(n % 9 + 1)-1\(n % 9)")
            u.comment = n % 2 == 0 ? text : nil
            u.contact = n % 4 == 1 ? ["city": text, "email": "x@y.example", "phone": "+49 30 1"] : nil
            u.riskScore = n % 3 == 2 ? n * 37 : nil
            u.riskSegment = n % 3 == 2 ? text : nil
            out.append(u)
        }
        return out
    }

    @Test("rendering JSON and CSV together is byte for byte rendering each alone")
    func sameBytes() throws {
        for u in try Self.updates() {
            let json = ByteBuffer(), csv = ByteBuffer(), j = ByteBuffer(), c = ByteBuffer()
            ERPUpdateBytes.appendBoth(u, json: json, csv: csv)
            ERPUpdateBytes.appendJSON(u, to: j)
            ERPUpdateBytes.appendCSV(u, to: c)
            #expect(json.bytes == j.bytes, "\(ERPUpdateJSON.record(u))")
            #expect(csv.bytes == c.bytes, "\(ERPUpdateJSON.csvRow(u))")
        }
    }

    /// An update that brings its partner, type and file id pre-rendered (as the pass's updates do).
    struct Fragmented: ERPUpdateFields {
        let u: ERPUpdate
        let fragments: ERPUpdateFragments
        init(_ u: ERPUpdate) {
            self.u = u
            fragments = ERPUpdateFragments(partner: u.partner, sourceEventType: u.sourceEventType, sourceFileID: u.sourceFileID)
        }
        var fragmentBytes: ERPUpdateFragmentBytes? { fragments.bytes }
        func appendUpdateID(to out: ByteBuffer) { u.appendUpdateID(to: out) }
        var partner: String { u.partner }
        var sourceEventID: String { u.sourceEventID }
        var sourceEventType: String { u.sourceEventType }
        var sourceFileID: String? { u.sourceFileID }
        var accountRef: String { u.accountRef }
        var invoiceNumber: String? { u.invoiceNumber }
        var status: CollectionStatus { u.status }
        var amount: Money? { u.amount }
        var openAmount: Money? { u.openAmount }
        var date: LocalDate? { u.date }
        var comment: String? { u.comment }
        var contact: [String: String]? { u.contact }
        var riskScore: Int? { u.riskScore }
        var riskSegment: String? { u.riskSegment }
    }

    @Test("pre-rendered partner, type and file id give the same bytes as rendering them field by field")
    func fragments() throws {
        var all = try Self.updates()
        for (n, tricky) in ["acme \"quoted\"", "a,b", "-x", "=cmd", "ü"].enumerated() {
            var u = all[n]
            u.partner = tricky
            u.sourceEventType = tricky
            u.sourceFileID = n % 2 == 0 ? tricky : nil
            all.append(u)
        }
        for u in all {
            let f = Fragmented(u)
            let a = ByteBuffer(), b = ByteBuffer(), c = ByteBuffer(), d = ByteBuffer(), e = ByteBuffer(), g = ByteBuffer()
            ERPUpdateBytes.appendJSON(f, to: a)
            ERPUpdateBytes.appendJSON(u, to: b)
            ERPUpdateBytes.appendCSV(f, to: c)
            ERPUpdateBytes.appendCSV(u, to: d)
            ERPUpdateBytes.appendBoth(f, json: e, csv: g)
            #expect(a.bytes == b.bytes, "\(ERPUpdateJSON.record(u))")
            #expect(c.bytes == d.bytes, "\(ERPUpdateJSON.csvRow(u))")
            #expect(e.bytes == b.bytes)
            #expect(g.bytes == d.bytes)
        }
    }

    @Test("a stage with both formats writes what the single-format writers write")
    func stagedFiles() throws {
        let dir = try TemporaryDirectory()
        let updates = try Self.updates()
        for name in ["both", "json", "csv"] { try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: true) }
        let both = ERPUpdateStage<ERPUpdate>(folder: dir.file("both"), number: 1, formats: [.jsonl, .csv], createdAt: "2026-11-29T00:00:00Z", source: "s")
        let jsonOnly = ERPUpdateStage<ERPUpdate>(folder: dir.file("json"), number: 1, formats: [.jsonl], createdAt: "2026-11-29T00:00:00Z", source: "s")
        let csvOnly = ERPUpdateStage<ERPUpdate>(folder: dir.file("csv"), number: 1, formats: [.csv], createdAt: "2026-11-29T00:00:00Z", source: "s")
        for _ in 0..<300 {  // several batches
            for u in updates {
                try both.add(u)
                try jsonOnly.add(u)
                try csvOnly.add(u)
            }
        }
        let staged = try #require(try both.stage())
        let j = try #require(try jsonOnly.stage())
        let c = try #require(try csvOnly.stage())
        func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: AtomicTextFile.temporaryPath(for: path))) }
        #expect(try bytes(staged.files[0].path) == bytes(j.files[0].path))
        #expect(try bytes(staged.files[1].path) == bytes(c.files[0].path))
        #expect(staged.updateCount == 300 * updates.count)
        both.discard()
        jsonOnly.discard()
        csvOnly.discard()
    }
}

@Suite("Account slots", .timeLimit(.minutes(10)))
struct AccountSlotTests {
    @Test("every placed reference is found at its own slot; anything else is not placed")
    func lookups() {
        var refs = (0..<5_000).map { "C\($0)" }
        refs += ["", "ü-Kunde", String(repeating: "x", count: 300), "C1 ", "c1"]
        let slots = AccountSlots(refs)
        for (n, ref) in refs.enumerated() { #expect(slots.slot(of: ref) == Int32(n), "\(ref)") }
        for missing in ["C5000", "C-1", "C1\u{0}", " C1", "x", String(repeating: "x", count: 299), "ü-kunde"] {
            #expect(slots.slot(of: missing) == -1, "\(missing)")
        }
        #expect(AccountSlots([]).slot(of: "C1") == -1)
    }
}

@Suite("Batches between two threads", .timeLimit(.minutes(10)))
struct BatchPipeTests {
    struct Broken: Error {}

    @Test("every batch arrives in order, emptied batches come back to the producer, and the producer's error comes last")
    func inOrder() throws {
        let pipe = BatchPipe<Int>(batchSize: 10, maxBatches: 2)
        let producer = Thread {
            var batch = pipe.fresh()
            for n in 0..<1_000 {
                batch.append(n)
                if batch.count == 10 { pipe.send(&batch) }
            }
            pipe.finish(throwing: Broken())
        }
        producer.start()
        var seen: [Int] = []
        var batch: [Int] = []
        var failure: (any Error)?
        do {
            while try pipe.receive(&batch) { seen += batch }
        } catch {
            failure = error
        }
        #expect(seen == Array(0..<1_000))
        #expect(failure is Broken)
    }

    @Test("a consumer that fails stops the producer, which gets the consumer's error")
    func consumerFails() throws {
        let pipe = BatchPipe<Int>(batchSize: 4, maxBatches: 1)
        let consumer = Thread {
            var batch: [Int] = []
            _ = try? pipe.receive(&batch)
            pipe.stopConsuming(failure: Broken())
        }
        consumer.start()
        var batch = pipe.fresh()
        var accepted = true
        for n in 0..<10_000 where accepted {
            batch.append(n)
            if batch.count == 4 { accepted = pipe.send(&batch) }
        }
        #expect(!accepted, "the producer learns that nothing more is wanted")
        #expect(throws: Broken.self) { try pipe.waitUntilConsumed() }
    }
}
