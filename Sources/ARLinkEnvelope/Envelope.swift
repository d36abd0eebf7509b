/// Sealing and opening of CMS envelopes (design section 4): `SignedData` inside
/// `AuthEnvelopedData` with AES-256-GCM, streamed in constant memory.
///
/// See ``Envelope/seal(input:output:signer:recipients:)``,
/// ``Envelope/open(input:output:identity:trust:allowCBC:)`` and ``Envelope/inspect(input:)``.
public enum Envelope {}
