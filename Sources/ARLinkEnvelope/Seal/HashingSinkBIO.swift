internal import COpenSSL

/// A custom OpenSSL sink BIO (`BIO_meth_new`) that hashes every byte written (SHA-256 of the
/// sealed envelope) and passes it to an ``AtomicOutput``, so the envelope is digested while it
/// is written instead of being read back.
final class HashingSinkBIO {
    let output: AtomicOutput
    let hasher: SHA256Stream
    /// The first error a write met; OpenSSL only sees -1.
    private(set) var failure: (any Error)?
    private let method: OpaquePointer
    /// The BIO; freed with the method in `deinit` (the caller pops it from chains first).
    let bio: OpaquePointer

    init(output: AtomicOutput) throws {
        self.output = output
        hasher = try SHA256Stream()
        guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "arlink hashing sink") else {
            throw EnvelopeError.fromOpenSSL(.openssl, "BIO_meth_new failed")
        }
        self.method = method
        BIO_meth_set_write(method) { bio, data, length in
            guard let bio, let raw = BIO_get_data(bio) else { return -1 }
            let sink = Unmanaged<HashingSinkBIO>.fromOpaque(raw).takeUnretainedValue()
            guard length >= 0 else { return -1 }
            guard length > 0, let data else { return 0 }
            return sink.write(UnsafeRawBufferPointer(start: data, count: Int(length))) ? length : -1
        }
        BIO_meth_set_ctrl(method) { _, command, _, _ in
            command == BIO_CTRL_FLUSH ? 1 : 0
        }
        guard let bio = BIO_new(method) else {
            BIO_meth_free(method)
            throw EnvelopeError.fromOpenSSL(.openssl, "BIO_new for the sink failed")
        }
        self.bio = bio
        BIO_set_data(bio, Unmanaged.passUnretained(self).toOpaque())
        BIO_set_init(bio, 1)
    }

    deinit {
        BIO_free(bio)
        BIO_meth_free(method)
    }

    private func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if failure != nil { return false }
        hasher.update(bytes)
        do { try output.write(bytes) } catch {
            failure = error
            return false
        }
        return true
    }
}
