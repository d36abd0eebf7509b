#if canImport(Glibc)
import Glibc
#endif

/// The outer packet sequence of a binary OpenPGP message, read before anything is decrypted:
/// the session-key packets, then exactly one encrypted-data packet that ends where the file
/// ends (RFC 4880 section 4.2 headers, old and new format, partial body lengths walked with
/// small reads; the encrypted body itself is skipped).
///
/// It refuses what librnp would otherwise read or tolerate: data that is not encrypted, the
/// unauthenticated Symmetrically Encrypted Data packet (tag 9), AEAD packets (tag 20, SEIPD v2),
/// a message only for passwords, trailing bytes after the message, and a message cut short.
struct OpenPGPPacketScan {
    /// Key ids (upper-case hex) of the Public-Key Encrypted Session Key packets, in order.
    var recipientKeyIDs: [String] = []
    /// Number of Symmetric-Key Encrypted Session Key packets (passwords).
    var passwordCount = 0

    /// The largest number of session-key packets we read before the encrypted data.
    static let maxSessionKeyPackets = 64

    /// Scans the file open at `fd` (`size` bytes).
    /// - Throws: ``EnvelopeError`` with `malformed`, `truncated`, `notEncrypted`,
    ///   `unauthenticatedEncryption`, `disallowedAlgorithm`, `notForUs` or `trailingData`.
    static func scan(fd: Int32, size: Int64, name: String) throws(EnvelopeError) -> OpenPGPPacketScan {
        var reader = PacketReader(fd: fd, size: size, name: name)
        var result = OpenPGPPacketScan()
        while true {
            let header = try reader.header()
            switch header.tag {
            case 1:  // Public-Key Encrypted Session Key
                let body = try reader.body(of: header, keep: 10)
                guard body.count >= 10, body[0] == 3 else {
                    throw EnvelopeError(.disallowedAlgorithm, "\(name): a session key packet of version \(body.first ?? 0); only version 3 is accepted")
                }
                result.recipientKeyIDs.append(Hex.encode(body[1..<9]).uppercased())
            case 3:  // Symmetric-Key Encrypted Session Key
                _ = try reader.body(of: header, keep: 0)
                result.passwordCount += 1
            case 10:  // Marker packet, ignored by readers
                _ = try reader.body(of: header, keep: 0)
            case 18:  // Symmetrically Encrypted Integrity Protected Data
                let body = try reader.body(of: header, keep: 1)
                guard body.first == 1 else {
                    throw EnvelopeError(
                        .disallowedAlgorithm,
                        "\(name): encrypted data of version \(body.first ?? 0) (AEAD, RFC 9580); only SEIPD version 1 with MDC is accepted"
                    )
                }
                guard !result.recipientKeyIDs.isEmpty || result.passwordCount > 0 else {
                    throw EnvelopeError(.malformed, "\(name): encrypted data without a session key packet")
                }
                if result.recipientKeyIDs.isEmpty {
                    throw EnvelopeError(.notForUs, "\(name) is encrypted to a password only, not to one of our keys")
                }
                if reader.offset != size {
                    throw EnvelopeError(
                        .trailingData, "\(name): \(size - reader.offset) byte(s) follow the encrypted message; refusing the whole file"
                    )
                }
                return result
            case 9:
                throw EnvelopeError(
                    .unauthenticatedEncryption, "\(name): symmetrically encrypted data without integrity protection (no MDC)"
                )
            case 20:
                throw EnvelopeError(.disallowedAlgorithm, "\(name): AEAD encrypted data (OCB/EAX, v5); only SEIPD version 1 with MDC is accepted")
            case 2, 4, 8, 11:
                throw EnvelopeError(.notEncrypted, "\(name) is an OpenPGP message that is not encrypted (packet type \(header.tag) first)")
            case 5, 6, 7, 14:
                throw EnvelopeError(.malformed, "\(name) holds an OpenPGP key, not a message")
            default:
                throw EnvelopeError(.malformed, "\(name): unexpected OpenPGP packet type \(header.tag) at byte \(header.start)")
            }
            if result.recipientKeyIDs.count + result.passwordCount > maxSessionKeyPackets {
                throw EnvelopeError(.malformed, "\(name): more than \(maxSessionKeyPackets) session key packets")
            }
        }
    }
}

/// One packet header: its tag, where it started, and its first body length.
struct PacketHeader {
    let tag: Int
    let start: Int64
    /// Length of the (first part of the) body; nil for the old format's indeterminate length.
    let length: Int64?
    let partial: Bool
}

/// Reads packet headers and skips bodies with `pread`.
struct PacketReader {
    let fd: Int32
    let size: Int64
    let name: String
    private(set) var offset: Int64 = 0

    init(fd: Int32, size: Int64, name: String) {
        self.fd = fd
        self.size = size
        self.name = name
    }

    private mutating func byte() throws(EnvelopeError) -> Int {
        guard offset < size else { throw EnvelopeError(.truncated, "\(name) ends inside an OpenPGP packet header at byte \(offset)") }
        var b: UInt8 = 0
        let n = pread(fd, &b, 1, off_t(offset))
        guard n == 1 else { throw EnvelopeError(.io, "reading \(name) failed: \(errnoText())") }
        offset += 1
        return Int(b)
    }

    mutating func header() throws(EnvelopeError) -> PacketHeader {
        let start = offset
        if offset >= size {
            throw EnvelopeError(.truncated, "\(name) ends before its encrypted data")
        }
        let first = try byte()
        guard first & 0x80 != 0 else {
            throw EnvelopeError(.malformed, "\(name) is not an OpenPGP message (byte \(start) is not a packet header)")
        }
        if first & 0x40 != 0 {
            let (length, partial) = try newLength()
            return PacketHeader(tag: first & 0x3F, start: start, length: length, partial: partial)
        }
        let tag = (first >> 2) & 0x0F
        switch first & 0x03 {
        case 0: return PacketHeader(tag: tag, start: start, length: Int64(try byte()), partial: false)
        case 1:
            let length = (try byte() << 8) | (try byte())
            return PacketHeader(tag: tag, start: start, length: Int64(length), partial: false)
        case 2:
            var length: Int64 = 0
            for _ in 0..<4 { length = (length << 8) | Int64(try byte()) }
            return PacketHeader(tag: tag, start: start, length: length, partial: false)
        default:
            return PacketHeader(tag: tag, start: start, length: nil, partial: false)
        }
    }

    private mutating func newLength() throws(EnvelopeError) -> (Int64, Bool) {
        let o1 = try byte()
        switch o1 {
        case 0..<192: return (Int64(o1), false)
        case 192..<224: return (Int64(((o1 - 192) << 8) + (try byte()) + 192), false)
        case 255:
            var length: Int64 = 0
            for _ in 0..<4 { length = (length << 8) | Int64(try byte()) }
            return (length, false)
        default: return (Int64(1) << Int64(o1 & 0x1F), true)
        }
    }

    /// Skips the body of `header` (all its partial chunks), returning up to `keep` leading bytes.
    mutating func body(of header: PacketHeader, keep: Int) throws(EnvelopeError) -> [UInt8] {
        var kept: [UInt8] = []
        guard var length = header.length else {
            // Old-format indeterminate length: the packet runs to the end of the file.
            kept = try read(min(Int64(keep), size - offset))
            offset = size
            return kept
        }
        var partial = header.partial
        while true {
            guard offset + length <= size else {
                throw EnvelopeError(.truncated, "\(name) ends inside an OpenPGP packet (type \(header.tag), started at byte \(header.start))")
            }
            if kept.count < keep {
                kept += try read(min(Int64(keep - kept.count), length))
            }
            offset += length
            if !partial { break }
            let (next, more) = try newLength()
            length = next
            partial = more
        }
        return kept
    }

    /// Reads `count` bytes at the current offset without moving it.
    private func read(_ count: Int64) throws(EnvelopeError) -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(count))
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(count), off_t(offset)) }
        guard n == Int(count) else { throw EnvelopeError(.truncated, "\(name) ends inside an OpenPGP packet") }
        return bytes
    }
}
