internal import COpenSSL

/// Owns one `CMS_ContentInfo *`, freed with `CMS_ContentInfo_free` in `deinit`.
final class CMSHandle {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { CMS_ContentInfo_free(pointer) }

    /// Parses BER/DER bytes (`d2i_CMS_ContentInfo`).
    static func parse(_ bytes: [UInt8], what: String) throws -> CMSHandle {
        OpenSSLErrorQueue.clear()
        let parsed: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_CMS_ContentInfo(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw EnvelopeError.fromOpenSSL(.malformed, "\(what) is not a valid CMS structure") }
        return CMSHandle(owning: parsed)
    }
}

/// Owns one `BIO *` (a single BIO, not a chain), freed with `BIO_free` in `deinit`.
final class BIOHandle {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { BIO_free(pointer) }

    /// A new empty memory BIO.
    static func memory() throws -> BIOHandle {
        guard let bio = BIO_new(BIO_s_mem()) else { throw EnvelopeError.fromOpenSSL(.openssl, "BIO_new(BIO_s_mem) failed") }
        return BIOHandle(owning: bio)
    }

    /// A BIO reading (not owning) the file descriptor `fd` from its current position.
    static func readingFD(_ fd: Int32) throws -> BIOHandle {
        guard let bio = BIO_new_fd(fd, BIO_NOCLOSE) else { throw EnvelopeError.fromOpenSSL(.openssl, "BIO_new_fd failed") }
        return BIOHandle(owning: bio)
    }
}

/// Owns a `STACK_OF(X509)` holding its own references, freed with `sk_X509_pop_free`.
final class X509StackHandle {
    let pointer: OpaquePointer

    init(_ certificates: [X509Handle]) throws {
        guard let stack = COpenSSL_sk_X509_new_null() else { throw EnvelopeError.fromOpenSSL(.openssl, "sk_X509_new_null failed") }
        pointer = stack
        for cert in certificates {
            X509_up_ref(cert.pointer)
            if COpenSSL_sk_X509_push(stack, cert.pointer) <= 0 {
                X509_free(cert.pointer)
                throw EnvelopeError.fromOpenSSL(.openssl, "sk_X509_push failed")
            }
        }
    }

    deinit { COpenSSL_sk_X509_pop_free(pointer) }
}
