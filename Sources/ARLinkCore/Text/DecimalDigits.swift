/// Decimal digits written straight into a byte buffer, for the places that build a record's
/// text byte by byte (update ids, stored allocations) instead of through a String.
public enum DecimalDigits {
    /// Writes the decimal digits of `value` at `at` (no sign); returns where they end. The
    /// buffer must have room for 20 bytes from `at`.
    @inlinable @unsafe
    public static func write(_ value: UInt64, into out: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
        var span = unsafe out.mutableSpan
        return write(value, into: &span, at: at)
    }

    /// Writes the decimal digits of `value` at `at` (no sign); returns where they end. The
    /// span must have room for 20 bytes from `at`.
    @inlinable
    public static func write(_ value: UInt64, into out: inout MutableSpan<UInt8>, at: Int) -> Int {
        var count = 0
        var probe = value
        repeat { count += 1; probe /= 10 } while probe > 0
        var rest = value
        var index = at + count - 1
        repeat {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        } while rest > 0
        return at + count
    }
}
