public import ARLinkCore
public import ARLinkSystem

/// Streams a portfolio file: header record, detail records, trailer with control totals.
///
/// The file is written with mode 0600 (plaintext personal data) under a temporary name and
/// appears at ``path`` only when ``finish()`` succeeds; the caller seals it and deletes it
/// afterwards. Output is deterministic: fixed key and column order, money as decimal
/// strings with the currency's exponent, dates `YYYY-MM-DD`. A writer dropped without
/// ``finish()`` removes its partial file.
public final class PortfolioWriter {
    /// The output file.
    public let path: String
    /// JSON Lines or CSV.
    public let format: PortfolioFormat
    /// The header record written first.
    public let header: FileHeader
    private let sink: FileSink
    private var totals = ControlTotals(counts: ["place": 0, "update": 0, "recall": 0])
    private var finished = false

    /// Creates the file and writes the header record.
    /// - Parameters:
    ///   - path: the output file (replaced when finished, mode 0600).
    ///   - format: `.jsonl` or `.csv`.
    ///   - header: the signed manifest, written first.
    ///   - computeSHA256: hash the plaintext while writing with the pure-Swift SHA-256 (for
    ///     ``finish()``'s digest; it is empty when false).
    /// - Throws: ``FormatError/Code/writeFailed``.
    public convenience init(path: String, format: PortfolioFormat, header: FileHeader, computeSHA256: Bool = true) throws {
        try self.init(path: path, format: format, header: header, digest: computeSHA256 ? SHA256Digest() : nil)
    }

    /// Creates the file and writes the header record, feeding every byte to `digest`
    /// (for example an OpenSSL SHA-256, several times faster than the pure-Swift one).
    /// - Parameters:
    ///   - digest: receives the plaintext on the writer's helper thread; ``finish()`` returns
    ///     its `finalizeHex()` (empty when nil).
    /// - Throws: ``FormatError/Code/writeFailed``.
    public init(path: String, format: PortfolioFormat, header: FileHeader, digest: (any StreamingDigest)?) throws {
        self.path = path
        self.format = format
        self.header = header
        sink = try FileSink(path: path, digest: digest)
        do {
            switch format {
            case .jsonl: try writeJSONHeader()
            case .csv: try writeCSVHeader()
            }
            try sink.endRecord()
        } catch {
            sink.abort()
            throw error
        }
    }

    deinit {
        if !finished { sink.abort() }
    }

    /// Appends one detail record.
    /// - Throws: ``FormatError/Code/badRecord`` when the record is inconsistent (a recall
    ///   without reason or with debtor data, an invoice whose amounts differ in currency);
    ///   ``FormatError/Code/writeFailed``.
    public func write(_ record: PortfolioRecord) throws {
        try Self.validate(record)
        try totals.add(type: record.action.rawValue, amounts: record.invoices.map(\.openAmount))
        switch format {
        case .jsonl: try writeJSON(record)
        case .csv: try writeCSV(record)
        }
        try sink.endRecord()
    }

    /// Writes the trailer, flushes, fsyncs and closes the file.
    /// - Returns: the control totals written (counts per record type, open-amount totals per
    ///   currency), the SHA-256 of the whole file (lowercase hex; empty when not computed) and its size.
    public func finish() throws -> (totals: ControlTotals, plaintextSHA256: String, bytes: Int64) {
        switch format {
        case .jsonl: try writeJSONTrailer()
        case .csv: try writeCSVTrailer()
        }
        let digest = try sink.finish()
        finished = true
        return (totals, digest, sink.bytesWritten)
    }

    var sinkForExtensions: FileSink { sink }
    var currentTotals: ControlTotals { totals }

    /// Stops writing and removes the partial file.
    public func abort() {
        finished = true
        sink.abort()
    }

    static func validate(_ record: PortfolioRecord) throws {
        let ref = Location.quote(record.accountRef)
        guard !record.accountRef.isEmpty else {
            throw FormatError(.badRecord, "a portfolio record has an empty account reference (expected the account's reference)")
        }
        switch record.action {
        case .recall:
            guard record.recallReason != nil else {
                throw FormatError(.badRecord, "recall record for account \(ref) has no recall reason (expected paid_to_creditor, disputed or no_longer_eligible)")
            }
            guard record.debtor?.fields.isEmpty ?? true else {
                throw FormatError(.badRecord, "recall record for account \(ref) carries debtor data (recalls carry none)")
            }
            guard record.flags == nil else {
                throw FormatError(.badRecord, "recall record for account \(ref) carries flags (recalls carry none)")
            }
            guard record.itemization == nil else {
                throw FormatError(.badRecord, "recall record for account \(ref) carries an itemization (recalls carry none)")
            }
        case .place, .update:
            guard record.recallReason == nil else {
                throw FormatError(.badRecord, "\(record.action.rawValue) record for account \(ref) has a recall reason (only recall records have one)")
            }
        }
        if let t = record.itemization {
            for m in [t.interest, t.fees, t.payments, t.credits] where m.currency != t.currency {
                throw FormatError(.badRecord, "the itemization of account \(ref) mixes \(t.currency) and \(m.currency) (expected one currency)")
            }
        }
        for invoice in record.invoices where invoice.amount.currency != invoice.openAmount.currency {
            throw FormatError(.badRecord, "invoice \(Location.quote(invoice.number)) of account \(ref) has its amount in \(invoice.amount.currency) but its open amount in \(invoice.openAmount.currency) (expected one currency per invoice)")
        }
    }
}
