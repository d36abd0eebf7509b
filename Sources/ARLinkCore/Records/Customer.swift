/// A debtor from the ERP's customer master. Personal data: only the fields allowed for a
/// partner leave the building (see ``DebtorField`` and ``DataMinimisation``).
public struct Customer: Sendable, Hashable {
    public var id: String
    public var name: String
    public var taxID: String?
    public var email: String?
    public var phone: String?
    public var street: String?
    public var postalCode: String?
    public var city: String?
    public var country: String?
    public var language: String?
    /// Customer group or segment in the ERP (used for exclusions and segments).
    public var group: String?
    /// The ERP blocks dunning/collection for this customer.
    public var blocked: Bool
    /// The debtor consented to the transfer of their data to a collection partner abroad
    /// (the optional `transfer_consent` column; false when absent or empty).
    public var transferConsent: Bool
    /// The debt's itemization for a validation notice (the optional `itemization_*` columns;
    /// nil when they are absent or empty).
    public var itemization: Itemization?
    /// Communication restrictions, dispute, bankruptcy, deceased and attorney flags (the
    /// optional flag columns; nil when they are absent, empty or all no).
    public var flags: AccountFlags?
    /// Line of the customer master where this customer was read, for error messages.
    public var sourceLine: Int

    public init(
        id: String, name: String, taxID: String? = nil, email: String? = nil, phone: String? = nil,
        street: String? = nil, postalCode: String? = nil, city: String? = nil, country: String? = nil,
        language: String? = nil, group: String? = nil, blocked: Bool = false, transferConsent: Bool = false, itemization: Itemization? = nil,
        flags: AccountFlags? = nil, sourceLine: Int = 0
    ) {
        self.flags = flags
        self.itemization = itemization
        self.transferConsent = transferConsent
        self.id = id; self.name = name; self.taxID = taxID; self.email = email; self.phone = phone
        self.street = street; self.postalCode = postalCode; self.city = city; self.country = country
        self.language = language; self.group = group; self.blocked = blocked; self.sourceLine = sourceLine
    }
}
