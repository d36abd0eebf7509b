#!/usr/bin/env bash
# Builds the envelope fuzz harness (libFuzzer + AddressSanitizer) into its own scratch path and
# runs it for SECONDS (default 30) on each target: the CMS open path (committed seed corpus),
# then the OpenPGP open path (keys and seed messages made here with gpg). CI: scripts/fuzz.sh 30
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
cleanup() {
  gpgconf --homedir "$work/pgp/gnupg" --kill gpg-agent >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp -R keys-example/company keys-example/partner "$work/"
chmod 600 "$work"/company/*.key "$work"/partner/*.key
mkdir -p "$work/corpus" .build-fuzz/artifacts
cp Tests/ARLinkEnvelopeTests/Fixtures/fuzz-corpus/* "$work/corpus/"

echo "== CMS open path"
ARLINK_FUZZ_KEYS="$work" .build-fuzz/debug/arlink-fuzz \
    -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=.build-fuzz/artifacts/cms- "$work/corpus"

# OpenPGP: the test keys (our us-ed, the partner's partner-ed and partner-rsa) and seed
# messages made by GnuPG as a partner would send them, plus ones we refuse.
echo "== OpenPGP open path"
pgp="$work/pgp"
bash Tests/ARLinkEnvelopeTests/Fixtures/make-openpgp-keys.sh "$pgp" >/dev/null
mkdir -p "$work/pgp-corpus"
head -c 1500 /dev/urandom | base64 > "$work/plain.txt"
g=(gpg --homedir "$pgp/gnupg" --batch --no-tty --pinentry-mode loopback --passphrase '' --yes --quiet)
us=$(cat "$pgp/us-ed.fpr")
"${g[@]}" -u "$(cat "$pgp/partner-ed.fpr")" -r "$us" --sign --encrypt --compress-algo none -o "$work/pgp-corpus/signed-encrypted.gpg" "$work/plain.txt"
"${g[@]}" -u "$(cat "$pgp/partner-rsa.fpr")" -r "$us" --sign --encrypt --compress-algo zlib -o "$work/pgp-corpus/rsa-zlib.gpg" "$work/plain.txt"
"${g[@]}" -u "$(cat "$pgp/partner-ed.fpr")" -r "$us" --sign --encrypt --armor -o "$work/pgp-corpus/armoured.asc" "$work/plain.txt"
"${g[@]}" -r "$us" --encrypt -o "$work/pgp-corpus/unsigned.gpg" "$work/plain.txt"
"${g[@]}" -u "$(cat "$pgp/partner-ed.fpr")" --sign -o "$work/pgp-corpus/signed-only.gpg" "$work/plain.txt"
"${g[@]}" --symmetric --passphrase x --cipher-algo AES256 -o "$work/pgp-corpus/symmetric.gpg" "$work/plain.txt"
head -c 512 /dev/urandom > "$work/pgp-corpus/garbage.bin"
ARLINK_FUZZ_FORMAT=openpgp ARLINK_FUZZ_PGP="$pgp" .build-fuzz/debug/arlink-fuzz \
    -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=.build-fuzz/artifacts/openpgp- "$work/pgp-corpus" 2>&1 \
  | grep -av '^\[[a-z_]*() \./src/'   # librnp's own diagnostics for every malformed input
