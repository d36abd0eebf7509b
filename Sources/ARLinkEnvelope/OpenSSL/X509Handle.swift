internal import COpenSSL
import Foundation

/// Owns one OpenSSL `X509 *`, freed with `X509_free` in `deinit`.
final class X509Handle {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    /// Takes a new reference (`X509_up_ref`) to a certificate owned elsewhere.
    init(retaining pointer: OpaquePointer) {
        X509_up_ref(pointer)
        self.pointer = pointer
    }

    deinit { X509_free(pointer) }

    /// Parses a PEM or DER certificate.
    static func parse(_ bytes: [UInt8], origin: String) throws(EnvelopeError) -> X509Handle {
        OpenSSLErrorQueue.clear()
        let parsed: OpaquePointer? = bytes.withUnsafeBytes { raw -> OpaquePointer? in
            guard let base = raw.baseAddress, raw.count > 0 else { return nil }
            if PEMText.looksLikePEM(bytes) {
                guard let bio = BIO_new_mem_buf(base, Int32(raw.count)) else { return nil }
                defer { BIO_free(bio) }
                return PEM_read_bio_X509(bio, nil, nil, nil)
            }
            var cursor: UnsafePointer<UInt8>? = base.assumingMemoryBound(to: UInt8.self)
            return d2i_X509(nil, &cursor, raw.count)
        }
        guard let parsed else {
            throw EnvelopeError.fromOpenSSL(.badCertificate, "\(origin) is not a PEM or DER X.509 certificate")
        }
        return X509Handle(owning: parsed)
    }

    /// Loads a PEM or DER certificate file, refusing one that anybody could replace.
    /// - Throws: `.certificatePermissions` for a world-writable file, `.missingFile`, `.badCertificate`.
    static func load(path: String, what: String = "certificate") throws(EnvelopeError) -> X509Handle {
        try SmallFile.requireNotWorldWritable(path, what: what)
        return try parse(try SmallFile.read(path, what: what), origin: "\(what) \(path)")
    }

    /// The DER encoding.
    var der: [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_X509(pointer, &out)
        guard n > 0, let out else { return [] }
        defer { COpenSSL_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(n)))
    }

    /// Lowercase hex SHA-256 of the DER encoding.
    var sha256Fingerprint: String {
        var md = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        guard X509_digest(pointer, EVP_sha256(), &md, &len) == 1 else { return "" }
        return Hex.encode(md[0..<Int(len)])
    }

    /// The subject as an RFC 2253 string (`CN=…,O=…`).
    var subject: String { Self.nameText(X509_get_subject_name(pointer)) }
    /// The issuer as an RFC 2253 string.
    var issuer: String { Self.nameText(X509_get_issuer_name(pointer)) }

    /// The DER of the issuer name, as it appears in CMS IssuerAndSerialNumber.
    var issuerDER: [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_X509_NAME(X509_get_issuer_name(pointer), &out)
        guard n > 0, let out else { return [] }
        defer { COpenSSL_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(n)))
    }

    /// The DER of the serial number INTEGER (tag and length included).
    var serialDER: [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_ASN1_INTEGER(X509_get_serialNumber(pointer), &out)
        guard n > 0, let out else { return [] }
        defer { COpenSSL_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(n)))
    }

    /// The subject key identifier, if the certificate has one.
    var subjectKeyIdentifier: [UInt8]? {
        guard let skid = X509_get0_subject_key_id(pointer) else { return nil }
        guard let data = ASN1_STRING_get0_data(skid) else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(skid))))
    }

    /// Start of validity.
    var notBefore: Date { Self.date(X509_get0_notBefore(pointer)) }
    /// End of validity.
    var notAfter: Date { Self.date(X509_get0_notAfter(pointer)) }

    /// Key usages named as in RFC 5280, or nil when the certificate has no keyUsage extension.
    var keyUsage: KeyUsage? {
        let flags = X509_get_extension_flags(pointer)
        guard flags & UInt32(EXFLAG_KUSAGE) != 0 else { return nil }
        return KeyUsage(rawValue: X509_get_key_usage(pointer))
    }

    /// False when the certificate has an extended key usage that allows neither S/MIME signing
    /// (emailProtection) nor any purpose; no extended key usage at all allows every purpose.
    var allowsSigning: Bool {
        guard X509_get_extension_flags(pointer) & UInt32(EXFLAG_XKUSAGE) != 0 else { return true }
        return X509_get_extended_key_usage(pointer) & UInt32(XKU_SMIME | XKU_ANYEKU) != 0
    }

    /// The public key (a new reference), or nil.
    func publicKey() -> PKeyHandle? {
        guard let key = X509_get_pubkey(pointer) else { return nil }
        return PKeyHandle(owning: key)
    }

    static func nameText(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        let flags = COpenSSL_XN_FLAG_RFC2253_UTF8()
        guard X509_NAME_print_ex(bio, name, 0, flags) >= 0 else { return "" }
        var data: UnsafeMutablePointer<CChar>? = nil
        let len = COpenSSL_BIO_get_mem_data(bio, &data)
        guard len > 0, let data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: len), as: UTF8.self)
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        guard let time else { return Date(timeIntervalSince1970: 0) }
        var tm = tm()
        guard ASN1_TIME_to_tm(time, &tm) == 1 else { return Date(timeIntervalSince1970: 0) }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&tm)))
    }
}

/// RFC 5280 key usage bits as OpenSSL reports them (`KU_*`).
struct KeyUsage: OptionSet, Sendable {
    let rawValue: UInt32
    static let digitalSignature = KeyUsage(rawValue: UInt32(KU_DIGITAL_SIGNATURE))
    static let nonRepudiation = KeyUsage(rawValue: UInt32(KU_NON_REPUDIATION))
    static let keyEncipherment = KeyUsage(rawValue: UInt32(KU_KEY_ENCIPHERMENT))
    static let dataEncipherment = KeyUsage(rawValue: UInt32(KU_DATA_ENCIPHERMENT))
    static let keyAgreement = KeyUsage(rawValue: UInt32(KU_KEY_AGREEMENT))
    static let keyCertSign = KeyUsage(rawValue: UInt32(KU_KEY_CERT_SIGN))
    static let crlSign = KeyUsage(rawValue: UInt32(KU_CRL_SIGN))

    /// Names, in RFC 5280 order.
    var names: [String] {
        var result: [String] = []
        let all: [(KeyUsage, String)] = [
            (.digitalSignature, "digitalSignature"), (.nonRepudiation, "nonRepudiation"),
            (.keyEncipherment, "keyEncipherment"), (.dataEncipherment, "dataEncipherment"),
            (.keyAgreement, "keyAgreement"), (.keyCertSign, "keyCertSign"), (.crlSign, "cRLSign"),
        ]
        for (bit, name) in all where contains(bit) { result.append(name) }
        return result
    }
}
