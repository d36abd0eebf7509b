// Transitional: the modules above that still render through `ByteBuffer` (the inbound pass)
// see ARLinkSystem's members through this module until they import ARLinkSystem themselves.
@_exported public import ARLinkSystem

/// The renderers' byte buffer under its former name; new code uses ``RenderBuffer``
/// (ARLinkSystem) directly.
public typealias ByteBuffer = RenderBuffer
