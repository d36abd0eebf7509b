import ARLinkSystem
import ARLinkCore
import Foundation

extension ArlinkConfiguration {
    /// A country code: two upper-case letters (ISO 3166-1 alpha-2).
    static func parseCountry(_ node: inout ConfigNode, _ key: String, hint: String) throws -> String {
        let text = try node.string(key, hint: hint)
        guard text.count == 2, text.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
            throw ConfigError(.invalidValue, "\(node.keyPath(key)): \"\(text.prefix(10))\" is not a country code (expected two upper-case letters, ISO 3166-1, e.g. ID, AU, DE)")
        }
        return text
    }

    /// A reference or id written into the audit log: 1-64 of `A-Z a-z 0-9 . _ / -`.
    static func parseReference(_ node: inout ConfigNode, _ key: String, hint: String) throws -> String {
        let text = try node.string(key, hint: hint)
        let ok = (1...64).contains(text.utf8.count) && text.utf8.allSatisfy {
            ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 95 || $0 == 47 || $0 == 45
        }
        guard ok else {
            throw ConfigError(.invalidValue, "\(node.keyPath(key)): expected 1-64 letters, digits or . _ / - (a reference such as DPA-2026-017, no spaces)")
        }
        return text
    }

    static func parseDate(_ node: inout ConfigNode, _ key: String) throws -> LocalDate {
        let text = try node.string(key, hint: "a date, YYYY-MM-DD")
        guard let date = LocalDate(iso: text) else {
            throw ConfigError(.invalidValue, "\(node.keyPath(key)): \"\(text.prefix(20))\" is not a date (expected YYYY-MM-DD)")
        }
        return date
    }

    /// `country`, `transfer_basis`, `agreement` and `dpia` of one partner.
    static func parsePartnerPrivacy(_ node: inout ConfigNode) throws -> PartnerPrivacy {
        let country = try parseCountry(&node, "country", hint: "the partner's country, ISO 3166-1 alpha-2, e.g. AU")
        var basis: TransferBasis?
        if let text = try node.optionalString("transfer_basis") {
            guard let value = TransferBasis(rawValue: text) else {
                let known = TransferBasis.allCases.map(\.rawValue)
                let near = known.min { ConfigNode.distance($0, text) < ConfigNode.distance($1, text) }
                let hint = near.map { ConfigNode.distance($0, text) <= 3 ? "did you mean \($0)? " : "" } ?? ""
                throw ConfigError(.invalidValue, "\(node.keyPath("transfer_basis")): \"\(text.prefix(20))\" is not a transfer basis; \(hint)expected one of \(known.joined(separator: ", "))")
            }
            basis = value
        }
        var agreement: AgreementSettings?
        if var a = try node.optionalChild("agreement") {
            let reference = try parseReference(&a, "reference", hint: "the signed agreement's reference, e.g. DPA-2026-017")
            let sha = try a.string("sha256", hint: "the SHA-256 of the signed agreement document: sha256sum FILE").lowercased()
            guard sha.utf8.count == 64, sha.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
                throw ConfigError(.invalidValue, "\(a.keyPath("sha256")): expected 64 hex digits, the SHA-256 of the signed document (sha256sum FILE)")
            }
            let document = try a.optionalPath("document", mustExist: true)
            if let document {
                guard let data = FileManager.default.contents(atPath: document) else {
                    throw ConfigError(.missingFile, "\(a.keyPath("document")): cannot read \(document)")
                }
                let actual = SHA256.hex(SHA256.hash([UInt8](data)))
                guard actual == sha else {
                    throw ConfigError(.invalidValue, "\(a.keyPath("sha256")): the document \(document) has SHA-256 \(actual), not the configured one: the document changed or the wrong file is named")
                }
            }
            let from = try parseDate(&a, "valid_from")
            let until = try parseDate(&a, "valid_until")
            guard from <= until else {
                throw ConfigError(.invalidValue, "\(a.keyPath("valid_until")): \(until.iso) is before valid_from \(from.iso)")
            }
            try a.finish()
            agreement = AgreementSettings(reference: reference, sha256: sha, documentPath: document, validFrom: from, validUntil: until)
        }
        if basis == .contract && agreement == nil {
            throw ConfigError(.missingKey, "\(node.keyPath("agreement")): transfer_basis contract needs the signed agreement (reference, sha256, valid_from, valid_until)")
        }
        var dpia: DPIASettings?
        if var d = try node.optionalChild("dpia") {
            dpia = DPIASettings(id: try parseReference(&d, "id", hint: "the DPIA's id, e.g. DPIA-2026-004"), date: try parseDate(&d, "date"))
            try d.finish()
        }
        return PartnerPrivacy(country: country, transferBasis: basis, agreement: agreement, dpia: dpia)
    }
}
