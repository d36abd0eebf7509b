@testable import ARLinkEnvelope
import ARLinkCore
import Foundation
import Testing

/// OpenPGP test keys, made once per test process by `Fixtures/make-openpgp-keys.sh` with GnuPG
/// in a throwaway home; the same keys are imported into an rnp home. See the script for the names.
struct PGPFixture: Sendable {
    let root: String

    private static let made: Result<PGPFixture, FixtureError> = {
        guard PGPPeer.gpg.available else { return .failure(FixtureError(text: "gpg is not installed (scripts/setup.sh)")) }
        let root = pgpFixtureRoot
        // At exit: stop the gpg-agent GnuPG started for this home, and remove the keys.
        atexit {
            _ = Shell.run("gpgconf --homedir '\(pgpFixtureRoot)/gnupg' --kill gpg-agent; rm -rf '\(pgpFixtureRoot)'")
        }
        let script = Fixture.repositoryRoot + "/Tests/ARLinkEnvelopeTests/Fixtures/make-openpgp-keys.sh"
        let result = Shell.run("bash '\(script)' '\(root)'")
        guard result.status == 0 else { return .failure(FixtureError(text: "OpenPGP key script failed: \(result.stderr)")) }
        return .success(PGPFixture(root: root))
    }()

    static func get() throws -> PGPFixture { try made.get() }

    func path(_ relative: String) -> String { root + "/" + relative }
    func fingerprint(_ name: String) throws -> String {
        try String(contentsOfFile: path(name + ".fpr"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    func secretKey(_ name: String) throws -> OpenPGPSecretKey { try OpenPGPSecretKey(path: path(name + ".sec")) }
    func certificate(_ name: String) throws -> OpenPGPCertificate { try OpenPGPCertificate(path: path(name + ".pub")) }
    func trust(_ names: String...) throws -> OpenPGPTrust {
        OpenPGPTrust(pinned: try names.map { try certificate($0) }, partnerName: "acme-collect")
    }

    /// `gpg` with this fixture's home, batch mode and a status channel on stdout.
    var gpg: String { "gpg --homedir '\(path("gnupg"))' --batch --no-tty --pinentry-mode loopback --passphrase '' --yes" }
    /// `rnp` with this fixture's home.
    var rnp: String { "rnp --homedir '\(path("rnp"))' --notty --overwrite" }
}

/// Where this test process keeps its OpenPGP keys.
let pgpFixtureRoot = NSTemporaryDirectory() + "arlink-openpgp-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

/// A peer tool and whether it is installed.
enum PGPPeer: String {
    case gpg, rnp, sq

    var available: Bool { Shell.run("command -v \(rawValue)").status == 0 }
}

/// The two key families every interop test runs with.
enum PGPKeys: String, CaseIterable, Sendable, CustomStringConvertible {
    case ed25519 = "ed"
    case rsa3072 = "rsa"

    var description: String { self == .ed25519 ? "Ed25519/Curve25519 keys" : "RSA-3072 keys" }
    var us: String { "us-" + rawValue }
    var partner: String { "partner-" + rawValue }
}

/// Opens `sealed` as the partner's message (our `us`, the partner pinned) and expects a refusal
/// with `code`, with nothing at all left in the output folder.
@discardableResult
func expectPGPRefusal(
    _ code: EnvelopeError.Code, _ s: Scratch, sealed: String, us: String = "us-ed", trust: OpenPGPTrust? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> EnvelopeError? {
    let f = try PGPFixture.get()
    let policy = try trust ?? f.trust("partner-ed", "partner-rsa")
    var caught: EnvelopeError? = nil
    do {
        _ = try Envelope.openOpenPGP(input: sealed, output: s.output, key: f.secretKey(us), trust: policy)
        Issue.record("expected \(code) but the message opened", sourceLocation: sourceLocation)
    } catch let error as EnvelopeError {
        caught = error
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
    }
    #expect(s.outputFolderContents().isEmpty, "left behind: \(s.outputFolderContents())", sourceLocation: sourceLocation)
    return caught
}
