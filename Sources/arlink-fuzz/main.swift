// libFuzzer harness over what partners send: the CMS envelope's BER splitter and open path, or
// the OpenPGP open path; see docs/fuzzing.md.
//
// Built with `swift build --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address` (scripts/fuzz.sh),
// libFuzzer calls `LLVMFuzzerTestOneInput` with mutated inputs. Without the sanitizer this is a
// harmless executable that does nothing.
//
// ARLINK_FUZZ_FORMAT selects the target:
// - `cms` (default): every input goes through `Envelope.inspect(bytes:)` (the splitter,
//   recipient parsing, the signed-data splitter) and, when ARLINK_FUZZ_KEYS names a folder with
//   the example keys (mode 0600), through `Envelope.open` with a real identity: the key unwrap,
//   GCM decryption, inner splitting and verification.
// - `openpgp`: every input goes through `Envelope.inspectOpenPGP` (our packet scan) and
//   `Envelope.openOpenPGP` with our secret key `us-ed.sec` and the partner's pinned
//   certificates `partner-ed.pub` and `partner-rsa.pub` from the folder ARLINK_FUZZ_PGP (made
//   by Tests/ARLinkEnvelopeTests/Fixtures/make-openpgp-keys.sh): librnp's parsing, decryption,
//   decompression with the ratio cap, and our signature and trust checks.
// Any crash, leak or sanitizer report is a bug; refusals are fine.
import ARLinkEnvelope
import Foundation

/// Keys and a private folder for the open path, set up on the first input.
final class FuzzContext {
    enum Opener {
        case cms(DecryptionIdentity, TrustPolicy)
        case openpgp(OpenPGPSecretKey, OpenPGPTrust)
    }

    let opener: Opener?
    let folder: String

    init() {
        let environment = ProcessInfo.processInfo.environment
        folder = NSTemporaryDirectory() + "arlink-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        if environment["ARLINK_FUZZ_FORMAT"] == "openpgp" {
            guard let keys = environment["ARLINK_FUZZ_PGP"],
                let key = try? OpenPGPSecretKey(path: keys + "/us-ed.sec"),
                let partnerED = try? OpenPGPCertificate(path: keys + "/partner-ed.pub"),
                let partnerRSA = try? OpenPGPCertificate(path: keys + "/partner-rsa.pub")
            else {
                FileHandle.standardError.write(Data("arlink-fuzz: ARLINK_FUZZ_PGP must name a folder made by make-openpgp-keys.sh\n".utf8))
                exit(2)
            }
            opener = .openpgp(key, OpenPGPTrust(pinned: [partnerED, partnerRSA], partnerName: "fuzz"))
        } else if let keys = environment["ARLINK_FUZZ_KEYS"],
            let identity = try? DecryptionIdentity(certificatePath: keys + "/partner/encryption.crt", keyPath: keys + "/partner/encryption.key")
        {
            opener = .cms(identity, TrustPolicy(pinned: [keys + "/company/signing.crt"], partnerName: "fuzz"))
        } else {
            opener = nil
        }
    }

    func run(_ bytes: [UInt8]) {
        let input = folder + "/input.bin"
        let output = folder + "/out/plain.out"
        switch opener {
        case .cms(let identity, let trust)?:
            _ = try? Envelope.inspect(bytes: bytes)
            guard FileManager.default.createFile(atPath: input, contents: Data(bytes)) else { return }
            _ = try? Envelope.open(input: input, output: output, identity: identity, trust: trust)
        case .openpgp(let key, let trust)?:
            guard FileManager.default.createFile(atPath: input, contents: Data(bytes)) else { return }
            _ = try? Envelope.inspectOpenPGP(input: input)
            _ = try? Envelope.openOpenPGP(input: input, output: output, key: key, trust: trust)
        case nil:
            _ = try? Envelope.inspect(bytes: bytes)
        }
        try? FileManager.default.removeItem(atPath: output)
    }
}

nonisolated(unsafe) var fuzzContext: FuzzContext? = nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if fuzzContext == nil { fuzzContext = FuzzContext() }
    fuzzContext?.run(bytes)
    return 0
}
