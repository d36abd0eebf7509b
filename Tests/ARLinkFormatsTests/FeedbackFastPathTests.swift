import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// The fast path of ``FeedbackReader`` (``FeedbackEventScanner``) against the JSON path:
/// for every line, the same event, or the same error code, message and line number.
@Suite("feedback.v1 reader: the fast path reads every line exactly like the JSON path", .timeLimit(.minutes(10)))
struct FeedbackFastPathTests {
    static let header = FileHeader(
        schema: "feedback.v1", fileID: "f-1", kind: "feedback", direction: "inbound", batchID: "b", sequence: 1,
        sender: "acme-collect", recipient: "acme-corp", recipientKeySHA256: String(repeating: "a", count: 64),
        createdAt: "2026-06-30T10:00:00Z", previousFileSHA256: nil)

    /// What one call of ``FeedbackReader/next()`` gave, with the reader's state after it.
    struct Step: Equatable, CustomStringConvertible {
        enum Result: Equatable {
            case event(FeedbackEvent)
            case end
            case failure(code: String, message: String, line: Int?)
        }
        let result: Result
        let lineNumber: Int
        let totals: ControlTotals

        var description: String { "line \(lineNumber): \(result)" }
    }

    // MARK: - Lines

    typealias Member = (key: String, json: String)

    static func q(_ text: String) -> String { "\"" + text + "\"" }

    /// One valid line of every event type, with every optional member present.
    static let bases: [[Member]] = [
        [("record_type", q("payment")), ("event_id", q("E1-0")), ("account_ref", q("C1")), ("occurred_on", q("2026-11-29")),
         ("amount", q("4.14")), ("currency", q("EUR")), ("invoice_number", q("INV-1")), ("payment_reference", q("ref 7")),
         ("comment", q("paid at the counter"))],
        [("record_type", q("payment_reversal")), ("event_id", q("E1-1")), ("account_ref", q("C2")), ("occurred_on", q("2026-11-30")),
         ("amount", q("-4.14")), ("currency", q("EUR")), ("reverses_event_id", q("E1-0")), ("invoice_number", q("INV-1")),
         ("comment", q("bounced"))],
        [("record_type", q("promise")), ("event_id", q("E1-2")), ("account_ref", q("C3")), ("amount", q("39.58")), ("currency", q("EUR")),
         ("promised_date", q("2026-12-09")), ("instalments", "3"), ("occurred_on", q("2026-11-29")), ("invoice_number", q("INV-2")),
         ("comment", q("will pay"))],
        [("record_type", q("dispute")), ("event_id", q("E1-3")), ("account_ref", q("C4")), ("invoice_number", q("INV-3")),
         ("reason", q("quality")), ("amount", q("10")), ("currency", q("USD")), ("occurred_on", q("2026-11-28")), ("comment", q("broken"))],
        [("record_type", q("status")), ("event_id", q("E1-4")), ("account_ref", q("C5")), ("occurred_on", q("2026-11-29")),
         ("status", q("contacted")), ("comment", q("phoned"))],
        [("record_type", q("risk")), ("event_id", q("E1-5")), ("account_ref", q("C6")), ("score", "291"), ("segment", q("medium")),
         ("occurred_on", q("2026-11-29")), ("comment", q("model 4"))],
        [("record_type", q("acknowledgement")), ("event_id", q("A1")), ("batch_id", q("B1")), ("counts", #"{"place":2}"#),
         ("totals", #"{"EUR":"12.50"}"#), ("occurred_on", q("2026-11-29"))],
        [("record_type", q("contact_update")), ("event_id", q("E1-7")), ("account_ref", q("C7")), ("contact", #"{"city":"Zürich"}"#)],
    ]

    static let keys = [
        "record_type", "event_id", "account_ref", "occurred_on", "comment", "batch_id", "counts", "totals", "invoice_number",
        "amount", "currency", "payment_reference", "reverses_event_id", "promised_date", "instalments", "reason", "status",
        "contact", "score", "segment", "iban", "Record_type", "record_typ", "record_type ", "",
    ]

    /// Values put in place of each member: other JSON types, boundary lengths, escapes,
    /// non-ASCII text, numbers that are not plain integers, bad dates, amounts, codes.
    static let values: [String] = {
        var v = [
            "null", "true", "false", "0", "1", "-1", "-0", "01", "00", "1.0", "1e3", "1E3", "2.", "-", "120", "121", "1000", "1001",
            "999999999", "99999999999999999999", "{}", "[]", "[1]", #"{"a":1}"#, #"{"city":"Bern"}"#,
        ]
        let strings = [
            "", "a", "a b", "-abc", ".a", "a.b_c:d/e-f", "A1", "_a", "a\\u0041", "a\\\"b", "a\\\\b", "a\\/b", "a\\nb", "a\\tb", "\\u00e9",
            "Zürich", "é", "a\u{7F}b", "a~b", "{x}", "[y]", "a,b", "a:b", "\\ud83d\\ude00", "\\ud83d",
            "2026-11-29", "2024-02-29", "2026-02-29", "2026-13-01", "2026-00-10", "2026-01-00", "2026-1-01", "2026-01-1x",
            "0000-01-01", "9999-12-31", "2026/01/01", "2026-06-2", "2026-06-290", "20260629", " 2026-06-29", "2026-06-29 ",
            "12.50", "12.5", "12.", ".5", "-3", "+3", "12.505", "1,50", "-0.00", "00012.00", "0", "-", "1e3", "- 1", "1 ",
            "99999999999999", "999999999999999", "9999999999999999999", "92233720368547758.07", "92233720368547758.08",
            "1.000000000000000000000", "99999999999999999999999999999999", "-99999999999999.9999", "0.0000", "0.00000",
            "EUR", "eur", "Eur", "JPY", "KWD", "CLF", "USD", "XXX", "EU", "EURO", "E1R",
            "payment", "payment_reversal", "promise", "dispute", "status", "risk", "acknowledgement", "contact_update",
            "trailer", "header", "bonus", "paymenu", "prymise", "payment_reversaL", "Payment", "risks", "ris",
            "contacted", "no_contact", "skip_trace", "legal", "uncollectible", "closed", "returned", "Contacted", "contacte",
            "no_contacts", "quality", "not_received", "anything", "medium", "high",
        ]
        v += strings.map(q)
        for count in [9, 10, 11, 31, 32, 33, 63, 64, 65, 499, 500, 501] {
            v.append(q(String(repeating: "x", count: count)))
            v.append(q("E" + String(repeating: "-", count: count - 1)))
        }
        return v
    }()

    /// `members` as one line, with the given separators.
    static func line(_ members: [Member], colon: String = ":", comma: String = ",", open: String = "{", close: String = "}") -> String {
        open + members.map { q($0.key) + colon + $0.json }.joined(separator: comma) + close
    }

    /// Every base line with each member removed, replaced by each value, repeated, and with
    /// each key added; the bases in other layouts; broken lines.
    static func systematicLines() -> [String] {
        var lines: [String] = []
        for base in bases {
            lines.append(line(base))
            lines.append(line(Array(base.reversed())))
            lines.append(line(base.filter { ["record_type", "event_id", "account_ref", "amount", "currency", "occurred_on", "promised_date",
                                              "invoice_number", "reason", "status", "score", "segment", "reverses_event_id", "batch_id",
                                              "counts", "totals", "contact"].contains($0.key) }))
            for i in base.indices {
                var removed = base
                removed.remove(at: i)
                lines.append(line(removed))
                for value in values {
                    var changed = base
                    changed[i].json = value
                    lines.append(line(changed))
                }
                lines.append(line(base + [base[i]]))
                lines.append(line(base + [(base[i].key, "null")]))
                lines.append(line([base[i]] + base))
            }
            for key in keys {
                for value in [q("x"), "null", "1", q("2026-01-01")] { lines.append(line(base + [(key, value)])) }
            }
            lines.append(line(base.filter { $0.key != "amount" }))
            lines.append(line(base.filter { $0.key != "currency" }))
            lines.append(line(base.filter { $0.key != "amount" && $0.key != "currency" }))
            // Layouts: spaces, tabs, carriage returns between tokens, around the object.
            lines.append(line(base, colon: ": ", comma: ", "))
            lines.append(line(base, colon: " : ", comma: " , ", open: "{ ", close: " }"))
            lines.append(" " + line(base) + " ")
            lines.append("\t" + line(base, colon: "\t:\t", comma: "\t,\t") + "\t")
            lines.append(line(base, comma: ",\r"))
            lines.append(line(base) + "\r")
            lines.append(line(base) + "\r\r")
            lines.append("\u{FEFF}" + line(base))
            lines.append(line(base, colon: "\u{A0}:"))
            // Broken JSON.
            lines.append(line(base) + "x")
            lines.append(line(base) + ",")
            lines.append(line(base) + "}")
            lines.append(String(line(base).dropLast()))
            lines.append(String(line(base).dropLast(2)))
            lines.append(line(base, close: ",}"))
            lines.append(line(base, comma: ",,"))
            lines.append(line(base, colon: ""))
            lines.append("[" + line(base) + "]")
            lines.append(line(base).replacingOccurrences(of: "\"record_type\"", with: "\"record\\u005ftype\""))
            lines.append(line(base).replacingOccurrences(of: "\"event_id\"", with: "\"event_id\\u0000\""))
            lines.append(line(base).replacingOccurrences(of: "\"account_ref\"", with: "account_ref"))
        }
        lines += ["{}", "[]", "null", "1", q("payment"), "", " ", "{", "}", #"{"record_type":null}"#, #"{"record_type":1}"#,
                  #"{"record_type":"payment"}"#, #"{"record_type":"risk","event_id":"R1","account_ref":"C1","score":5,"segment":"a"}"#]
        return lines
    }

    /// Random edits of the base lines (a fixed seed, so failures repeat).
    static func randomLines(count: Int, seed: UInt64) -> [String] {
        var random = SplitMix(seed)
        var lines: [String] = []
        for _ in 0..<count {
            var members = bases[Int(random.next() % UInt64(bases.count))]
            for _ in 0..<Int(random.next() % 4) {
                let i = Int(random.next() % UInt64(members.count))
                switch random.next() % 6 {
                case 0: members.remove(at: i)
                case 1, 2: members[i].json = values[Int(random.next() % UInt64(values.count))]
                case 3: members.append((keys[Int(random.next() % UInt64(keys.count))], values[Int(random.next() % UInt64(values.count))]))
                case 4: members.swapAt(i, Int(random.next() % UInt64(members.count)))
                default: members.append(members[i])
                }
                if members.isEmpty { break }
            }
            let spaces = ["", "", "", " ", "\t", "  "]
            let pick = { (r: inout SplitMix) in spaces[Int(r.next() % UInt64(spaces.count))] }
            lines.append(pick(&random) + line(members, colon: pick(&random) + ":" + pick(&random), comma: pick(&random) + "," + pick(&random)) + pick(&random))
        }
        return lines
    }

    // MARK: - Running both paths

    static func steps(_ path: String, fastPath: Bool, limit: Int, format: FeedbackFormat = .jsonl) throws -> [Step] {
        let reader = try FeedbackReader(path: path, displayName: "f.jsonl", format: format, maxLineBytes: FeedbackReader.defaultMaxLineBytes, fastPath: fastPath)
        var steps: [Step] = []
        for _ in 0..<limit {
            let result: Step.Result
            do {
                if let event = try reader.next() { result = .event(event) } else { result = .end }
            } catch let error as FeedbackError {
                result = .failure(code: error.code.description, message: error.message, line: error.lineNumber)
            }
            steps.append(Step(result: result, lineNumber: reader.lineNumber, totals: reader.totals))
            if result == .end { break }
            if case .failure(let code, _, _) = result, code == FeedbackError.Code.missingTrailer.description { break }
        }
        return steps
    }

    /// Writes `lines` (after the header, then `trailer`) in files of `chunk` lines, reads each
    /// with and without the fast path, and expects the same steps.
    /// - Returns: how many events the two paths read.
    @discardableResult
    static func compare(_ lines: [String], chunk: Int = 400, trailer: String = #"{"record_type":"trailer","counts":{"payment":1},"totals":{"EUR":"0.01"}}"#) throws -> Int {
        let dir = try TemporaryDirectory("fastpath")
        defer { dir.remove() }
        var events = 0
        for (n, start) in stride(from: 0, to: lines.count, by: chunk).enumerated() {
            let part = Array(lines[start..<min(start + chunk, lines.count)])
            let path = try dir.write("f\(n).jsonl", ([FeedbackJSON.header(header)] + part + [trailer]).joined(separator: "\n") + "\n")
            let slow = try steps(path, fastPath: false, limit: part.count + 3)
            let fast = try steps(path, fastPath: true, limit: part.count + 3)
            #expect(fast.count == slow.count)
            for (a, b) in zip(fast, slow) where a != b {
                Issue.record("fast path: \(a)\nJSON path: \(b)")
            }
            events += slow.filter { if case .event = $0.result { true } else { false } }.count
        }
        return events
    }

    /// The event the JSON path reads from one line, nil when it refuses the line.
    static func slowEvent(_ text: String) -> FeedbackEvent? {
        guard let value = try? LineJSON.parse(text) else { return nil }
        return try? FeedbackRecordParser.event(value, place: "f line 2", lineNumber: 2)
    }

    /// The event the fast path reads from one line, nil when it leaves the line to the JSON path.
    static func fastEvent(_ text: String, scanner: FeedbackEventScanner) -> FeedbackEvent? {
        Array(text.utf8).withUnsafeBufferPointer { scanner.event($0) }
    }

    // MARK: - Tests

    @Test("every member removed, replaced, repeated or added, in every layout: the same events and errors")
    func systematic() throws {
        let lines = Self.systematicLines()
        let events = try Self.compare(lines)
        #expect(lines.count > 5000)
        #expect(events > 1000)
    }

    @Test("random edits of valid lines: the same events and errors", arguments: [1, 2, 3] as [UInt64])
    func random(seed: UInt64) throws {
        try Self.compare(Self.randomLines(count: 4000, seed: seed))
    }

    @Test("a line the fast path reads is read the same by the JSON path, line by line")
    func lineByLine() throws {
        let scanner = FeedbackEventScanner()
        var fast = 0
        for text in Self.systematicLines() + Self.randomLines(count: 4000, seed: 9) {
            guard let event = Self.fastEvent(text, scanner: scanner) else { continue }
            fast += 1
            #expect(Self.slowEvent(text) == event, "\(text)")
        }
        #expect(fast > 1000)
    }

    @Test("ordinary lines of every flat event type take the fast path; unusual ones are left to the JSON path")
    func takesFastPath() throws {
        let scanner = FeedbackEventScanner()
        for base in Self.bases.prefix(6) {
            #expect(Self.fastEvent(Self.line(base), scanner: scanner) != nil, "\(Self.line(base))")
            #expect(Self.fastEvent(Self.line(base, colon: ": ", comma: ", "), scanner: scanner) != nil)
        }
        let ordinary = [
            #"{"record_type":"payment","event_id":"E1-0","account_ref":"C1","occurred_on":"2026-11-29","amount":"4.14","currency":"EUR"}"#,
            #"{"record_type":"risk","event_id":"E1-1","account_ref":"C10","score":291,"segment":"medium"}"#,
            #"{"record_type":"status","event_id":"E1-2","account_ref":"C100","occurred_on":"2026-11-29","status":"contacted"}"#,
            #"{"record_type":"promise","event_id":"E1-3","account_ref":"C1000","amount":"39.58","currency":"EUR","promised_date":"2026-12-09"}"#,
            #"{"record_type":"promise","event_id":"E1-3","account_ref":"C1000","amount":"39.58","currency":"EUR","promised_date":"2026-12-09","instalments":null}"#,
            #"{"record_type":"dispute","event_id":"D1","account_ref":"C1","invoice_number":"I1","reason":"quality"}"#,
            #"{"record_type":"payment","event_id":"E1-0","account_ref":"C1","occurred_on":"2026-11-29","amount":"1250000","currency":"IDR"}"#,
        ]
        for text in ordinary {
            let event = try #require(Self.fastEvent(text, scanner: scanner), "\(text)")
            #expect(event == Self.slowEvent(text))
        }
        let unusual = [
            #"{"record_type":"payment","event_id":"E1-0","account_ref":"C\u0031","occurred_on":"2026-11-29","amount":"4.14","currency":"EUR"}"#,
            #"{"record_type":"payment","event_id":"E1-0","account_ref":"Zürich","occurred_on":"2026-11-29","amount":"4.14","currency":"EUR"}"#,
            #"{"record_type":"risk","event_id":"E1-1","account_ref":"C10","score":291.0,"segment":"medium"}"#,
            #"{"record_type":"risk","event_id":"E1-1","account_ref":"C10","score":-0,"segment":"medium"}"#,
            #"{"record_type":"risk","event_id":"E1-1","account_ref":"C10","score":291,"segment":"medium","segment":"medium"}"#,
            #"{"record_type":"payment","event_id":"E1-0","account_ref":"C1","occurred_on":"2026-11-29","amount":"4.","currency":"EUR"}"#,
            #"{"record_type":"payment","event_id":"E1-0","account_ref":"C1","occurred_on":"2026-11-29","amount":"+4.14","currency":"EUR"}"#,
            #"{"record_type":"status","event_id":"E1-2","account_ref":"C100","status":"contacted","iban":"x"}"#,
        ]
        for text in unusual { #expect(Self.fastEvent(text, scanner: scanner) == nil, "\(text)") }
    }

    @Test("a file that matches its trailer ends the same way, with the same totals")
    func matchingTrailer() throws {
        let lines = Self.systematicLines().filter { Self.slowEvent($0) != nil && !$0.contains("92233720368547758") }
        let dir = try TemporaryDirectory("fastpath")
        defer { dir.remove() }
        let probe = try dir.write("p.jsonl", ([FeedbackJSON.header(Self.header)] + lines).joined(separator: "\n") + "\n")
        let reader = try FeedbackReader(path: probe, displayName: "p", format: .jsonl, maxLineBytes: FeedbackReader.defaultMaxLineBytes, fastPath: false)
        while (try? reader.next()) != nil {}
        let totals = reader.totals
        let counts = totals.counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        let sums = totals.totals.sorted { $0.key < $1.key }.map { "\"\($0.key.code)\":\"\($0.value.decimalString)\"" }.joined(separator: ",")
        let trailer = #"{"record_type":"trailer","counts":{"# + counts + #"},"totals":{"# + sums + "}}"
        let path = try dir.write("f.jsonl", ([FeedbackJSON.header(Self.header)] + lines + [trailer]).joined(separator: "\n") + "\n")
        let slow = try Self.steps(path, fastPath: false, limit: lines.count + 3)
        let fast = try Self.steps(path, fastPath: true, limit: lines.count + 3)
        #expect(slow.last?.result == .end)
        #expect(fast == slow)
        #expect(fast.last?.totals == totals)
        // One more line after the trailer, and one payment less: refused the same way.
        let after = try dir.write("a.jsonl", ([FeedbackJSON.header(Self.header)] + lines + [trailer, lines[0]]).joined(separator: "\n") + "\n")
        #expect(try Self.steps(after, fastPath: true, limit: lines.count + 3) == Self.steps(after, fastPath: false, limit: lines.count + 3))
        let short = try dir.write("s.jsonl", ([FeedbackJSON.header(Self.header)] + lines.dropFirst() + [trailer]).joined(separator: "\n") + "\n")
        #expect(try Self.steps(short, fastPath: true, limit: lines.count + 3) == Self.steps(short, fastPath: false, limit: lines.count + 3))
    }

    @Test("a payment total that overflows is refused the same way")
    func totalOverflow() throws {
        let big = #"{"record_type":"payment","event_id":"P1","account_ref":"C1","occurred_on":"2026-11-29","amount":"92233720368547758.07","currency":"EUR"}"#
        let cent = #"{"record_type":"payment","event_id":"P2","account_ref":"C1","occurred_on":"2026-11-29","amount":"0.01","currency":"EUR"}"#
        let clf = #"{"record_type":"payment","event_id":"P3","account_ref":"C1","occurred_on":"2026-11-29","amount":"99999999999999.9999","currency":"CLF"}"#
        try Self.compare([cent, big, cent, clf, big, cent, clf])
        try Self.compare([cent] + Array(repeating: clf, count: 12) + [cent, clf])
    }

    @Test("the CSV flavour is not affected by the switch")
    func csvUnchanged() throws {
        let dir = try TemporaryDirectory("fastpath")
        defer { dir.remove() }
        var pay = FeedbackEvent(type: .payment, eventID: "P1", accountRef: "C1")
        pay.amount = Money(minorUnits: 1250, currency: try Currency("EUR"))
        pay.occurredOn = LocalDate(iso: "2026-06-29")
        let path = dir.file("f.csv")
        let writer = try FeedbackWriter(path: path, header: Self.header, format: .csv)
        try writer.write(pay)
        try writer.finish()
        let fast = try Self.steps(path, fastPath: true, limit: 5, format: .csv)
        #expect(fast == (try Self.steps(path, fastPath: false, limit: 5, format: .csv)))
        #expect(fast.first?.result == .event(pay))
        #expect(fast.last?.result == .end)
    }
}

