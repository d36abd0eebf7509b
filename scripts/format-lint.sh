#!/usr/bin/env bash
# The house style check: `swift format lint --strict` with the repository's .swift-format over
# the sources, the tests and Package.swift. Prints each finding, then their count by rule and
# in all; exits non-zero when there is any.
#
# Usage: scripts/format-lint.sh
# (`swift format format -i --configuration .swift-format --recursive Sources Tests Package.swift`
# applies the fixable ones.)
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift format lint --strict --parallel --configuration .swift-format --recursive Sources Tests Package.swift >"$log" 2>&1 || status=$?
cat "$log"
findings=$(grep -cE '^[^ ]+\.swift:[0-9]+:[0-9]+: (warning|error):' "$log" || true)
if [ "$findings" -gt 0 ]; then
  echo "format-lint: findings by rule:"
  grep -oE '^[^ ]+\.swift:[0-9]+:[0-9]+: (warning|error): \[[A-Za-z]+\]' "$log" | grep -oE '\[[A-Za-z]+\]' | sort | uniq -c | sort -rn
fi
echo "format-lint: $findings findings"
if [ "$findings" -gt 0 ] || [ "$status" -ne 0 ]; then exit 1; fi
