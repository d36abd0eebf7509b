import ARLinkCore
import ARLinkFormats
import ARLinkSystem

/// What every update of one pass shares: the partner, the feedback file and the prefix of
/// update ids (`{partner}-{sha256 prefix}-`, continued by `{line}-{n}`). Owns the memory its
/// ``shared`` pointer describes.
final class PassConstants: @unchecked Sendable {
    let partner: String
    let fileID: String
    /// The rendered partner, event type and file id of each event type (by `FeedbackEventType.slot`).
    private let fragments: [ERPUpdateFragments]
    private let prefix: UnsafeMutableBufferPointer<UInt8>
    private let table: UnsafeMutablePointer<ERPUpdateFragmentBytes>
    /// What updates point to.
    let shared: UnsafeMutablePointer<PassShared>

    init(partner: String, fileID: String, updatePrefix: String) {
        self.partner = partner
        self.fileID = fileID
        let utf8 = Array(updatePrefix.utf8)
        prefix = .allocate(capacity: max(1, utf8.count))
        _ = prefix.initialize(from: utf8)
        fragments = FeedbackEventType.allCases.sorted { $0.slot < $1.slot }.map {
            ERPUpdateFragments(partner: partner, sourceEventType: $0.rawValue, sourceFileID: fileID)
        }
        table = .allocate(capacity: fragments.count)
        for (slot, fragment) in fragments.enumerated() { (table + slot).initialize(to: fragment.bytes) }
        shared = .allocate(capacity: 1)
        shared.initialize(to: PassShared(updatePrefix: UnsafeBufferPointer(rebasing: prefix[0..<utf8.count]), fragments: table, partner: partner, fileID: fileID))
    }

    deinit {
        shared.deinitialize(count: 1)
        shared.deallocate()
        table.deallocate()
        prefix.deallocate()
    }
}

/// The part of ``PassConstants`` the updates of a pass read, as plain pointers: handing an
/// update over and rendering it touches no reference count. With a reference to the shared
/// object in each update, the reconciling and writing threads both counted references on
/// it a million times per file, and the writing thread spent a quarter of its time there.
struct PassShared {
    let updatePrefix: UnsafeBufferPointer<UInt8>
    /// By `FeedbackEventType.slot`.
    let fragments: UnsafePointer<ERPUpdateFragmentBytes>
    /// The partner and file id as text (only read when rendered field by field).
    let partner: String
    let fileID: String
}

/// The fields of an event that only some events carry, boxed so that the common update stays small.
final class RareEventFields: Sendable {
    let comment: String?
    let contact: [String: String]?
    let disputeReason: String?

    init(comment: String?, contact: [String: String]?, disputeReason: String?) {
        self.comment = comment
        self.contact = contact
        self.disputeReason = disputeReason
    }
}

/// One ERP update as the pass hands it to the writing thread: the event fields it needs, the
/// reconciliation's draft and its place in the file. The writing thread renders it straight
/// into the export files; no ``ERPUpdate`` (fifteen fields, a new id string) is built per update.
struct PassUpdate: ERPUpdateFields {
    /// Owned by a ``PassConstants`` the stage keeps for as long as updates are written.
    let shared: UnsafePointer<PassShared>
    let sourceEventID: String
    let accountRef: String
    let type: FeedbackEventType
    let line: Int
    let number: Int32
    let draft: UpdateDraft
    let riskScore: Int?
    let riskSegment: String?
    let rare: RareEventFields?

    init(shared: UnsafePointer<PassShared>, event: FeedbackEvent, line: Int, number: Int, draft: UpdateDraft) {
        self.shared = shared
        sourceEventID = event.eventID
        accountRef = event.accountRef
        type = event.type
        self.line = line
        self.number = Int32(truncatingIfNeeded: number)
        self.draft = draft
        riskScore = event.type == .risk ? event.riskScore : nil
        riskSegment = event.type == .risk ? event.riskSegment : nil
        let contact = event.type == .contactUpdate ? event.contact : nil
        let reason = event.type == .dispute ? event.disputeReason : nil
        rare = event.comment != nil || contact != nil || reason != nil
            ? RareEventFields(comment: event.comment, contact: contact, disputeReason: reason) : nil
    }

    /// `{prefix}{line}-{n}`, written straight into the record's buffer.
    func appendUpdateID(to out: ByteBuffer) {
        let prefix = shared.pointee.updatePrefix
        let room = out.tail(prefix.count + 42)
        var at = 0
        for b in prefix { room[at] = b; at += 1 }
        at = DecimalDigits.write(UInt64(max(0, line)), into: room, at: at)
        room[at] = UInt8(ascii: "-")
        at = DecimalDigits.write(UInt64(max(0, number)), into: room, at: at + 1)
        out.commit(at)
    }

    var partner: String { shared.pointee.partner }
    var sourceEventType: String { type.rawValue }
    var sourceFileID: String? { shared.pointee.fileID }
    var invoiceNumber: String? { draft.invoiceNumber }
    var status: CollectionStatus { draft.status }
    var amount: Money? { draft.amount }
    var openAmount: Money? { draft.openAmount }
    var date: LocalDate? { draft.date }
    var contact: [String: String]? { rare?.contact }
    var fragmentBytes: ERPUpdateFragmentBytes? { shared.pointee.fragments[type.slot] }

    var comment: String? {
        guard let rare else { return nil }
        if let reason = rare.disputeReason { return "dispute reason: \(reason)" + (rare.comment.map { "; \($0)" } ?? "") }
        return rare.comment
    }
}
