import ARLinkCore
@testable import ARLinkLayouts
import Foundation
import Testing

/// Broken AIM feedback files: each refused as a whole with its exact message, and no event
/// returned (a caller applies nothing from a file that throws).
@Suite("Latitude AIM bad files", .timeLimit(.minutes(10)))
struct AIMBadFileTests {
    /// The golden fixed-width feedback file's lines (no line endings).
    static func lines() throws -> [String] {
        let bytes = try LayoutFixtures.bytes("aim/feedback-fixed.txt")
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s).components(separatedBy: "\r\n").dropLast().map { $0 }
    }

    /// Replaces the characters at 1-based `start` in line `n` (1-based).
    static func patch(_ lines: [String], line n: Int, at start: Int, _ text: String) -> [String] {
        var out = lines
        var chars = Array(out[n - 1])
        chars.replaceSubrange((start - 1)..<(start - 1 + text.count), with: Array(text))
        out[n - 1] = String(chars)
        return out
    }

    static func parse(_ lines: [String]) throws -> [AgencyRecord] {
        let layout = try LayoutFixtures.aim(.feedback, pipe: false)
        let bytes = Array(lines.map { $0 + "\r\n" }.joined().unicodeScalars.map { UInt8($0.value) })
        let file = try LayoutReader(layout: layout).read(bytes, name: "AGY42_feedback_001.txt")
        return try FeedbackLayout(layout: layout).records(file, fileNumbers: LayoutFixtures.fileNumbers)
    }

    static func expectRefused(_ lines: [String], _ code: LayoutError.Code, _ message: String) {
        var records: [AgencyRecord]?
        do {
            records = try parse(lines)
            Issue.record("accepted a bad file")
        } catch let e as LayoutError {
            #expect(e.code == code)
            #expect(e.message == message)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(records == nil)
    }

    @Test("the unchanged golden file is accepted")
    func control() throws {
        #expect(try Self.parse(try Self.lines()).count == 8)
    }

    @Test("wrong record length")
    func recordLength() throws {
        var lines = try Self.lines()
        lines[0].removeLast()
        Self.expectRefused(lines, .recordLength, "AGY42_feedback_001.txt line 1, record AACK: the line has 125 characters (expected 126)")
    }

    @Test("unknown record type")
    func unknownType() throws {
        let lines = Self.patch(try Self.lines(), line: 5, at: 1, "AXYZ")
        Self.expectRefused(lines, .unknownRecordType, "AGY42_feedback_001.txt line 5: \"AXYZ\" is not a record type of layout latitude-aim-feedback (expected one of AACK, APAY, AOBJ, AREC, ACLS, ANOT, ATRL)")
    }

    @Test("bad date")
    func badDate() throws {
        let lines = Self.patch(try Self.lines(), line: 3, at: 56, "20251332")
        Self.expectRefused(lines, .badValue, "AGY42_feedback_001.txt line 3, record APAY, field payment_date (positions 56-63): \"20251332\" is not a date (expected CCYYMMDD)")
    }

    @Test("bad money")
    func badMoney() throws {
        let lines = Self.patch(try Self.lines(), line: 3, at: 44, "000000200,00")
        Self.expectRefused(lines, .badValue, "AGY42_feedback_001.txt line 3, record APAY, field payment_amount (positions 44-55): \"000000200,00\" is not an amount (expected digits with 2 decimals after a dot, such as 123.45)")
    }

    @Test("trailer count mismatch")
    func countMismatch() throws {
        var lines = try Self.lines()
        lines.remove(at: 4)  // the AOBJ record
        Self.expectRefused(lines, .trailerMismatch, "AGY42_feedback_001.txt line 8, record ATRL, field records (positions 85-94): the trailer says 8 records, the file has 7; the whole file is refused and nothing in it applied")
    }

    @Test("trailer total mismatch")
    func totalMismatch() throws {
        let lines = Self.patch(try Self.lines(), line: 9, at: 95, "000000250.00")
        Self.expectRefused(lines, .trailerMismatch, "AGY42_feedback_001.txt line 9, record ATRL, field payments (positions 95-106): the trailer's total is 250.00, the records add up to 240.00; the whole file is refused and nothing in it applied")
    }

    @Test("missing trailer (truncated file)")
    func truncated() throws {
        let lines = Array(try Self.lines().dropLast())
        Self.expectRefused(lines, .missingTrailer, "AGY42_feedback_001.txt ends on line 8 without its ATRL trailer (the file is truncated or incomplete)")
    }

    @Test("a reversal in the same file as its payment")
    func reversalWithPayment() throws {
        // The reversal on line 4 now names payment PAY-0001, paid on line 3.
        let lines = Self.patch(try Self.lines(), line: 4, at: 67, "PAY-0001")
        Self.expectRefused(lines, .reversalWithPayment, "AGY42_feedback_001.txt line 4, record APAY, field payment_identifier (positions 67-96): the reversal of payment \"PAY-0001\" is in the same file as the payment (line 3); AIM refuses such a file: send the reversal in a later file")
    }

    @Test("a file number never placed")
    func unknownFileNumber() throws {
        let lines = Self.patch(try Self.lines(), line: 6, at: 5, "000000042")
        Self.expectRefused(lines, .unknownFileNumber, "AGY42_feedback_001.txt line 6, record AREC, field file_number (positions 5-13): file number 42 was never assigned to a placement with this partner")
    }

    @Test("a file number echoed with another account")
    func accountMismatch() throws {
        let lines = Self.patch(try Self.lines(), line: 6, at: 14, "A-1002")
        Self.expectRefused(lines, .badValue, "AGY42_feedback_001.txt line 6, record AREC, field account (positions 14-43): the account does not match the one file number 1 was assigned to")
    }

    @Test("an unknown close code")
    func unknownCloseCode() throws {
        let lines = Self.patch(try Self.lines(), line: 7, at: 52, "ZZZ")
        Self.expectRefused(lines, .badValue, "AGY42_feedback_001.txt line 7, record ACLS, field close_code (positions 52-54): \"ZZZ\" is not a known code (expected one of BKY, CAN, DEC, NLC, PIF, RCL, SIF, SKP, UNC)")
    }

    @Test("a byte outside the layout's encoding is refused for an ASCII layout")
    func encoding() throws {
        var layout = try LayoutFixtures.aim(.feedback, pipe: false)
        layout.encoding = .ascii
        var bytes = try LayoutFixtures.bytes("aim/feedback-fixed.txt")
        bytes[20] = 0xE9
        #expect(throws: LayoutError(.badLine, "")) { try LayoutReader(layout: layout).read(bytes, name: "f") }
    }
}
