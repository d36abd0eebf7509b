/// A weak way of handing over the content key that a partner's CMS stack may still use, which
/// arlink refuses unless the partner's configuration opts in (`legacy_key_transport`).
///
/// Each is refused by default for a reason: PKCS#1 v1.5 encryption is open to padding-oracle
/// attacks (Bleichenbacher) wherever a decryption error can be told apart from a success; SHA-1
/// is no longer collision resistant, which weakens OAEP and the ECDH key derivation only in
/// theory today but is outside every current profile. The content itself stays AES-256-GCM and
/// the signature rules do not change.
public enum LegacyKeyTransport: String, CaseIterable, Sendable, Hashable {
    /// RSA key transport with PKCS#1 v1.5 padding (the `openssl cms` CLI's default for RSA).
    case rsaPKCS1v15 = "rsa_pkcs1v15"
    /// RSA-OAEP with SHA-1 (and MGF1 with SHA-1), OAEP's RFC 4055 default.
    case rsaOAEPSHA1 = "rsa_oaep_sha1"
    /// ECDH with the SHA-1 key derivation (the `openssl cms` CLI's default for EC recipients).
    case ecdhSHA1KDF = "ecdh_sha1_kdf"

    /// The configuration values, for error messages and the schema.
    public static var names: [String] { allCases.map(\.rawValue) }
}
