public import ARLinkCore
public import ARLinkSystem

/// What an `erp-update.v1` record is made of, as the renderers read it.
///
/// ``ERPUpdate`` is the plain value. The inbound pass renders a million updates per large file
/// from a lighter form (the event they come from, shared, plus the reconciliation's draft), so
/// the renderers take anything that can answer these questions, and nothing is copied into an
/// intermediate record.
public protocol ERPUpdateFields {
    /// Appends the UTF-8 bytes of the update id, as they are (the renderers escape them).
    /// (Not a `withUpdateID { }` closure: the writing thread paid a retain and a release of
    /// the buffers it captured, a tenth of its time.)
    func appendUpdateID(to out: ByteBuffer)
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
    /// The partner, event type and file id already rendered (``ERPUpdateFragments/bytes``),
    /// when many updates share them; nil to render them field by field. The bytes belong to
    /// an ``ERPUpdateFragments`` that outlives the rendering.
    var fragmentBytes: ERPUpdateFragmentBytes? { get }
}

extension ERPUpdateFields {
    public var fragmentBytes: ERPUpdateFragmentBytes? { nil }

    /// Calls `body` with the UTF-8 bytes of the update id (tests, messages).
    public func withUpdateID<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let id = ByteBuffer(capacity: 64)
        appendUpdateID(to: id)
        return try body(UnsafeBufferPointer(start: id.base, count: id.count))
    }
}

/// Where the pre-rendered pieces of an ``ERPUpdateFragments`` lie: plain pointers, so an
/// update can carry them and a renderer read them without reference counting (a million
/// updates' retains and releases of shared arrays cost the writing thread a fifth of its time).
public struct ERPUpdateFragmentBytes: @unchecked Sendable {
    /// `,"partner":"P","source_event_id":`
    public let jsonAfterID: UnsafeBufferPointer<UInt8>
    /// `,"source_event_type":"T","source_file_id":"F","account_ref":` (no file id member when nil)
    public let jsonAfterEventID: UnsafeBufferPointer<UInt8>
    /// `,P`
    public let csvAfterID: UnsafeBufferPointer<UInt8>
    /// `,T,F`
    public let csvAfterEventID: UnsafeBufferPointer<UInt8>
}

/// The parts of an update record that every update of one event type in one feedback file
/// shares (partner, event type, file id, with the keys around them), rendered once in both
/// formats with the same escaping as field by field, and copied into each record.
public final class ERPUpdateFragments: @unchecked Sendable {
    /// The four pieces, in one block this object owns (immutable once built).
    public let bytes: ERPUpdateFragmentBytes
    private let storage: UnsafeMutableBufferPointer<UInt8>

    public init(partner: String, sourceEventType: String, sourceFileID: String?) {
        func render(_ body: (ByteBuffer) -> Void) -> [UInt8] {
            let out = ByteBuffer(capacity: 256)
            body(out)
            return out.bytes
        }
        let pieces = [
            render { out in
                out.append(#","partner":"#)
                ERPUpdateBytes.quoted(partner, to: out)
                out.append(#","source_event_id":"#)
            },
            render { out in
                out.append(#","source_event_type":"#)
                ERPUpdateBytes.quoted(sourceEventType, to: out)
                if let sourceFileID {
                    out.append(#","source_file_id":"#)
                    ERPUpdateBytes.quoted(sourceFileID, to: out)
                }
                out.append(#","account_ref":"#)
            },
            render { out in ERPUpdateBytes.field(partner, to: out) },
            render { out in
                ERPUpdateBytes.field(sourceEventType, to: out)
                ERPUpdateBytes.field(sourceFileID, to: out)
            },
        ]
        storage = .allocate(capacity: max(1, pieces.reduce(0) { $0 + $1.count }))
        var views: [UnsafeBufferPointer<UInt8>] = []
        var at = 0
        for piece in pieces {
            _ = UnsafeMutableBufferPointer(rebasing: storage[at..<(at + piece.count)]).initialize(from: piece)
            views.append(UnsafeBufferPointer(rebasing: storage[at..<(at + piece.count)]))
            at += piece.count
        }
        bytes = ERPUpdateFragmentBytes(jsonAfterID: views[0], jsonAfterEventID: views[1], csvAfterID: views[2], csvAfterEventID: views[3])
    }

    deinit { storage.deallocate() }
}

extension ERPUpdate: ERPUpdateFields {
    public func appendUpdateID(to out: ByteBuffer) { out.append(utf8: updateID) }
}
