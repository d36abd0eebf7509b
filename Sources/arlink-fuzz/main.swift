// libFuzzer harness over the envelope's BER splitter and open path; see docs/fuzzing.md.
//
// Built with `swift build --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address` (scripts/fuzz.sh),
// libFuzzer calls `LLVMFuzzerTestOneInput` with mutated inputs. Without the sanitizer this is a
// harmless executable that does nothing.
//
// Every input goes through `Envelope.inspect(bytes:)` (the splitter, recipient parsing, the
// signed-data splitter) and, when ARLINK_FUZZ_KEYS names a folder with the example keys (mode
// 0600), through `Envelope.open` with a real identity: the key unwrap, GCM decryption, inner
// splitting and verification. Any crash, leak or sanitizer report is a bug; refusals are fine.
import ARLinkEnvelope
import Foundation

/// Identity and folders for the open path, set up on the first input.
final class FuzzContext {
    let identity: DecryptionIdentity
    let trust: TrustPolicy
    let folder: String

    init?() {
        guard let keys = ProcessInfo.processInfo.environment["ARLINK_FUZZ_KEYS"] else { return nil }
        guard
            let identity = try? DecryptionIdentity(
                certificatePath: keys + "/partner/encryption.crt", keyPath: keys + "/partner/encryption.key"
            )
        else { return nil }
        self.identity = identity
        trust = TrustPolicy(pinned: [keys + "/company/signing.crt"], partnerName: "fuzz")
        folder = NSTemporaryDirectory() + "arlink-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
    }

    func open(_ bytes: [UInt8]) {
        let input = folder + "/input.der"
        guard FileManager.default.createFile(atPath: input, contents: Data(bytes)) else { return }
        let output = folder + "/out/plain.out"
        _ = try? Envelope.open(input: input, output: output, identity: identity, trust: trust)
        try? FileManager.default.removeItem(atPath: output)
    }
}

nonisolated(unsafe) var fuzzContext: FuzzContext?? = nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? Envelope.inspect(bytes: bytes)
    if fuzzContext == nil { fuzzContext = .some(FuzzContext()) }
    if let context = fuzzContext ?? nil { context.open(bytes) }
    return 0
}
