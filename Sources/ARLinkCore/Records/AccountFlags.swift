/// What a collection agency must respect when it contacts the debtor (RMAi certification
/// standard A23: communication restrictions travel with the account) and the states that stop
/// or change collection: a dispute, a bankruptcy, death, representation by an attorney.
public struct AccountFlags: Sendable, Hashable {
    /// The debtor restricted how or when they may be contacted.
    public var communicationRestricted: Bool
    /// The restriction in the debtor's words (personal data: sent only to a partner whose
    /// `debtor_fields` list `communication_restriction`, never logged).
    public var communicationRestriction: String?
    /// The debtor disputes the debt.
    public var disputed: Bool
    /// The US bankruptcy chapter (7, 11, 12, 13, ...) of a debtor in bankruptcy.
    public var bankruptcyChapter: Int?
    public var deceased: Bool
    /// The debtor is represented by an attorney for this debt.
    public var attorneyRepresented: Bool

    public init(
        communicationRestricted: Bool = false, communicationRestriction: String? = nil, disputed: Bool = false,
        bankruptcyChapter: Int? = nil, deceased: Bool = false, attorneyRepresented: Bool = false
    ) {
        self.communicationRestricted = communicationRestricted || communicationRestriction != nil
        self.communicationRestriction = communicationRestriction
        self.disputed = disputed; self.bankruptcyChapter = bankruptcyChapter
        self.deceased = deceased; self.attorneyRepresented = attorneyRepresented
    }

    /// Whether any flag is set.
    public var isEmpty: Bool {
        !communicationRestricted && communicationRestriction == nil && !disputed && bankruptcyChapter == nil && !deceased
            && !attorneyRepresented
    }
}
