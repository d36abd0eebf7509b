#!/usr/bin/env bash
# Makes the OpenPGP test keys and peer key stores under OUT (TEST MATERIAL ONLY, never used
# outside the tests). Run by the OpenPGP tests once per test process:
#   make-openpgp-keys.sh OUT
# OUT/gnupg      a throwaway GNUPGHOME holding every key below (the GnuPG peer)
# OUT/rnp        an rnp home holding the same keys (the rnp CLI peer)
# OUT/NAME.pub   the certificate (gpg --export), OUT/NAME.sec the secret key (unprotected,
#                mode 0600), OUT/NAME.fpr the primary-key fingerprint, for NAME in:
#   us-ed       our key: Ed25519 primary (sign, certify) + Curve25519 encryption subkey
#   us-rsa      our key: RSA-3072 primary (sign, certify) + RSA-3072 encryption subkey
#   us-prot     like us-ed, protected by the passphrase in OUT/us-prot.pass
#   partner-ed  the partner's key, Ed25519 + Curve25519
#   partner-rsa the partner's key, RSA-3072 + RSA-3072
#   other-ed    somebody else's key (not pinned anywhere)
#   weak-rsa    RSA-2048 + RSA-2048 (too short)
#   expired     Ed25519 + Curve25519, made three days ago, expired two days ago
#   revoked     Ed25519 + Curve25519, revoked after it signed OUT/revoked-signed.gpg
#   nosign      Ed25519 primary that may only certify + Curve25519 encryption subkey
# OUT/expired-signed.gpg and OUT/revoked-signed.gpg: messages to us-ed signed by those keys
# while they were still valid (afterwards GnuPG refuses to sign with them).
set -euo pipefail
OUT="$1"
mkdir -p "$OUT/gnupg" "$OUT/rnp"
chmod 700 "$OUT/gnupg" "$OUT/rnp"
export GNUPGHOME="$OUT/gnupg"
# Every key is made three days in the past, so that one can have expired by now. The clock is
# frozen there ("!"): with a running faked clock a subkey made by a later, faster gpg process
# could be dated before its primary key, which GnuPG refuses ("Time conflict").
BORN=$(date -u -d '3 days ago' +%Y%m%dT%H%M%S)'!'
SIGNED=$(date -u -d '70 hours ago' +%Y%m%dT%H%M%S)
G=(gpg --batch --quiet --no-tty --pinentry-mode loopback)
cat > "$GNUPGHOME/gpg.conf" <<CONF
trust-model always
CONF

gen() { # NAME UID ALGO USAGE SUBALGO [extra gpg options...]
  local name="$1" uid="$2" algo="$3" usage="$4" subalgo="$5"; shift 5
  "${G[@]}" --faked-system-time "$BORN" --passphrase '' "$@" --quick-gen-key "$uid" "$algo" "$usage" never
  local fpr
  fpr=$("${G[@]}" --with-colons --list-keys "$uid" | awk -F: '/^fpr:/ {print $10; exit}')
  if [ -n "$subalgo" ]; then "${G[@]}" --faked-system-time "$BORN" --passphrase '' "$@" --quick-add-key "$fpr" "$subalgo" encr never; fi
  echo "$fpr" > "$OUT/$name.fpr"
}
export_key() { # NAME
  local name="$1" fpr
  fpr=$(cat "$OUT/$name.fpr")
  "${G[@]}" --export "$fpr" > "$OUT/$name.pub"
  # gpg-agent has once answered an export with "Corrupted protection" under libfaketime (CI's
  # clock-shifted run): a restarted agent exports the same key, so try up to three times.
  local attempt
  for attempt in 1 2 3; do
    if "${G[@]}" --passphrase '' --export-secret-keys "$fpr" > "$OUT/$name.sec"; then break; fi
    [ "$attempt" -lt 3 ] || return 1
    gpgconf --kill gpg-agent
  done
  chmod 600 "$OUT/$name.sec"
}

gen us-ed "Example Company AR <ar@company.example>" ed25519 sign,cert cv25519
gen us-rsa "Example Company AR RSA <ar-rsa@company.example>" rsa3072 sign,cert rsa3072
gen partner-ed "Acme Collect <ops@acme-collect.example>" ed25519 sign,cert cv25519
gen partner-rsa "Acme Collect RSA <ops-rsa@acme-collect.example>" rsa3072 sign,cert rsa3072
gen other-ed "Other Agency <ops@other.example>" ed25519 sign,cert cv25519
gen weak-rsa "Weak Agency <ops@weak.example>" rsa2048 sign,cert rsa2048
gen nosign "No Sign <ops@nosign.example>" ed25519 cert cv25519
for n in us-ed us-rsa partner-ed partner-rsa other-ed weak-rsa nosign; do export_key $n; done

# Protected copy of a key: its own key, passphrase in a 0600 file.
printf 'correct horse battery staple\n' > "$OUT/us-prot.pass"; chmod 600 "$OUT/us-prot.pass"
"${G[@]}" --faked-system-time "$BORN" --passphrase 'correct horse battery staple' --quick-gen-key "Example Company AR protected <ar-prot@company.example>" ed25519 sign,cert never
PFPR=$("${G[@]}" --with-colons --list-keys ar-prot@company.example | awk -F: '/^fpr:/ {print $10; exit}')
"${G[@]}" --faked-system-time "$BORN" --passphrase 'correct horse battery staple' --quick-add-key "$PFPR" cv25519 encr never
echo "$PFPR" > "$OUT/us-prot.fpr"
"${G[@]}" --export "$PFPR" > "$OUT/us-prot.pub"
"${G[@]}" --passphrase 'correct horse battery staple' --export-secret-keys "$PFPR" > "$OUT/us-prot.sec"
chmod 600 "$OUT/us-prot.sec"

printf 'a placement file signed by a key that is no longer valid\n' > "$OUT/old-plain.txt"
# Expired: made three days ago with a one-day lifetime; the message is signed 70 hours ago.
"${G[@]}" --faked-system-time "$BORN" --passphrase '' --quick-gen-key "Expired Agency <ops@expired.example>" ed25519 sign,cert 1d
EFPR=$("${G[@]}" --with-colons --list-keys ops@expired.example | awk -F: '/^fpr:/ {print $10; exit}')
"${G[@]}" --faked-system-time "$BORN" --passphrase '' --quick-add-key "$EFPR" cv25519 encr 1d
echo "$EFPR" > "$OUT/expired.fpr"
"${G[@]}" --faked-system-time "$SIGNED" --passphrase '' -u "$EFPR" -r "$(cat "$OUT/us-ed.fpr")" --compress-algo none \
  --sign --encrypt -o "$OUT/expired-signed.gpg" "$OUT/old-plain.txt"
export_key expired

# Revoked: signs a message, then is revoked with the revocation certificate GnuPG made.
gen revoked "Revoked Agency <ops@revoked.example>" ed25519 sign,cert cv25519
RFPR=$(cat "$OUT/revoked.fpr")
"${G[@]}" --passphrase '' -u "$RFPR" -r "$(cat "$OUT/us-ed.fpr")" --compress-algo none \
  --sign --encrypt -o "$OUT/revoked-signed.gpg" "$OUT/old-plain.txt"
sed 's/^:-----BEGIN/-----BEGIN/' "$GNUPGHOME/openpgp-revocs.d/$RFPR.rev" | "${G[@]}" --import
export_key revoked

# The rnp CLI's home: the same keys.
for n in us-ed us-rsa partner-ed partner-rsa other-ed weak-rsa; do
  rnpkeys --homedir "$OUT/rnp" --import "$OUT/$n.sec" >/dev/null 2>&1
done
gpgconf --homedir "$GNUPGHOME" --kill gpg-agent >/dev/null 2>&1 || true
