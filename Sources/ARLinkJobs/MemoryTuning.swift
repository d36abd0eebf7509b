import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How the C allocator hands memory back, set once at start-up.
///
/// glibc raises its mmap threshold whenever a large block is freed (up to 32 MB), after which
/// the big arrays a run builds (a million open items, a million event keys) come from the heap,
/// where freed space is fragmented and never returned; and every thread that allocates gets its
/// own arena. Measured on the outbound benchmark (1,000,000 open items): peak RSS 248 MiB as
/// is, 220 MiB with blocks of 256 KiB and more always mapped (and so returned when freed) and
/// the heap trimmed above 1 MB. Environment variables `MALLOC_MMAP_THRESHOLD_` and
/// `MALLOC_TRIM_THRESHOLD_`, when set, win (glibc reads them first).
public enum MemoryTuning {
    /// Applies the settings; call once, first thing in `main`.
    public static func apply() {
        #if canImport(Glibc)
        let environment = ProcessInfo.environmentKeys
        if !environment.contains("MALLOC_MMAP_THRESHOLD_") { _ = glibcMallopt(-3, 256 * 1024) }  // M_MMAP_THRESHOLD
        if !environment.contains("MALLOC_TRIM_THRESHOLD_") { _ = glibcMallopt(-1, 1024 * 1024) }  // M_TRIM_THRESHOLD
        #endif
    }
}

#if canImport(Glibc)
/// glibc's `int mallopt(int param, int value)` (`<malloc.h>` is not part of the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

extension ProcessInfo {
    /// Names of the environment variables set (no values: nothing secret is read).
    fileprivate static var environmentKeys: Set<String> {
        Set(ProcessInfo.processInfo.environment.keys)
    }
}
