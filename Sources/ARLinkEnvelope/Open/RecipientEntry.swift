/// One RecipientInfo of an envelope, read in Swift from the skeleton (no keys needed).
struct RecipientEntry {
    enum Identifier: Equatable {
        case issuerAndSerial(issuer: [UInt8], serial: [UInt8])
        case subjectKeyIdentifier([UInt8])
    }

    enum Kind: String {
        case keyTransport = "key transport"
        case keyAgreement = "key agreement"
        case other = "other"
    }

    let kind: Kind
    /// The recipients this entry addresses (one for key transport, one or more for key agreement).
    let identifiers: [Identifier]
    /// keyEncryptionAlgorithm OID.
    let algorithm: String
    /// keyEncryptionAlgorithm parameters node, if any.
    let parameters: BERNode?

    /// Parses the `recipientInfos` SET.
    static func parseAll(_ recipientInfos: [UInt8]) throws -> [RecipientEntry] {
        let set = try BERNode.parse(recipientInfos)
        guard set.header.isUniversal(BERHeader.Universal.set, constructed: true) else {
            throw EnvelopeError(.malformed, "recipientInfos is not a SET")
        }
        return try set.children.map(parse)
    }

    private static func parse(_ node: BERNode) throws -> RecipientEntry {
        if node.header.isUniversal(BERHeader.Universal.sequence, constructed: true) {
            guard node.children.count >= 4 else { throw EnvelopeError(.malformed, "a KeyTransRecipientInfo is incomplete") }
            let rid = try identifier(node.children[1])
            let alg = node.children[2]
            guard let oid = alg.algorithmOID else { throw EnvelopeError(.malformed, "a KeyTransRecipientInfo has no algorithm") }
            return RecipientEntry(kind: .keyTransport, identifiers: [rid], algorithm: oid, parameters: alg.children.dropFirst().first)
        }
        if node.header.isContext(1) && node.header.constructed {
            let sequences = node.children.filter { $0.header.isUniversal(BERHeader.Universal.sequence, constructed: true) }
            guard sequences.count >= 2, let oid = sequences[0].algorithmOID else {
                throw EnvelopeError(.malformed, "a KeyAgreeRecipientInfo is incomplete")
            }
            var ids: [Identifier] = []
            for rek in sequences[1].children {
                guard let rid = rek.children.first else { throw EnvelopeError(.malformed, "a RecipientEncryptedKey is empty") }
                if rid.header.isContext(0) && rid.header.constructed {
                    guard let ski = rid.children.first, ski.header.tagNumber == BERHeader.Universal.octetString else {
                        throw EnvelopeError(.malformed, "a RecipientKeyIdentifier is incomplete")
                    }
                    ids.append(.subjectKeyIdentifier(Array(ski.contents)))
                } else {
                    ids.append(try identifier(rid))
                }
            }
            return RecipientEntry(kind: .keyAgreement, identifiers: ids, algorithm: oid, parameters: sequences[0].children.dropFirst().first)
        }
        return RecipientEntry(kind: .other, identifiers: [], algorithm: "", parameters: nil)
    }

    private static func identifier(_ node: BERNode) throws -> Identifier {
        if node.header.isUniversal(BERHeader.Universal.sequence, constructed: true), node.children.count == 2 {
            return .issuerAndSerial(issuer: Array(node.children[0].encoding), serial: Array(node.children[1].encoding))
        }
        if node.header.isContext(0) && !node.header.constructed {
            return .subjectKeyIdentifier(Array(node.contents))
        }
        throw EnvelopeError(.malformed, "a recipient identifier is neither issuer-and-serial nor a key identifier")
    }

    /// Whether this entry addresses `cert`.
    func addresses(_ cert: X509Handle) -> Bool {
        let issuer = cert.issuerDER
        let serial = cert.serialDER
        let skid = cert.subjectKeyIdentifier
        return identifiers.contains { id in
            switch id {
            case .issuerAndSerial(let i, let s): i == issuer && s == serial
            case .subjectKeyIdentifier(let k): k == skid
            }
        }
    }

    /// Readable algorithm with its hash, e.g. `rsaes-oaep (sha256, mgf1-sha256)`.
    var algorithmDescription: String {
        switch algorithm {
        case OID.rsaesOAEP:
            let (hash, mgf) = oaepHashes
            return "rsaes-oaep (\(OID.name(hash)), mgf1-\(OID.name(mgf)))"
        default:
            if let wrap = parameters?.algorithmOID { return "\(OID.name(algorithm)) with \(OID.name(wrap))" }
            return OID.name(algorithm)
        }
    }

    /// The OAEP hash and MGF1 hash (RFC 4055 defaults: SHA-1).
    var oaepHashes: (String, String) {
        var hash = OID.sha1
        var mgf = OID.sha1
        for child in parameters?.children ?? [] {
            if child.header.isContext(0), let oid = child.children.first?.algorithmOID { hash = oid }
            if child.header.isContext(1), let mgfAlg = child.children.first, mgfAlg.algorithmOID == OID.mgf1,
                let inner = mgfAlg.children.dropFirst().first?.algorithmOID
            {
                mgf = inner
            }
        }
        return (hash, mgf)
    }
}
