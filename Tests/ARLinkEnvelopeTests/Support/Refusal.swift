@testable import ARLinkEnvelope
import ARLinkCore
import Foundation
import Testing

/// Opens `sealed` and expects a refusal with `code`; checks that nothing at all was left in the
/// output folder (no plaintext, no quarantine file).
@discardableResult
func expectRefusal(
    _ code: EnvelopeError.Code, exit: ARLinkCore.ExitStatus? = nil, _ s: Scratch, sealed: String,
    recipient: Recipient = .partnerEC, trust: TrustPolicy? = nil, allowCBC: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> EnvelopeError? {
    let f = try Fixture.get()
    let policy = trust ?? Signer.companyEC.trust(f)
    var caught: EnvelopeError? = nil
    let identity = try recipient.identity(f)
    do {
        _ = try Envelope.open(input: sealed, output: s.output, identity: identity, trust: policy, allowCBC: allowCBC)
        Issue.record("expected \(code) but the envelope opened", sourceLocation: sourceLocation)
    } catch {
        caught = error
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        if let exit { #expect(error.exitStatus == exit, sourceLocation: sourceLocation) }
        #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
    }
    #expect(s.outputFolderContents().isEmpty, "left behind: \(s.outputFolderContents())", sourceLocation: sourceLocation)
    return caught
}

/// Seals `plain` with our code: company EC signer to the partner's EC certificate.
func sealDefault(_ s: Scratch, plain: String, name: String = "sealed.der") throws -> String {
    let f = try Fixture.get()
    let sealed = s.path(name)
    _ = try Envelope.seal(input: plain, output: sealed, signer: Signer.companyEC.identity(f), recipients: [Recipient.partnerEC.recipient(f)])
    return sealed
}
