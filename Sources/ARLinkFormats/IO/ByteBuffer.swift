public import ARLinkSystem

/// The renderers' byte buffer under its former name; new code uses ``RenderBuffer``
/// (ARLinkSystem) directly.
public typealias ByteBuffer = RenderBuffer
