import ARLinkCore

/// `YYYY-MM-DD` bytes for every day in a window around the as-of date, so the per-row path
/// copies ten bytes instead of converting a calendar date.
struct SampleDates {
    private let firstDay: Int32
    private let table: [UInt8]

    /// Covers `first ... last` (at most 40,000 days from `first`); other dates are converted on demand.
    init(from first: Int32, through last: Int32) {
        firstDay = first
        let count = Int(max(first, min(last, first + 40_000)) - first) + 1
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 10)
        for offset in 0..<count {
            bytes.append(contentsOf: LocalDate(daysSinceEpoch: firstDay + Int32(offset)).iso.utf8)
        }
        table = bytes
    }

    /// Appends the date's ten bytes.
    func write(_ day: Int32, to out: SampleFileWriter) throws {
        let offset = Int(day) - Int(firstDay)
        guard offset >= 0, offset * 10 < table.count else {
            return try out.text(LocalDate(daysSinceEpoch: day).iso)
        }
        try out.bytes(table.span.extracting((offset * 10)..<(offset * 10 + 10)))
    }
}
