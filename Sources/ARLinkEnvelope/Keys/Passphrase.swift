#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the passphrase of an encrypted private key comes from. Never inline, never printed.
public enum Passphrase: Sendable, Equatable, CustomStringConvertible {
    /// The first line of a file that only its owner can read.
    case file(String)
    /// The value of an environment variable.
    case environment(String)

    /// Names the source without revealing the secret.
    public var description: String {
        switch self {
        case .file(let path): "passphrase file \(path)"
        case .environment(let name): "environment variable \(name)"
        }
    }

    /// Reads the secret bytes (without a trailing newline) followed by a NUL terminator.
    ///
    /// The caller wipes the returned buffer after use.
    /// - Throws: ``EnvelopeError/Code/passphrase`` when the source is missing or empty,
    ///   ``EnvelopeError/Code/keyPermissions`` when a passphrase file is group/other readable.
    func secretCString() throws(EnvelopeError) -> [CChar] {
        var bytes: [UInt8]
        switch self {
        case .file(let path):
            try SmallFile.requireOwnerOnly(path, what: "passphrase file")
            bytes = try SmallFile.read(path, what: "passphrase file")
            if let newline = bytes.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
                bytes.removeSubrange(newline...)
            }
        case .environment(let name):
            guard let value = getenv(name) else {
                throw EnvelopeError(.passphrase, "environment variable \(name) (key passphrase) is not set")
            }
            bytes = Array(String(cString: value).utf8)
        }
        if bytes.isEmpty { throw EnvelopeError(.passphrase, "\(description) holds an empty passphrase") }
        var result = bytes.map { CChar(bitPattern: $0) }
        result.append(0)
        for i in bytes.indices { bytes[i] = 0 }
        return result
    }
}
