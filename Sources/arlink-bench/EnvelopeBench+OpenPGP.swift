import ARLinkEnvelope
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `arlink-bench envelope --format openpgp`: arlink's OpenPGP seal and open against GnuPG
/// (bar, design section 7: at least gpg's throughput both ways, peak memory under 64 MB).
///
/// gpg makes two Ed25519/Curve25519 keys in a throwaway home in the work folder. Seal: arlink
/// (`company.sec` signs, to `partner.pub`) against `gpg -u partner -r company --compress-algo
/// none --digest-algo SHA256 --cipher-algo AES256 --sign --encrypt` (the same algorithms as
/// arlink's profile; gpg's own default hash for these keys is SHA-512). Open: arlink opens gpg's message, gpg decrypts and verifies
/// arlink's. arlink makes its output durable (fsync before the rename), so gpg's output is
/// given the same durability (`sync FILE` after gpg). The two sides alternate (A B A B ...),
/// each in its own process, outputs removed before every run; min and median wall time, the
/// median CPU time (user + system) and the peak RSS are printed.
extension EnvelopeBench {
    func runOpenPGP() throws {
        let folder = dir ?? (NSTemporaryDirectory() + "arlink-pgpbench-\(getpid())")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let home = folder + "/gnupg"
        defer {
            _ = try? Child.shell("gpgconf --homedir '\(home)' --kill gpg-agent", in: folder)
            if dir == nil { try? FileManager.default.removeItem(atPath: folder) }
        }
        try makeKeys(folder)
        try writePlaintext(folder)
        let me = "/proc/self/exe"
        let gpg = "gpg --homedir '\(home)' --batch --yes --quiet --pinentry-mode loopback --passphrase ''"
        let company = try String(contentsOfFile: folder + "/company.fpr", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let partner = try String(contentsOfFile: folder + "/partner.fpr", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let n = max(runs, 1)
        print("OpenPGP envelope benchmark: \(sizeMb) MB plaintext, \(n) alternating runs per side; Ed25519 signer, Curve25519 recipient, AES-256, SHA-256, no compression")

        func remove(_ names: String...) { for name in names { try? FileManager.default.removeItem(atPath: folder + "/" + name) } }
        let sealRuns = try Child.alternate(rounds: n, [
            ("arlink seal", { remove("sealed.pgp"); return try Child.run([me, "envelope", "--phase", "pgp-seal", "--work", folder]) }),
            ("gpg --sign --encrypt + sync (SHA-256)", {
                remove("gpg-sealed.pgp")
                return try Child.shell(
                    "\(gpg) -u \(partner) -r \(company) --compress-algo none --digest-algo SHA256 --cipher-algo AES256 --sign --encrypt -o gpg-sealed.pgp plain.bin && sync gpg-sealed.pgp",
                    in: folder)
            }),
        ])
        let openRuns = try Child.alternate(rounds: n, [
            ("arlink open (gpg's message)", { remove("opened.bin"); return try Child.run([me, "envelope", "--phase", "pgp-open", "--work", folder]) }),
            ("gpg --decrypt + sync (arlink's message)", {
                remove("gpg-opened.bin")
                return try Child.shell(
                    "\(gpg) --status-fd 3 -o gpg-opened.bin --decrypt sealed.pgp 3>gpg-status.txt 2>/dev/null"
                        + " && grep -q 'VALIDSIG .*\(company)$' gpg-status.txt && grep -q DECRYPTION_OKAY gpg-status.txt && sync gpg-opened.bin",
                    in: folder)
            }),
        ])
        let bytes = Double(sizeMb) * 1e6
        for r in sealRuns + openRuns { print(r.row(bytes: bytes)) }
        let (seal, gpgSeal, open, gpgOpen) = (sealRuns[0], sealRuns[1], openRuns[0], openRuns[1])
        let sealRatio = gpgSeal.medianSeconds / seal.medianSeconds
        let openRatio = gpgOpen.medianSeconds / open.medianSeconds
        print(String(format: "seal: %.2fx gpg by median (bar >= 1x: %@); peak %d MB (bar < 64 MB: %@)", sealRatio,
                     sealRatio >= 1 ? "met" : "NOT met", seal.peakMB, seal.peakMB < 64 ? "met" : "NOT met"))
        print(String(format: "open: %.2fx gpg by median (bar >= 1x: %@); peak %d MB (bar < 64 MB: %@)", openRatio,
                     openRatio >= 1 ? "met" : "NOT met", open.peakMB, open.peakMB < 64 ? "met" : "NOT met"))
        print(String(format: "cpu time by median: seal %.2fx gpg's, open %.2fx (lower is better)",
                     seal.medianCPUSeconds / gpgSeal.medianCPUSeconds, open.medianCPUSeconds / gpgOpen.medianCPUSeconds))
        let same = FileManager.default.contentsEqual(atPath: folder + "/plain.bin", andPath: folder + "/opened.bin")
            && FileManager.default.contentsEqual(atPath: folder + "/plain.bin", andPath: folder + "/gpg-opened.bin")
        print("outputs identical to the plaintext: \(same ? "yes" : "NO")")
        if !same { throw ExitCode(70) }
    }

    /// Two Ed25519/Curve25519 keys made by gpg: `company` (ours) and `partner`, exported to files.
    private func makeKeys(_ folder: String) throws {
        let script = """
            set -e; export GNUPGHOME="$PWD/gnupg"; mkdir -p -m 700 gnupg
            G=(gpg --batch --quiet --pinentry-mode loopback --passphrase '')
            for who in company partner; do
              "${G[@]}" --quick-gen-key "bench $who <$who@bench.example>" future-default default never
              gpg --batch --with-colons --list-keys "$who@bench.example" 2>/dev/null | awk -F: '/^fpr:/ {print $10; exit}' > $who.fpr
              gpg --batch --export "$(cat $who.fpr)" > $who.pub
              "${G[@]}" --export-secret-keys "$(cat $who.fpr)" > $who.sec; chmod 600 $who.sec
            done
            """
        _ = try Child.shell(script, in: folder)
    }

    /// One measured arlink side, in its own process.
    func runOpenPGPPhase(_ phase: String, work: String) throws {
        let w = { (p: String) in work + "/" + p }
        let company = try OpenPGPSecretKey(path: w("company.sec"))
        let partner = try OpenPGPCertificate(path: w("partner.pub"))
        if phase == "pgp-seal" {
            _ = try Envelope.sealOpenPGP(input: w("plain.bin"), output: w("sealed.pgp"), signer: company, recipients: [partner])
        } else {
            // gpg's message is signed by the partner and encrypted to us (company).
            _ = try Envelope.openOpenPGP(input: w("gpg-sealed.pgp"), output: w("opened.bin"), key: company,
                                         trust: OpenPGPTrust(pinned: [partner], partnerName: "bench"))
        }
    }
}
