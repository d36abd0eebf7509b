import Foundation

/// The demo's partner with `envelope: openpgp`: GnuPG with its own throwaway home
/// (`partner/gnupg`), as an agency with PGP tools would work.
///
/// ``makeKeys(demo:)`` creates three demo keys (Ed25519 + Curve25519, no passphrase) in a
/// temporary GnuPG home and exports them: ours (secret, `keys/company/openpgp.sec`, mode 0600),
/// our archive certificate and the partner's certificate; the partner's home then holds the
/// partner's secret key and our certificate only.
struct GnuPGPeer {
    let demo: DemoFolder
    var home: String { demo.path + "/partner/gnupg" }

    /// The fingerprints of the keys made for the demo.
    struct Keys {
        var ours: String
        var partner: String
    }

    /// Makes the demo's OpenPGP keys and the partner's GnuPG home.
    static func makeKeys(demo: DemoFolder) throws -> Keys {
        let peer = GnuPGPeer(demo: demo)
        let maker = demo.path + "/keys/openpgp-maker"
        defer {
            GnuPG.killAgent(home: maker)
            try? FileManager.default.removeItem(atPath: maker)
        }
        for folder in [maker, peer.home] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        func generate(_ userID: String) throws -> String {
            try GnuPG.run(home: maker, ["--passphrase", "", "--quick-gen-key", userID, "ed25519", "sign,cert", "never"])
            let listed = try GnuPG.run(home: maker, ["--with-colons", "--list-keys", userID])
            guard let fingerprint = listed.split(separator: "\n").first(where: { $0.hasPrefix("fpr:") })?
                .split(separator: ":", omittingEmptySubsequences: false).dropFirst(9).first.map(String.init)
            else { throw DemoError("gpg did not list the key it made for \(userID)") }
            try GnuPG.run(home: maker, ["--passphrase", "", "--quick-add-key", fingerprint, "cv25519", "encr", "never"])
            return fingerprint
        }
        let ours = try generate("ACME Corporation AR (demo) <ar@acme-corp.example>")
        let archive = try generate("ACME Corporation archive (demo) <archive@acme-corp.example>")
        let partner = try generate("ACME Collections (demo partner) <ops@acme-collect.example>")
        let keys = demo.path + "/keys"
        try GnuPG.run(home: maker, ["--passphrase", "", "--export-secret-keys", "-o", keys + "/company/openpgp.sec", ours])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keys + "/company/openpgp.sec")
        try GnuPG.run(home: maker, ["--export", "-o", keys + "/company/openpgp.pub", ours])
        try GnuPG.run(home: maker, ["--export", "-o", keys + "/company/openpgp-archive.pub", archive])
        try GnuPG.run(home: maker, ["--export", "-o", keys + "/partner/openpgp.pub", partner])
        let partnerSecret = peer.home + "/partner.sec"
        try GnuPG.run(home: maker, ["--passphrase", "", "--export-secret-keys", "-o", partnerSecret, partner])
        try GnuPG.run(home: peer.home, ["--import", partnerSecret])
        try GnuPG.run(home: peer.home, ["--import", keys + "/company/openpgp.pub"])
        try FileManager.default.removeItem(atPath: partnerSecret)
        return Keys(ours: ours, partner: partner)
    }

    /// Decrypts and verifies a delivered file with `gpg --decrypt` into `partner/received/`; it
    /// counts as opened only with exit 0, `DECRYPTION_OKAY` and `VALIDSIG` by our key.
    func open(_ fileName: String, ourFingerprint: String) throws -> PartnerPeer.Opened {
        let plain = demo.path + "/partner/received/" + String(fileName.dropLast(4))
        let status = try GnuPG.run(home: home, ["--status-fd", "1", "--decrypt", "-o", plain, demo.path + "/partner/inbox/" + fileName])
        guard status.contains("[GNUPG:] DECRYPTION_OKAY"), status.contains("[GNUPG:] VALIDSIG \(ourFingerprint)") else {
            try? FileManager.default.removeItem(atPath: plain)
            throw DemoError("gpg did not confirm the decryption and our signature on \(fileName)")
        }
        return try PartnerPeer.summarise(plain: plain, tool: "gpg --decrypt: DECRYPTION_OKAY, VALIDSIG \(ourFingerprint)")
    }

    /// Signs with the partner's key and encrypts to ours (`gpg --sign --encrypt`, no
    /// compression; our certificate trusted as imported, as the partner checked its fingerprint) and drops the result into the partner's outbox under its final name.
    func sealAndDrop(plaintext: String, as fileName: String, keys: Keys) throws {
        let staging = demo.path + "/partner/outbox/." + fileName + ".part"
        try GnuPG.run(home: home, ["--trust-model", "always", "-u", keys.partner, "-r", keys.ours, "--compress-algo", "none", "--digest-algo", "SHA256",
                                   "--sign", "--encrypt", "-o", staging, plaintext])
        try FileManager.default.moveItem(atPath: staging, toPath: demo.path + "/partner/outbox/" + fileName)
    }

    /// Stops the gpg-agent the partner's home started.
    func finish() { GnuPG.killAgent(home: home) }
}

/// Runs the `gpg` command-line tool in batch mode with a given home.
enum GnuPG {
    /// - Returns: what gpg wrote to stdout (status lines with `--status-fd 1`).
    @discardableResult
    static func run(home: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gpg", "--homedir", home, "--batch", "--no-tty", "--yes", "--pinentry-mode", "loopback"] + arguments
        // stderr goes to a private file, so that only one pipe is read and neither can block gpg.
        let errorPath = home + "/.stderr-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: errorPath, contents: nil, attributes: [.posixPermissions: 0o600]),
              let errorFile = FileHandle(forWritingAtPath: errorPath)
        else { throw DemoError("cannot create \(errorPath)") }
        defer {
            try? errorFile.close()
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errorFile
        do { try process.run() } catch {
            throw DemoError("cannot start the gpg command-line tool (apt-get install gnupg): \(error)")
        }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw DemoError("gpg \(arguments.filter { !$0.hasPrefix("/") }.prefix(3).joined(separator: " ")) failed (exit \(process.terminationStatus)): \(errors.prefix(600))")
        }
        return output
    }

    static func killAgent(home: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gpgconf", "--homedir", home, "--kill", "gpg-agent"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) != nil { process.waitUntilExit() }
    }
}
