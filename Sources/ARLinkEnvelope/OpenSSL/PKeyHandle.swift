internal import COpenSSL

/// Owns one OpenSSL `EVP_PKEY *`, freed with `EVP_PKEY_free` in `deinit`.
final class PKeyHandle {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// The kind of key, for algorithm choices and allowlists.
    enum Kind: Equatable {
        case rsa(bits: Int)
        case ecP256
        case ec(curve: String)
        case other(String)
    }

    /// The key's algorithm and size.
    var kind: Kind {
        let bits = Int(EVP_PKEY_get_bits(pointer))
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_RSA, EVP_PKEY_RSA_PSS:
            return .rsa(bits: bits)
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 80)
            var len = 0
            if EVP_PKEY_get_group_name(pointer, &name, name.count, &len) == 1 {
                let curve = String(decoding: name.prefix(len).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if curve == "prime256v1" || curve == "P-256" { return .ecP256 }
                return .ec(curve: curve)
            }
            return .ec(curve: "unknown")
        case EVP_PKEY_ED25519: return .other("Ed25519")
        default: return .other("key type \(EVP_PKEY_get_base_id(pointer))")
        }
    }

    /// A short description such as `RSA-3072` or `EC P-256`.
    var description: String {
        switch kind {
        case .rsa(let bits): "RSA-\(bits)"
        case .ecP256: "EC P-256"
        case .ec(let curve): "EC \(curve)"
        case .other(let name): name
        }
    }
}
