public import ARLinkCore

/// What a portfolio file holds once read and checked.
public struct PortfolioContents: Sendable {
    /// The header record (the signed manifest).
    public var header: FileHeader
    /// The detail records in file order.
    public var records: [PortfolioRecord]
    /// The totals computed from the records (equal to the trailer's, or the read throws).
    public var totals: ControlTotals

    public init(header: FileHeader, records: [PortfolioRecord], totals: ControlTotals) {
        self.header = header
        self.records = records
        self.totals = totals
    }
}

/// Reads a portfolio file of either flavour back, streaming, and checks it: a header record
/// first, every record's shape, nothing after the trailer, and the trailer's counts and
/// totals against what was read. A file without a trailer is refused as truncated.
public enum PortfolioReader {
    /// Reads the whole file into memory (tests, the demo, small files).
    /// - Parameters:
    ///   - path: the plaintext portfolio.
    ///   - format: the flavour; nil detects it from the first byte (`{` JSON Lines, `H` CSV).
    /// - Throws: ``FormatError``: `.unreadable`, `.emptyFile`, `.badJSON`, `.badRecord`,
    ///   `.missingHeader`, `.missingTrailer`, `.trailerMismatch`, `.lineTooLong`.
    public static func read(path: String, format: PortfolioFormat? = nil) throws -> PortfolioContents {
        var records: [PortfolioRecord] = []
        let (header, totals) = try read(path: path, format: format) { records.append($0) }
        return PortfolioContents(header: header, records: records, totals: totals)
    }

    /// Streams the file: `onRecord` sees each detail record in order. The trailer is checked
    /// at the end, so a caller must not act on the records before this returns.
    /// - Returns: the header and the checked control totals.
    public static func read(
        path: String, format: PortfolioFormat? = nil, onRecord: (PortfolioRecord) throws -> Void
    ) throws -> (header: FileHeader, totals: ControlTotals) {
        let flavour = try format ?? detect(path: path)
        switch flavour {
        case .jsonl: return try readJSONL(path: path, onRecord: onRecord)
        case .csv: return try readCSV(path: path, onRecord: onRecord)
        }
    }

    static func detect(path: String) throws -> PortfolioFormat {
        let reader = try TextLineReader(path: path, maxLineBytes: 16 << 20, chunkSize: 64 << 10)
        let first: UInt8? = try reader.next { line -> UInt8? in
            let bom = line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF
            let start = bom ? 3 : 0
            return start < line.count ? line[start] : nil
        } ?? nil
        switch first {
        case UInt8(ascii: "{"): return .jsonl
        case UInt8(ascii: "H"): return .csv
        case nil: throw FormatError(.emptyFile, "\(reader.displayName) is empty (expected a portfolio header record)")
        default: throw FormatError(.missingHeader, "\(reader.displayName) line 1 is not a portfolio header record (expected a JSON object or a CSV line starting with H)")
        }
    }

    /// Compares the trailer's figures with the ones computed while reading.
    static func checkTrailer(file: String, line: Int, trailer: ControlTotals, trailerRecordCount: Int, computed: ControlTotals) throws {
        let at = "\(file) line \(Location.grouped(line))"
        for type in PortfolioVocabulary.recordTypes {
            let said = trailer.counts[type] ?? 0
            let read = computed.counts[type] ?? 0
            if said != read {
                throw FormatError(.trailerMismatch, "\(at): the trailer counts \(said) \(type) records but the file has \(read) (the file was altered or cut; refuse it)")
            }
        }
        if trailerRecordCount != computed.recordCount {
            throw FormatError(.trailerMismatch, "\(at): the trailer's record_count is \(trailerRecordCount) but the file has \(computed.recordCount) detail records")
        }
        let currencies = Set(trailer.totals.keys).union(computed.totals.keys).sorted()
        for currency in currencies {
            let said = trailer.totals[currency] ?? .zero(currency)
            let read = computed.totals[currency] ?? .zero(currency)
            if said != read {
                throw FormatError(.trailerMismatch, "\(at): the trailer's total for \(currency.code) is \(said.decimalString) but the invoices add up to \(read.decimalString)")
            }
        }
    }

    static func missingTrailer(_ file: String, records: Int) -> FormatError {
        FormatError(.missingTrailer, "\(file) ends after \(records) detail records without a trailer record, so it is truncated (refuse it and ask for the file again)")
    }
}
