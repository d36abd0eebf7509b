#!/usr/bin/env bash
# Builds the envelope fuzz harness (libFuzzer + AddressSanitizer) into its own scratch path and
# runs it on the committed seed corpus for SECONDS (default 30). CI: scripts/fuzz.sh 30
# Exit status: 0 when no crash was found, non-zero (libFuzzer's) otherwise; crashing inputs
# are written to .build-fuzz/artifacts/.
set -euo pipefail
seconds="${1:-30}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# One --sanitize flag only: a second one silently drops the coverage instrumentation.
swift build -c debug --scratch-path .build-fuzz --product arlink-fuzz \
    --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R keys-example/company keys-example/partner "$work/"
chmod 600 "$work"/company/*.key "$work"/partner/*.key
mkdir -p "$work/corpus" .build-fuzz/artifacts
cp Tests/ARLinkEnvelopeTests/Fixtures/fuzz-corpus/* "$work/corpus/"

ARLINK_FUZZ_KEYS="$work" .build-fuzz/debug/arlink-fuzz \
    -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=.build-fuzz/artifacts/ "$work/corpus"
