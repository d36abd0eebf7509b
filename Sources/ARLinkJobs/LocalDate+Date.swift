public import ARLinkCore
public import Foundation

extension LocalDate {
    /// The calendar day in UTC of an instant (a run's "today").
    public init(utcDayOf date: Date) {
        self.init(daysSinceEpoch: Int32((date.timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}
