#!/usr/bin/env bash
# Runs the already built test suite again with the clock moved (libfaketime), so that no test
# depends on the day it runs or on the age of the committed example certificates.
#
# Usage: scripts/test-clock-shift.sh [OFFSET...]   (default: +365d -1d; build first with
#        `swift build --build-tests` or `swift test`)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=".build/debug/arlinkPackageTests.xctest"
[[ -x "$binary" ]] || { echo "test-clock-shift: $binary is missing: run swift build --build-tests first" >&2; exit 66; }
command -v faketime >/dev/null || { echo "test-clock-shift: faketime is missing: apt-get install -y faketime (scripts/setup.sh does)" >&2; exit 69; }
offsets=("$@")
[[ ${#offsets[@]} -gt 0 ]] || offsets=("+365d" "-1d")
for offset in "${offsets[@]}"; do
  echo "== test suite with the clock at $offset: $(faketime -f "$offset" date -u +%Y-%m-%dT%H:%M:%SZ)"
  # Only the wall clock moves: monotonic clocks (timeouts, dispatch timers) and file times
  # (stat, which libfaketime would otherwise shift for some calls and not for others) stay real.
  NO_FAKE_STAT=1 FAKETIME_DONT_FAKE_MONOTONIC=1 timeout 1800 faketime -f "$offset" "$binary" --testing-library swift-testing
done
