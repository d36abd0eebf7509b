public import ARLinkCore

/// What an `erp-update.v1` record is made of, as the renderers read it.
///
/// ``ERPUpdate`` is the plain value. The inbound pass renders a million updates per large file
/// from a lighter form (the event they come from, shared, plus the reconciliation's draft), so
/// the renderers take anything that can answer these questions, and nothing is copied into an
/// intermediate record.
public protocol ERPUpdateFields {
    /// Calls `body` with the UTF-8 bytes of the update id.
    func withUpdateID<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R
    var partner: String { get }
    var sourceEventID: String { get }
    var sourceEventType: String { get }
    var sourceFileID: String? { get }
    var accountRef: String { get }
    var invoiceNumber: String? { get }
    var status: CollectionStatus { get }
    var amount: Money? { get }
    var openAmount: Money? { get }
    var date: LocalDate? { get }
    var comment: String? { get }
    var contact: [String: String]? { get }
    var riskScore: Int? { get }
    var riskSegment: String? { get }
}

extension ERPUpdate: ERPUpdateFields {
    public func withUpdateID<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        var id = updateID
        return try id.withUTF8(body)
    }
}
