/// A debtor field that may be shared with a partner. Only fields listed for a partner
/// leave the building; everything else is dropped before the portfolio is written.
public enum DebtorField: String, Sendable, CaseIterable, Codable, Hashable {
    case name
    case taxID = "tax_id"
    case email
    case phone
    case street
    case postalCode = "postal_code"
    case city
    case country
    case language
}

/// How a shared field is masked before it leaves.
public enum FieldMask: Sendable, Hashable, Codable {
    /// Sent as is.
    case none
    /// Only the last `n` characters kept, the rest replaced by `*`.
    case lastCharacters(Int)

    /// Applies the mask to a value.
    public func apply(_ value: String) -> String {
        switch self {
        case .none: return value
        case .lastCharacters(let n):
            let chars = Array(value)
            guard chars.count > n else { return value }
            return String(repeating: "*", count: chars.count - n) + String(chars.suffix(n))
        }
    }
}

/// The debtor data that leaves the building for one account, after minimisation and masking.
public struct DebtorData: Sendable, Hashable {
    /// Field name (``DebtorField/rawValue``) to value, only allowed fields, only non-empty values.
    public var fields: [DebtorField: String]
    public init(fields: [DebtorField: String]) { self.fields = fields }
}

/// Personal-data minimisation for one partner: which fields it may receive and how they are masked.
public struct DataMinimisation: Sendable, Hashable {
    public var allowed: Set<DebtorField>
    public var masks: [DebtorField: FieldMask]
    /// The free text of a communication restriction may be sent (`communication_restriction`
    /// in `debtor_fields`); otherwise only the flag is.
    public var allowsRestrictionText: Bool

    public init(allowed: Set<DebtorField>, masks: [DebtorField: FieldMask] = [:], allowsRestrictionText: Bool = false) {
        self.allowed = allowed
        self.masks = masks
        self.allowsRestrictionText = allowsRestrictionText
    }

    /// The flags as sent: the restriction text dropped unless allowed (the flag stays).
    public func apply(to flags: AccountFlags) -> AccountFlags {
        guard !allowsRestrictionText, flags.communicationRestriction != nil else { return flags }
        var out = flags
        out.communicationRestriction = nil
        return out
    }

    /// Keeps only the allowed, non-empty fields of `customer`, masked as configured.
    public func apply(to customer: Customer) -> DebtorData {
        var out: [DebtorField: String] = [:]
        for field in allowed {
            let value: String?
            switch field {
            case .name: value = customer.name
            case .taxID: value = customer.taxID
            case .email: value = customer.email
            case .phone: value = customer.phone
            case .street: value = customer.street
            case .postalCode: value = customer.postalCode
            case .city: value = customer.city
            case .country: value = customer.country
            case .language: value = customer.language
            }
            guard let v = value, !v.isEmpty else { continue }
            out[field] = (masks[field] ?? .none).apply(v)
        }
        return DebtorData(fields: out)
    }
}

extension DataMinimisation {
    /// The allowed fields in ``DebtorField`` order, masked ones with their mask, separated by
    /// `+` (`name+tax_id:last4+email`): what the audit entry of a built batch records.
    public var fieldList: String {
        (DebtorField.allCases.filter(allowed.contains).map { field in
            if case .lastCharacters(let n)? = masks[field] { return "\(field.rawValue):last\(n)" }
            return field.rawValue
        } + (allowsRestrictionText ? ["communication_restriction"] : [])).joined(separator: "+")
    }
}
