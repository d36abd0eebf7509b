import Foundation

/// One step or decision to record: ids, digests, counts and totals, never personal data or secrets.
///
/// Free text is deliberately absent: `detail` holds short machine values (codes, counts,
/// reasons as codes), and ``AuditLog/append(_:in:)`` refuses events that break the rules
/// in ``validate()``.
public struct AuditEvent: Sendable, Hashable {
    /// What happened, e.g. `batch.sealed`, `file.quarantined`, `keys.checked`.
    public var action: String
    /// How it ended: `ok`, `refused`, `error`, `duplicate`, `held`, `quarantined`, ...
    public var outcome: String
    /// The partner id.
    public var partner: String?
    /// `outbound` or `inbound`.
    public var direction: String?
    public var batchID: String?
    public var fileID: String?
    /// The exchanged file's name (partner-facing names carry no personal data by design).
    public var fileName: String?
    /// Lowercase hex SHA-256 of the plaintext.
    public var plaintextSHA256: String?
    /// Lowercase hex SHA-256 of the sealed (or received) bytes.
    public var sealedSHA256: String?
    public var recordCount: Int?
    /// ISO 4217 currency code to a decimal string (`"IDR": "1250000"`, `"USD": "12.50"`).
    public var totals: [String: String]
    /// A stable error code when the step failed or refused something (`envelope.tag_mismatch`).
    public var errorCode: String?
    /// Further short machine values: counts, codes, config digests.
    public var detail: [String: String]

    public init(
        action: String, outcome: String, partner: String? = nil, direction: String? = nil,
        batchID: String? = nil, fileID: String? = nil, fileName: String? = nil,
        plaintextSHA256: String? = nil, sealedSHA256: String? = nil, recordCount: Int? = nil,
        totals: [String: String] = [:], errorCode: String? = nil, detail: [String: String] = [:]
    ) {
        self.action = action
        self.outcome = outcome
        self.partner = partner
        self.direction = direction
        self.batchID = batchID
        self.fileID = fileID
        self.fileName = fileName
        self.plaintextSHA256 = plaintextSHA256
        self.sealedSHA256 = sealedSHA256
        self.recordCount = recordCount
        self.totals = totals
        self.errorCode = errorCode
        self.detail = detail
    }

    /// Checks the entry rules: codes are short lowercase tokens, ids are short printable
    /// ASCII without spaces, digests are 64 lowercase hex digits, totals map currency codes
    /// to decimal strings, detail values are at most 128 printable ASCII characters.
    /// - Throws: ``AuditError`` `.invalidEvent` naming the field.
    public func validate() throws {
        try Self.check(code: action, field: "action")
        try Self.check(code: outcome, field: "outcome")
        if let direction, direction != "outbound", direction != "inbound" {
            throw AuditError(.invalidEvent, "audit event \(action): direction must be \"outbound\" or \"inbound\"")
        }
        for (field, value) in [("partner", partner), ("batch_id", batchID), ("file_id", fileID), ("file_name", fileName)] {
            if let value { try Self.check(identifier: value, field: field, action: action) }
        }
        for (field, value) in [("plaintext_sha256", plaintextSHA256), ("sealed_sha256", sealedSHA256)] {
            if let value, value.utf8.count != 64 || !value.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) {
                throw AuditError(.invalidEvent, "audit event \(action): \(field) must be 64 lowercase hex digits")
            }
        }
        if let recordCount, recordCount < 0 {
            throw AuditError(.invalidEvent, "audit event \(action): record_count must not be negative")
        }
        for (currency, amount) in totals {
            guard currency.utf8.count == 3, currency.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
                throw AuditError(.invalidEvent, "audit event \(action): totals key must be an ISO 4217 code (three capital letters)")
            }
            guard Self.isDecimal(amount) else {
                throw AuditError(.invalidEvent, "audit event \(action): total for \(currency) must be a decimal string like \"12.50\"")
            }
        }
        if let errorCode { try Self.check(code: errorCode, field: "error_code", action: action) }
        for (key, value) in detail {
            try Self.check(code: key, field: "detail key", action: action)
            guard value.utf8.count <= 128, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw AuditError(.invalidEvent, "audit event \(action): detail \"\(key)\" must be at most 128 printable ASCII characters")
            }
        }
    }

    /// The event with every identifier that breaks the identifier rule (partner, batch id,
    /// file id, file name: printable ASCII, no spaces, quotes or backslashes, at most 200
    /// characters) replaced by `sha256:<hex of its UTF-8 bytes>`.
    ///
    /// Identifiers can come from a partner (a remote file name, a header's file id): a hostile
    /// or garbled one must neither stop the quarantine being recorded nor put arbitrary text
    /// into the log. The digest still lets an investigator match it against the original.
    func withSafeIdentifiers(hasher: MerkleHasher) -> AuditEvent {
        var event = self
        func safe(_ value: String?) -> String? {
            guard let value else { return nil }
            let bytes = value.utf8
            if !bytes.isEmpty, bytes.count <= 200, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { return value }
            return "sha256:" + hasher.sha256(Array(bytes)).map { String(format: "%02x", $0) }.joined()
        }
        event.partner = safe(partner)
        event.batchID = safe(batchID)
        event.fileID = safe(fileID)
        event.fileName = safe(fileName)
        return event
    }

    private static func check(code: String, field: String, action: String? = nil) throws {
        let bytes = code.utf8
        let ok = !bytes.isEmpty && bytes.count <= 64 && bytes.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 95 || $0 == 45
        }
        guard ok else {
            let prefix = action.map { "audit event \($0): " } ?? "audit event: "
            throw AuditError(.invalidEvent, prefix + "\(field) must be 1-64 characters of a-z, 0-9, '.', '_' or '-'")
        }
    }

    private static func check(identifier: String, field: String, action: String) throws {
        let bytes = identifier.utf8
        guard !bytes.isEmpty, bytes.count <= 200, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) else {
            throw AuditError(.invalidEvent, "audit event \(action): \(field) must be 1-200 printable ASCII characters without spaces, quotes or backslashes")
        }
    }

    private static func isDecimal(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == 45 { bytes = bytes.dropFirst() }
        let parts = bytes.split(separator: 46, omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.count <= 20 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.count <= 30 && $0.allSatisfy { $0 >= 48 && $0 <= 57 } }
    }
}
