/// The agency file numbers of one partner's placements.
///
/// AIM identifies every placed account by a file number (nine digits, zero padded) that the
/// placing side assigns in `CACT` and the agency echoes on every later record. arlink keeps
/// them in the state database (`layout_file_number`); this protocol is how the layout mapping
/// reads them, so it needs no database.
public protocol FileNumberDirectory {
    /// The file number assigned to an account, nil when none was.
    func fileNumber(forAccount account: String) -> Int64?
    /// The account a file number was assigned to, nil when none was.
    func account(forFileNumber number: Int64) -> String?
}

/// File numbers held in memory: loaded from the store for a run, or built up in a test or
/// in the demo's simulated agency.
public struct FileNumberTable: FileNumberDirectory, Sendable, Hashable {
    public private(set) var byAccount: [String: Int64]
    public private(set) var byNumber: [Int64: String]

    public init(_ pairs: [(account: String, number: Int64)] = []) {
        byAccount = [:]
        byNumber = [:]
        for p in pairs { byAccount[p.account] = p.number; byNumber[p.number] = p.account }
    }

    public func fileNumber(forAccount account: String) -> Int64? { byAccount[account] }
    public func account(forFileNumber number: Int64) -> String? { byNumber[number] }

    /// The account's file number, assigning the next free one (one above the highest) when it
    /// has none.
    public mutating func assign(_ account: String) -> Int64 {
        if let n = byAccount[account] { return n }
        let n = (byNumber.keys.max() ?? 0) + 1
        byAccount[account] = n
        byNumber[n] = account
        return n
    }

    /// The pairs assigned, in number order.
    public var pairs: [(account: String, number: Int64)] {
        byNumber.keys.sorted().map { (byNumber[$0]!, $0) }
    }

    public static func == (a: FileNumberTable, b: FileNumberTable) -> Bool { a.byNumber == b.byNumber }
    public func hash(into hasher: inout Hasher) { hasher.combine(byNumber) }
}
