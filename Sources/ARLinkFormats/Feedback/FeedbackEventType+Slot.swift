public import ARLinkCore

extension FeedbackEventType {
    /// A distinct index below `allCases.count`, for tables with one entry per event type.
    public var slot: Int {
        switch self {
        case .acknowledgement: 0
        case .payment: 1
        case .paymentReversal: 2
        case .promise: 3
        case .dispute: 4
        case .status: 5
        case .contactUpdate: 6
        case .risk: 7
        }
    }
}
