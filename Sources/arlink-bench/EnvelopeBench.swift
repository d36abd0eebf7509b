import ARLinkEnvelope
import ARLinkJobs
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `arlink-bench envelope`: seals and opens a large file with arlink and with the `openssl
/// cms` command-line pipelines in the same run. Each side runs as its own child process so
/// its peak memory (max RSS from `wait4`) is its own. Bars (design section 7): seal throughput
/// at least the CLI pipeline's; open at least 10x the CLI pipeline's; peak memory under 64 MB.
struct EnvelopeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envelope",
        abstract: "Seal and open a large file: arlink versus openssl cms pipelines (MB/s, peak RSS, ratios)."
    )

    @Option(help: "Plaintext size in MB (10^6 bytes).") var sizeMb = 200
    @Option(help: "The keys-example folder.") var keys = "keys-example"
    @Option(help: "Work folder (a temporary folder by default, removed afterwards).") var dir: String?
    @Option(help: "Runs of each side, alternating; min and median are reported.") var runs = 3
    @Option(help: "cms (default): against openssl cms; openpgp: against gpg, with keys made by gpg in the work folder.") var format = "cms"
    @Option(help: .hidden) var phase: String?
    @Option(help: .hidden) var work: String?

    func run() throws {
        if let phase, let work { return try runPhase(phase, work: work) }
        if format == "openpgp" { return try runOpenPGP() }
        guard format == "cms" else { throw ValidationError("--format must be cms or openpgp") }
        let folder = dir ?? (NSTemporaryDirectory() + "arlink-envbench-\(getpid())")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        try prepare(folder)
        let bytes = Double(sizeMb) * 1e6
        let me = "/proc/self/exe"
        print("envelope benchmark: \(sizeMb) MB plaintext, \(max(runs, 1)) alternating runs per side; EC P-256 signer, two EC P-256 recipients (partner + archive), AES-256-GCM")
        print("arlink's output is durable (fsync before rename); the CLI's output gets the same (sync FILE)")

        func remove(_ names: String...) { for name in names { try? FileManager.default.removeItem(atPath: folder + "/" + name) } }
        let sealRuns = try Child.alternate(rounds: runs, [
            ("arlink seal", { remove("sealed.der"); return try Child.run([me, "envelope", "--phase", "seal", "--work", folder]) }),
            ("openssl cms -sign | -encrypt + sync", {
                remove("cli-sealed.der")
                return try Child.shell(
                    "openssl cms -sign -binary -nodetach -stream -in plain.bin -signer company/signing.crt -inkey company/signing.key -outform DER"
                        + " | openssl cms -encrypt -binary -stream -aes-256-gcm -recip partner/encryption.crt -keyopt ecdh_kdf_md:sha256"
                        + " -recip company/archive.crt -keyopt ecdh_kdf_md:sha256 -outform DER -out cli-sealed.der && sync cli-sealed.der",
                    in: folder)
            }),
        ])
        // As the inbound job calls it: the envelope's SHA-256 was taken when the file was claimed
        // (that hash is computed here beforehand and passed in, outside the timing).
        _ = try Child.run([me, "envelope", "--phase", "claim", "--work", folder])
        let openRuns = try Child.alternate(rounds: runs, [
            ("arlink open", { remove("opened.bin"); return try Child.run([me, "envelope", "--phase", "open", "--work", folder]) }),
            ("arlink open, envelope hash known", {
                remove("opened-claimed.bin")
                return try Child.run([me, "envelope", "--phase", "open-claimed", "--work", folder])
            }),
            ("openssl cms -decrypt | -verify + sync", {
                remove("cli-opened.bin")
                return try Child.shell(
                    "openssl cms -decrypt -binary -inform DER -in sealed.der -recip partner/encryption.crt -inkey partner/encryption.key"
                        + " | openssl cms -verify -binary -inform DER -CAfile ca/company-ca.crt -purpose any -out cli-opened.bin 2>/dev/null"
                        + " && sync cli-opened.bin",
                    in: folder)
            }),
        ])
        let same = FileManager.default.contentsEqual(atPath: folder + "/plain.bin", andPath: folder + "/opened.bin")
            && FileManager.default.contentsEqual(atPath: folder + "/plain.bin", andPath: folder + "/opened-claimed.bin")
            && FileManager.default.contentsEqual(atPath: folder + "/plain.bin", andPath: folder + "/cli-opened.bin")
        for r in sealRuns + openRuns { print(r.row(bytes: bytes)) }
        let (seal, cliSeal) = (sealRuns[0], sealRuns[1])
        let (open, openInbound, cliOpen) = (openRuns[0], openRuns[1], openRuns[2])
        let sealRatio = cliSeal.medianSeconds / seal.medianSeconds
        let openRatio = cliOpen.medianSeconds / open.medianSeconds
        print(String(format: "seal: %.2fx the CLI pipeline by median (bar >= 1x: %@); peak %d MB (bar < 64 MB: %@)", sealRatio,
                     sealRatio >= 1 ? "met" : "NOT met", seal.peakMB, seal.peakMB < 64 ? "met" : "NOT met"))
        print(String(format: "open: %.2fx the CLI pipeline by median (bar >= 10x: %@); peak %d MB (bar < 64 MB: %@)", openRatio,
                     openRatio >= 10 ? "met" : "NOT met", open.peakMB, open.peakMB < 64 ? "met" : "NOT met"))
        let inboundRatio = cliOpen.medianSeconds / openInbound.medianSeconds
        print(String(format: "open as the inbound job runs it (envelope hashed at claim time): %.2fx the CLI pipeline by median (bar >= 10x: %@); peak %d MB",
                     inboundRatio, inboundRatio >= 10 ? "met" : "NOT met", openInbound.peakMB))
        print(String(format: "cpu time by median: seal %.2fx the CLI pipeline's, open %.2fx (lower is better)",
                     seal.medianCPUSeconds / cliSeal.medianCPUSeconds, open.medianCPUSeconds / cliOpen.medianCPUSeconds))
        print("outputs identical to the plaintext: \(same ? "yes" : "NO")")
        if !same { throw ExitCode(70) }
    }


    /// Writes `sizeMb` MB of deterministic pseudo-random bytes to `folder/plain.bin`.
    func writePlaintext(_ folder: String) throws {
        try writePlain(folder + "/plain.bin")
    }

    /// Private copies of the example keys (0600) and the plaintext.
    private func prepare(_ folder: String) throws {
        for sub in ["ca", "company", "partner"] {
            try? FileManager.default.removeItem(atPath: folder + "/" + sub)
            try FileManager.default.copyItem(atPath: keys + "/" + sub, toPath: folder + "/" + sub)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder + "/" + sub) where name.hasSuffix(".key") {
                unsafe chmod(folder + "/" + sub + "/" + name, 0o600)
            }
        }
        try writePlain(folder + "/plain.bin")
    }

    private func writePlain(_ path: String) throws {
        guard let file = unsafe fopen(path, "w") else { throw ValidationError("cannot write \(path)") }
        defer { unsafe fclose(file) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var chunk = [UInt64](repeating: 0, count: 1 << 17)
        var remaining = sizeMb * 1_000_000
        while remaining > 0 {
            for i in chunk.indices {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                chunk[i] = state
            }
            let n = min(remaining, chunk.count * 8)
            _ = unsafe chunk.withUnsafeBytes { unsafe fwrite($0.baseAddress, 1, n, file) }
            remaining -= n
        }
    }

    /// One measured side, run in its own process.
    private func runPhase(_ phase: String, work: String) throws {
        let w = { (p: String) in work + "/" + p }
        switch phase {
        case "seal":
            let signer = try SigningIdentity(certificatePath: w("company/signing.crt"), keyPath: w("company/signing.key"))
            let recipients = [try RecipientCertificate(path: w("partner/encryption.crt")), try RecipientCertificate(path: w("company/archive.crt"))]
            _ = try Envelope.seal(input: w("plain.bin"), output: w("sealed.der"), signer: signer, recipients: recipients)
        case "open":
            let identity = try DecryptionIdentity(certificatePath: w("partner/encryption.crt"), keyPath: w("partner/encryption.key"))
            let trust = TrustPolicy(pinned: [w("company/signing.crt")], partnerName: "bench")
            _ = try Envelope.open(input: w("sealed.der"), output: w("opened.bin"), identity: identity, trust: trust)
        case "pgp-seal", "pgp-open":
            try runOpenPGPPhase(phase, work: work)
        case "claim":
            let sha = try StreamingSHA256()
            let data = try Data(contentsOf: URL(fileURLWithPath: w("sealed.der")), options: .alwaysMapped)
            sha.update(data.span)
            try Data(sha.finalizeHex().utf8).write(to: URL(fileURLWithPath: w("sealed.sha256")))
        case "open-claimed":
            let identity = try DecryptionIdentity(certificatePath: w("partner/encryption.crt"), keyPath: w("partner/encryption.key"))
            let trust = TrustPolicy(pinned: [w("company/signing.crt")], partnerName: "bench")
            let known = try String(contentsOfFile: w("sealed.sha256"), encoding: .utf8)
            let result = try Envelope.open(input: w("sealed.der"), output: w("opened-claimed.bin"), identity: identity, trust: trust,
                                           knownSealedSHA256: known)
            guard result.sealedSHA256 == known else { throw ValidationError("sealed digest not carried through") }
        default:
            throw ValidationError("unknown phase \(phase)")
        }
    }
}
