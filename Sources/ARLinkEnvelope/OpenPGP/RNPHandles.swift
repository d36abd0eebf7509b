internal import CRNP
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// librnp result codes used by the OpenPGP profile (`rnp_err.h`; an anonymous C enum that
/// Swift imports as `Int`).
enum RNPResult {
    static let success = UInt32(RNP_SUCCESS)
    static let badFormat = UInt32(RNP_ERROR_BAD_FORMAT)
    static let notSupported = UInt32(RNP_ERROR_NOT_SUPPORTED)
    static let read = UInt32(RNP_ERROR_READ)
    static let write = UInt32(RNP_ERROR_WRITE)
    static let macInvalid = UInt32(RNP_ERROR_MAC_INVALID)
    static let signatureInvalid = UInt32(RNP_ERROR_SIGNATURE_INVALID)
    static let badPassword = UInt32(RNP_ERROR_BAD_PASSWORD)
    static let keyNotFound = UInt32(RNP_ERROR_KEY_NOT_FOUND)
    static let noSuitableKey = UInt32(RNP_ERROR_NO_SUITABLE_KEY)
    static let decryptFailed = UInt32(RNP_ERROR_DECRYPT_FAILED)
    static let noSignaturesFound = UInt32(RNP_ERROR_NO_SIGNATURES_FOUND)
    static let signatureExpired = UInt32(RNP_ERROR_SIGNATURE_EXPIRED)
    static let notEnoughData = UInt32(RNP_ERROR_NOT_ENOUGH_DATA)
    static let eof = UInt32(RNP_ERROR_EOF)

    /// A short name for messages (`0x12000001`-style codes mean nothing to an operator).
    static func name(_ code: UInt32) -> String {
        switch code {
        case success: "success"
        case badFormat: "bad format"
        case notSupported: "not supported"
        case read: "read error"
        case write: "write error"
        case macInvalid: "integrity check (MDC) failed"
        case signatureInvalid: "signature invalid"
        case badPassword: "wrong passphrase"
        case keyNotFound: "key not found"
        case noSuitableKey: "no suitable key"
        case decryptFailed: "decryption failed"
        case noSignaturesFound: "no signatures found"
        case signatureExpired: "signature expired"
        case notEnoughData: "not enough data"
        case eof: "end of data"
        default: "librnp error 0x" + String(code, radix: 16)
        }
    }
}

/// Takes a string librnp allocated (`char **` out-parameters), copies it and frees it with
/// `rnp_buffer_destroy`.
func rnpTakeString(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    defer { rnp_buffer_destroy(pointer) }
    return String(cString: pointer)
}

/// Calls a librnp getter that returns an allocated string.
func rnpString(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> UInt32) -> String? {
    var raw: UnsafeMutablePointer<CChar>? = nil
    let rc = body(&raw)
    let value = rnpTakeString(raw)
    return rc == RNPResult.success ? value : nil
}

/// An `rnp_ffi_t`: one key store and the operations on it; destroyed with `rnp_ffi_destroy`.
///
/// Each seal or open makes its own, holding only the keys that operation may use. The optional
/// passphrase is kept in a NUL-terminated buffer that is wiped on deinit and handed to librnp
/// through `rnp_ffi_set_pass_provider`.
final class RNPFFI {
    let pointer: OpaquePointer
    private var passphrase: [CChar]?

    init() throws(EnvelopeError) {
        var ffi: OpaquePointer? = nil
        let rc = rnp_ffi_create(&ffi, "GPG", "GPG")
        guard rc == RNPResult.success, let ffi else {
            throw EnvelopeError(.openssl, "rnp_ffi_create failed: \(RNPResult.name(rc))")
        }
        pointer = ffi
    }

    deinit {
        rnp_ffi_destroy(pointer)
        if passphrase != nil {
            for i in passphrase!.indices { passphrase![i] = 0 }
        }
    }

    /// Supplies `secret` (NUL-terminated) to librnp whenever a secret key must be unlocked.
    func setPassphrase(_ secret: [CChar]) {
        passphrase = secret
        let context = Unmanaged.passUnretained(self).toOpaque()
        rnp_ffi_set_pass_provider(pointer, rnpPassProvider, context)
    }

    /// Copies the passphrase into librnp's buffer (called from `rnpPassProvider`).
    fileprivate func providePassphrase(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Bool {
        guard let passphrase, passphrase.count <= capacity else { return false }
        passphrase.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: passphrase.count) }
        return true
    }

    /// Sets the time librnp evaluates key validity and signatures at (`rnp_set_timestamp`).
    func setTime(_ seconds: UInt64) {
        rnp_set_timestamp(pointer, seconds)
    }

    /// Imports every key of an OpenPGP key file (armoured or binary) with `rnp_import_keys`.
    /// - Parameter secret: also keep secret key material.
    /// - Returns: the fingerprints (upper-case hex) of the keys and subkeys the file held.
    func importKeys(path: String, secret: Bool, what: String) throws(EnvelopeError) -> [String] {
        let input = try RNPInput(path: path, what: what)
        var flags = UInt32(RNP_LOAD_SAVE_PUBLIC_KEYS)
        if secret { flags |= UInt32(RNP_LOAD_SAVE_SECRET_KEYS) }
        var results: UnsafeMutablePointer<CChar>? = nil
        let rc = rnp_import_keys(pointer, input.pointer, flags, &results)
        let json = rnpTakeString(results) ?? ""
        guard rc == RNPResult.success else {
            throw EnvelopeError(.badKey, "\(what) \(path) is not an OpenPGP key file (\(RNPResult.name(rc)))")
        }
        return RNPFFI.fingerprints(inImportResult: json)
    }

    /// Pulls `"fingerprint":"…"` values out of `rnp_import_keys`' JSON result.
    static func fingerprints(inImportResult json: String) -> [String] {
        var found: [String] = []
        var rest = Substring(json)
        let marker = "\"fingerprint\":\""
        while let start = rest.range(of: marker) {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            found.append(String(rest[..<end]).uppercased())
            rest = rest[end...]
        }
        return found
    }

    /// Finds a key by fingerprint (`rnp_locate_key`).
    func key(fingerprint: String) -> RNPKey? {
        var handle: OpaquePointer? = nil
        guard rnp_locate_key(pointer, "fingerprint", fingerprint, &handle) == RNPResult.success, let handle else { return nil }
        return RNPKey(owning: handle, in: self)
    }
}

/// librnp's password callback: hands over the passphrase of the ``RNPFFI`` in `context`.
private func rnpPassProvider(
    _ ffi: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ key: OpaquePointer?, _ purpose: UnsafePointer<CChar>?,
    _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int
) -> Bool {
    guard let context, let buffer else { return false }
    return Unmanaged<RNPFFI>.fromOpaque(context).takeUnretainedValue().providePassphrase(into: buffer, capacity: length)
}

/// An `rnp_key_handle_t`, destroyed with `rnp_key_handle_destroy`; keeps its ``RNPFFI`` (whose
/// key store it points into) alive.
final class RNPKey {
    let pointer: OpaquePointer
    private let ffi: RNPFFI

    init(owning pointer: OpaquePointer, in ffi: RNPFFI) {
        self.pointer = pointer
        self.ffi = ffi
    }
    deinit { rnp_key_handle_destroy(pointer) }

    /// Upper-case hex fingerprint of this key.
    var fingerprint: String { rnpString { rnp_key_get_fprint(pointer, $0) } ?? "" }

    /// Upper-case hex key id of this key.
    var keyID: String { rnpString { rnp_key_get_keyid(pointer, $0) } ?? "" }

    /// The fingerprint of the primary key (this key's own when it is primary).
    var primaryFingerprint: String {
        if isPrimary { return fingerprint }
        return rnpString { rnp_key_get_primary_fprint(pointer, $0) } ?? ""
    }

    var isPrimary: Bool { flag { rnp_key_is_primary(pointer, $0) } }
    var isRevoked: Bool { flag { rnp_key_is_revoked(pointer, $0) } }
    var isExpired: Bool { flag { rnp_key_is_expired(pointer, $0) } }
    var isValid: Bool { flag { rnp_key_is_valid(pointer, $0) } }
    var hasSecret: Bool { flag { rnp_key_have_secret(pointer, $0) } }
    /// Whether the secret key material is protected by a passphrase.
    var isProtected: Bool { flag { rnp_key_is_protected(pointer, $0) } }

    /// Tries `secret` (NUL-terminated) on the key (`rnp_key_unlock`), then locks it again.
    func unlock(_ secret: [CChar]) -> Bool {
        let ok = secret.withUnsafeBufferPointer { rnp_key_unlock(pointer, $0.baseAddress) } == RNPResult.success
        if ok { rnp_key_lock(pointer) }
        return ok
    }

    /// Whether the key may be used for `usage` (`sign`, `certify`, `encrypt`, `authenticate`).
    func allows(_ usage: String) -> Bool { flag { rnp_key_allows_usage(pointer, usage, $0) } }

    /// The public-key algorithm (`RSA`, `EDDSA`, `ECDH`, `ECDSA`, `DSA`, `ELGAMAL`, ...).
    var algorithm: String { rnpString { rnp_key_get_alg(pointer, $0) } ?? "unknown" }

    /// The key size in bits.
    var bits: Int {
        var bits: UInt32 = 0
        return rnp_key_get_bits(pointer, &bits) == RNPResult.success ? Int(bits) : 0
    }

    /// The primary user id, for messages (may be empty).
    var userID: String { rnpString { rnp_key_get_primary_uid(pointer, $0) } ?? "" }

    /// The creation time in seconds since 1970.
    var creation: UInt32 {
        var created: UInt32 = 0
        return rnp_key_get_creation(pointer, &created) == RNPResult.success ? created : 0
    }

    /// The expiry time in seconds since 1970, or nil when the key does not expire.
    var validUntil: UInt64? {
        var till: UInt64 = 0
        guard rnp_key_valid_till64(pointer, &till) == RNPResult.success, till != UInt64.max else { return nil }
        return till
    }

    /// The subkeys of this primary key.
    var subkeys: [RNPKey] {
        var count = 0
        guard rnp_key_get_subkey_count(pointer, &count) == RNPResult.success else { return [] }
        return (0..<count).compactMap { i in
            var handle: OpaquePointer? = nil
            guard rnp_key_get_subkey_at(pointer, i, &handle) == RNPResult.success, let handle else { return nil }
            return RNPKey(owning: handle, in: ffi)
        }
    }

    private func flag(_ body: (UnsafeMutablePointer<Bool>) -> UInt32) -> Bool {
        var value = false
        return body(&value) == RNPResult.success && value
    }
}

/// An `rnp_input_t`, destroyed with `rnp_input_destroy`. Either a path or a ``RNPSource``
/// read through `rnp_input_from_callback`; the source is kept alive as long as the input.
final class RNPInput {
    let pointer: OpaquePointer
    private let source: RNPSource?

    /// Reads a (small) key file.
    init(path: String, what: String) throws(EnvelopeError) {
        var input: OpaquePointer? = nil
        guard access(path, R_OK) == 0 else {
            throw EnvelopeError(.missingFile, "\(what) \(path) cannot be read: \(errnoText()) (check the path)")
        }
        guard rnp_input_from_path(&input, path) == RNPResult.success, let input else {
            throw EnvelopeError(.missingFile, "\(what) \(path) cannot be opened")
        }
        pointer = input
        source = nil
    }

    /// Reads from `source` through callbacks.
    init(source: RNPSource) throws(EnvelopeError) {
        var input: OpaquePointer? = nil
        let context = Unmanaged.passUnretained(source).toOpaque()
        guard rnp_input_from_callback(&input, rnpRead, nil, context) == RNPResult.success, let input else {
            throw EnvelopeError(.openssl, "rnp_input_from_callback failed")
        }
        pointer = input
        self.source = source
    }

    deinit { rnp_input_destroy(pointer) }
}

/// An `rnp_output_t` writing to a ``RNPSink`` through `rnp_output_to_callback`; destroyed with
/// `rnp_output_destroy`. The sink is kept alive as long as the output.
final class RNPOutput {
    let pointer: OpaquePointer
    private let sink: RNPSink

    init(sink: RNPSink) throws(EnvelopeError) {
        var output: OpaquePointer? = nil
        let context = Unmanaged.passUnretained(sink).toOpaque()
        guard rnp_output_to_callback(&output, rnpWrite, nil, context) == RNPResult.success, let output else {
            throw EnvelopeError(.openssl, "rnp_output_to_callback failed")
        }
        pointer = output
        self.sink = sink
    }

    deinit { rnp_output_destroy(pointer) }
}

/// A file descriptor read for librnp in 1 MiB blocks, each hashed on a second thread
/// (``PipelinedDigest``) while librnp works on the one before; counts what it hands over.
final class RNPSource {
    static let blockSize = 1 << 20
    let fd: Int32
    private let digest: PipelinedDigest
    private let block: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var position = 0
    private(set) var bytesRead: Int64 = 0
    private(set) var failed = false

    init(fd: Int32) throws {
        self.fd = fd
        digest = try PipelinedDigest(bufferSize: RNPSource.blockSize)
        block = UnsafeMutableRawBufferPointer.allocate(byteCount: RNPSource.blockSize, alignment: 16)
    }

    deinit {
        block.initializeMemory(as: UInt8.self, repeating: 0)
        block.deallocate()
    }

    /// Lowercase hex SHA-256 of everything read.
    func finishDigest() -> String { Hex.encode(digest.finishBytes()) }

    fileprivate func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int? {
        if position == filled {
            guard refill() else { return nil }
            if filled == 0 { return 0 }
        }
        let n = min(count, filled - position)
        buffer.copyMemory(from: block.baseAddress! + position, byteCount: n)
        position += n
        return n
    }

    /// Reads the next block (short only at the end of the file) and queues its hashing.
    private func refill() -> Bool {
        filled = 0
        position = 0
        while filled < block.count {
            let n = Glibc.read(fd, block.baseAddress! + filled, block.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                failed = true
                return false
            }
            if n == 0 { break }
            filled += n
        }
        digest.update(UnsafeRawBufferPointer(rebasing: block[0..<filled]))
        bytesRead += Int64(filled)
        return true
    }
}

/// Where librnp's output goes: collected into 1 MiB blocks, each hashed on a second thread
/// (``PipelinedDigest``) and written to an ``AtomicOutput``; with a cap on the number of
/// bytes, so that a compression bomb stops at the cap instead of filling the disk.
final class RNPSink {
    let destination: AtomicOutput
    let limit: Int64
    private let digest: PipelinedDigest
    private let block: UnsafeMutableRawBufferPointer
    private var used = 0
    private(set) var bytesWritten: Int64 = 0
    private var bytesFlushed: Int64 = 0
    /// Called with the bytes written out so far, after each block (progress on a terminal).
    var progress: ((Int64) -> Void)?
    private(set) var overLimit = false
    private(set) var writeError: EnvelopeError?

    init(destination: AtomicOutput, limit: Int64 = .max) throws {
        self.destination = destination
        self.limit = limit
        digest = try PipelinedDigest(bufferSize: RNPSource.blockSize)
        block = UnsafeMutableRawBufferPointer.allocate(byteCount: RNPSource.blockSize, alignment: 16)
    }

    deinit {
        block.initializeMemory(as: UInt8.self, repeating: 0)
        block.deallocate()
    }

    /// Writes out the last partial block; call once librnp is done, before reading the digest.
    func finish() throws(EnvelopeError) {
        if let writeError { throw writeError }
        guard flush() else { throw writeError ?? EnvelopeError(.io, "writing \(destination.finalPath) failed") }
    }

    /// Lowercase hex SHA-256 of everything written (after ``finish()``).
    func finishDigest() -> String { Hex.encode(digest.finishBytes()) }

    fileprivate func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if bytesWritten + Int64(bytes.count) > limit {
            overLimit = true
            return false
        }
        var rest = bytes
        while !rest.isEmpty {
            let n = min(rest.count, block.count - used)
            (block.baseAddress! + used).copyMemory(from: rest.baseAddress!, byteCount: n)
            used += n
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            if used == block.count && !flush() { return false }
        }
        bytesWritten += Int64(bytes.count)
        return true
    }

    private func flush() -> Bool {
        guard used > 0 else { return true }
        let full = UnsafeRawBufferPointer(rebasing: block[0..<used])
        digest.update(full)
        do {
            try destination.write(full)
        } catch let error as EnvelopeError {
            writeError = error
            return false
        } catch {
            writeError = EnvelopeError(.io, "\(error)")
            return false
        }
        bytesFlushed += Int64(used)
        used = 0
        progress?(bytesFlushed)
        return true
    }
}

/// `rnp_input_reader_t` over an ``RNPSource``.
private func rnpRead(
    _ context: UnsafeMutableRawPointer?, _ buffer: UnsafeMutableRawPointer?, _ length: Int, _ read: UnsafeMutablePointer<Int>?
) -> Bool {
    guard let context, let buffer, let read else { return false }
    let source = Unmanaged<RNPSource>.fromOpaque(context).takeUnretainedValue()
    guard let n = source.read(into: buffer, count: length) else { return false }
    read.pointee = n
    return true
}

/// `rnp_output_writer_t` over an ``RNPSink``.
private func rnpWrite(_ context: UnsafeMutableRawPointer?, _ buffer: UnsafeRawPointer?, _ length: Int) -> Bool {
    guard let context else { return false }
    if length == 0 { return true }
    guard let buffer else { return false }
    return Unmanaged<RNPSink>.fromOpaque(context).takeUnretainedValue().write(UnsafeRawBufferPointer(start: buffer, count: length))
}
