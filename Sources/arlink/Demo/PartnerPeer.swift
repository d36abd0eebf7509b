import ARLinkCore
import Foundation

/// The demo's partner: opens what arlink delivered with the `openssl` command-line tool and
/// the partner's own keys, as a real agency would.
struct PartnerPeer {
    let demo: DemoFolder

    struct Opened {
        var summary: String
        /// The audit checkpoint in the portfolio's header, which the partner echoes back.
        var auditCheckpoint: String?
    }

    /// Decrypts (`openssl cms -decrypt`) and verifies (`openssl cms -verify` against the
    /// company CA) a delivered file into `partner/received/`, and summarises it.
    func open(_ fileName: String) throws -> Opened {
        let keys = demo.path + "/keys"
        let input = demo.path + "/partner/inbox/" + fileName
        let signed = demo.path + "/partner/received/" + fileName + ".signed.der"
        let plain = demo.path + "/partner/received/" + String(fileName.dropLast(4))
        try OpenSSLCLI.run(["cms", "-decrypt", "-binary", "-inform", "DER", "-in", input, "-out", signed,
                            "-recip", keys + "/partner/encryption.crt", "-inkey", keys + "/partner/encryption.key"])
        try OpenSSLCLI.run(["cms", "-verify", "-binary", "-inform", "DER", "-in", signed, "-out", plain,
                            "-CAfile", keys + "/ca/company-ca.crt", "-purpose", "any"])
        try? FileManager.default.removeItem(atPath: signed)
        return try Self.summarise(plain: plain, tool: "openssl cms -decrypt | openssl cms -verify: signature OK")
    }

    /// Summarises a portfolio the partner opened: header, first record, trailer, and the
    /// audit checkpoint its header carries.
    static func summarise(plain: String, tool: String) throws -> Opened {
        let text = try String(contentsOfFile: plain, encoding: .utf8)
        let lines = text.split(separator: "\n")
        var lines2: [String] = []
        lines2.append("   \(tool), \(lines.count) lines in \(plain)")
        if let header = lines.first { lines2.append("   header:  " + String(header.prefix(400)) + (header.count > 400 ? "…" : "")) }
        if lines.count > 2 { lines2.append("   record:  " + String(lines[1].prefix(400)) + (lines[1].count > 400 ? "…" : "")) }
        if let trailer = lines.last { lines2.append("   trailer: " + String(trailer)) }
        let checkpoint = lines.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?["audit_checkpoint"] as? String
        return Opened(summary: lines2.joined(separator: "\n"), auditCheckpoint: checkpoint)
    }
}

extension PartnerPeer {
    /// Seals a plaintext feedback file as the partner's own tools would (`openssl cms -sign`
    /// with RSA-PSS, then `openssl cms -encrypt` with AES-256-GCM to our RSA certificate with
    /// OAEP-SHA256) and drops it into the partner's outbox under its final name.
    func sealAndDrop(plaintext: String, as fileName: String) throws {
        let keys = demo.path + "/keys"
        let signed = plaintext + ".signed.der"
        try OpenSSLCLI.run(["cms", "-sign", "-binary", "-nodetach", "-in", plaintext, "-signer", keys + "/partner/signing.crt",
                            "-inkey", keys + "/partner/signing.key", "-keyopt", "rsa_padding_mode:pss", "-md", "sha256",
                            "-outform", "DER", "-out", signed])
        let staging = demo.path + "/partner/outbox/." + fileName + ".part"
        try OpenSSLCLI.run(["cms", "-encrypt", "-binary", "-aes-256-gcm", "-in", signed, "-recip", keys + "/company/encryption.crt",
                            "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-outform", "DER", "-out", staging])
        try? FileManager.default.removeItem(atPath: signed)
        try FileManager.default.moveItem(atPath: staging, toPath: demo.path + "/partner/outbox/" + fileName)
    }
}

/// Runs the `openssl` command-line tool.
enum OpenSSLCLI {
    static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw DemoError("cannot start the openssl command-line tool (apt-get install openssl): \(error)")
        }
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DemoError("openssl \(arguments.prefix(2).joined(separator: " ")) failed (exit \(process.terminationStatus)): \(errText.prefix(600))")
        }
    }
}
