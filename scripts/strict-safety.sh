#!/usr/bin/env bash
# Strict memory safety (SE-0458) as an error: builds the package with its diagnostics and fails
# on any of them, and on `@exclusivity(unchecked)` or `unowned(unsafe)`, outside the modules
# that own the unsafe code (ARLinkSystem, ARLinkEnvelope, ARLinkTransport, the C shims), which
# compile without `.strictMemorySafety()`. Prints the unsafe constructs per 1,000 lines of each
# module as well (the target is at most 2 outside those modules).
#
# Usage: scripts/strict-safety.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Files whose rewrite to safe code is under way: their diagnostics are listed but do not fail
# the check yet. Remove an entry once its files are clean; with the list empty, every strict
# target is held to zero warnings.
pending=(
  Sources/ARLinkFormats/CSV/
  Sources/ARLinkFormats/Feedback/
  Sources/ARLinkFormats/ERPUpdates/
  Sources/ARLinkInbound/
)
exempt='^Sources/(ARLinkSystem|ARLinkEnvelope|ARLinkTransport|C[A-Za-z]*|arlink-fuzz|ARLinkTestSupport)/'

is_pending() {
  local file=$1 p
  for p in "${pending[@]}"; do [[ $file == "$p"* ]] && return 0; done
  return 1
}

# A separate build folder whose package modules are compiled afresh each time: the compiler
# reports a file's warnings only when it compiles it.
# CI passes STRICT_SAFETY_SCRATCH=.build to reuse the suite's build of the dependencies.
scratch=${STRICT_SAFETY_SCRATCH:-.build/strict-safety}
if [ -d "$scratch" ]; then
  find "$scratch" -maxdepth 3 -type d \( -name 'ARLink*.build' -o -name 'arlink*.build' \) -prune -exec rm -rf {} +
  find "$scratch" -maxdepth 4 -path '*Modules*' \( -name 'ARLink*' -o -name 'arlink*' \) -prune -exec rm -rf {} +
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build --scratch-path "$scratch" >"$log" 2>&1; then
  cat "$log"
  echo "strict-safety: the build failed" >&2
  exit 1
fi

root=$(pwd)/
failures=0
listed=0
while IFS= read -r line; do
  file=${line%%:*}
  file=${file#"$root"}
  if [[ $file =~ $exempt ]]; then continue; fi
  if is_pending "$file"; then
    listed=$((listed + 1))
  else
    echo "$file${line#*"$file"}"
    failures=$((failures + 1))
  fi
done < <(grep -E '^/[^ ]+\.swift:[0-9]+:[0-9]+: warning: .*\[#StrictMemorySafety\]' "$log" | sort -u)

while IFS= read -r hit; do
  file=${hit%%:*}
  if is_pending "$file"; then continue; fi
  echo "$hit: @exclusivity(unchecked) and unowned(unsafe) are not allowed"
  failures=$((failures + 1))
done < <(grep -rnE '@exclusivity\(unchecked\)|unowned\(unsafe\)' Sources --include='*.swift' || true)

echo "unsafe constructs per 1,000 lines (withUnsafe…, Unsafe…Pointer, @unchecked Sendable, nonisolated(unsafe), @exclusivity(unchecked), unowned(unsafe)):"
for dir in Sources/*/; do
  module=$(basename "$dir")
  files=$(find "$dir" -name '*.swift')
  [ -n "$files" ] || continue
  lines=$(cat $files | wc -l)
  count=$(cat $files | grep -oE 'withUnsafe|Unsafe(Mutable)?(Raw)?(Buffer)?Pointer|@unchecked Sendable|nonisolated\(unsafe\)|@exclusivity\(unchecked\)|unowned\(unsafe\)' | wc -l || true)
  note=""
  [[ $dir =~ $exempt ]] && note=" (owns unsafe code)"
  awk -v m="$module" -v l="$lines" -v c="$count" -v n="$note" 'BEGIN { printf "  %-20s %6d lines %4d constructs %6.2f per 1,000%s\n", m, l, c, c * 1000 / l, n }'
done

echo "strict-safety: $failures diagnostics in checked files, $listed in files still being rewritten (${pending[*]})"
[ "$failures" -eq 0 ]
