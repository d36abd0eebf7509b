public import ARLinkCore

/// The legal basis on which a partner receives debtors' personal data (`transfer_basis`).
///
/// A placement with a partner in another country is a cross-border transfer (UU PDP Art. 56,
/// APP 8, GDPR Chapter V): it needs a destination that protects data at least as well
/// (`adequacy`), binding safeguards in a signed agreement (`contract`), or each debtor's consent
/// (`consent`). `same_country` is for a partner in our own country.
public enum TransferBasis: String, Sendable, Hashable, CaseIterable {
    case sameCountry = "same_country"
    case adequacy
    case contract
    case consent
}

/// The signed agreement with a partner (data-processing agreement, standard contractual
/// clauses): a reference, the SHA-256 of the signed document, and its validity.
public struct AgreementSettings: Sendable, Hashable {
    /// The agreement's reference (`DPA-2026-017`): letters, digits and `. _ / -`, at most 64.
    public var reference: String
    /// SHA-256 of the signed document, 64 lowercase hex digits.
    public var sha256: String
    /// The signed document, when configured; its SHA-256 was checked at load.
    public var documentPath: String?
    /// First day the agreement applies.
    public var validFrom: LocalDate
    /// Last day the agreement applies.
    public var validUntil: LocalDate
}

/// The data-protection impact assessment that covers a partner's scoring (UU PDP Art. 34).
public struct DPIASettings: Sendable, Hashable {
    /// The assessment's id (`DPIA-2026-004`).
    public var id: String
    /// The day it was approved.
    public var date: LocalDate
}

/// Where a partner is and on what basis it receives personal data.
public struct PartnerPrivacy: Sendable, Hashable {
    /// The partner's country (ISO 3166-1 alpha-2, upper case).
    public var country: String
    /// The configured basis; nil when none was configured (only a same-country partner may then receive).
    public var transferBasis: TransferBasis?
    public var agreement: AgreementSettings?
    /// Without it, the partner's risk events (scores, segments) are rejected.
    public var dpia: DPIASettings?
}

/// Whether a partner may receive personal data today: a value, not an error.
public enum TransferDecision: Sendable, Hashable {
    case allowed(TransferBasis)
    /// `code` is a stable reason (`no_transfer_basis`, `agreement_expired`, ...); `message` names
    /// the keys and the fix.
    case refused(code: String, message: String)
}

extension PartnerSettings {
    /// Decides whether this partner may receive debtors' personal data on `day`, with our
    /// company in `companyCountry`.
    ///
    /// Refused: a partner in another country with no basis or with `same_country`
    /// (`no_transfer_basis`); an agreement not yet valid (`agreement_not_yet_valid`) or expired
    /// (`agreement_expired`), whatever the basis.
    public func transferDecision(companyCountry: String, on day: LocalDate) -> TransferDecision {
        let pid = id.rawValue
        let crossBorder = privacy.country != companyCountry
        let basis = privacy.transferBasis ?? (crossBorder ? nil : .sameCountry)
        guard let basis, !(crossBorder && basis == .sameCountry) else {
            return .refused(code: "no_transfer_basis", message: "partner \(pid) is in \(privacy.country) and we are in \(companyCountry): a cross-border transfer needs partners[].transfer_basis adequacy, contract (with the signed agreement) or consent; nothing is sent to it")
        }
        if let agreement = privacy.agreement {
            if day < agreement.validFrom {
                return .refused(code: "agreement_not_yet_valid", message: "partner \(pid): agreement \(agreement.reference) applies from \(agreement.validFrom.iso) (partners[].agreement.valid_from); nothing is sent to it before then")
            }
            if day > agreement.validUntil {
                return .refused(code: "agreement_expired", message: "partner \(pid): agreement \(agreement.reference) expired on \(agreement.validUntil.iso) (partners[].agreement.valid_until); nothing is sent to it until a renewed agreement is configured (reference, sha256, valid_from, valid_until)")
            }
        }
        return .allowed(basis)
    }

    /// What the audit entry of a delivery records about the transfer (no personal data).
    public func transferAuditDetail(companyCountry: String) -> [String: String] {
        var detail = ["partner_country": privacy.country, "company_country": companyCountry,
                      "transfer_basis": (privacy.transferBasis ?? .sameCountry).rawValue]
        if let agreement = privacy.agreement {
            detail["agreement_ref"] = agreement.reference
            detail["agreement_sha256"] = agreement.sha256
        }
        return detail
    }
}
