#!/usr/bin/env bash
# Generates the EXAMPLE keys and certificates in this folder with the openssl CLI and
# ssh-keygen. These keys are public (committed to the repository): never use them for
# anything real. See README.md.
#
# Usage: keys-example/generate.sh [--force]
#   Without --force, files that already exist are kept (safe to re-run; it only fills gaps).
#   With --force, everything is regenerated.
# Validity: 10 years (3650 days) from generation. The committed certificates were generated on
# 2026-11-29 and expire on 2036-11-26 (04:43 UTC); `arlink keys check` warns 30 days before.
# After that date the demo refuses them as expired: regenerate with --force (and commit the new
# files). Tests never depend on these dates: they take their instants from the certificates.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
force=0
if [[ "${1:-}" == "--force" ]]; then force=1; fi
days=3650
umask 077

mkdir -p ca company partner ssh

need() { # need FILE... -> true when any is missing (or --force)
    if [[ $force -eq 1 ]]; then return 0; fi
    local f
    for f in "$@"; do [[ -e "$f" ]] || return 0; done
    return 1
}

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$1"; }
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -quiet -out "$1"; }

# make_ca NAME "SUBJECT"
make_ca() {
    local name="$1" subject="$2"
    need "ca/$name.key" "ca/$name.crt" || return 0
    ec_key "ca/$name.key"
    openssl req -new -x509 -key "ca/$name.key" -sha256 -days "$days" -subj "$subject" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "ca/$name.crt"
}

# make_leaf DIR/NAME KEYTYPE(ec|rsa) CA "SUBJECT" KEYUSAGE
make_leaf() {
    local base="$1" type="$2" ca="$3" subject="$4" usage="$5"
    need "$base.key" "$base.crt" || return 0
    if [[ "$type" == ec ]]; then ec_key "$base.key"; else rsa_key "$base.key"; fi
    local ext
    ext="$(mktemp)"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$usage" >"$ext"
    openssl req -new -key "$base.key" -subj "$subject" -out "$base.csr"
    openssl x509 -req -in "$base.csr" -CA "ca/$ca.crt" -CAkey "ca/$ca.key" -CAcreateserial \
        -sha256 -days "$days" -extfile "$ext" -out "$base.crt"
    rm -f "$base.csr" "$ext" "ca/$ca.srl"
}

make_ca company-ca "/O=Example Company/CN=Example Company Example CA"
make_ca partner-ca "/O=Acme Collect/CN=Acme Collect Example CA"

make_leaf company/signing ec company-ca "/O=Example Company/CN=Example Company AR signing" digitalSignature
make_leaf company/encryption rsa company-ca "/O=Example Company/CN=Example Company AR encryption" keyEncipherment
make_leaf company/archive ec company-ca "/O=Example Company/CN=Example Company AR archive" keyAgreement
make_leaf partner/signing rsa partner-ca "/O=Acme Collect/CN=Acme Collect signing" digitalSignature
make_leaf partner/encryption ec partner-ca "/O=Acme Collect/CN=Acme Collect encryption" keyAgreement

if need company/audit.key company/audit.pub; then
    openssl genpkey -algorithm ED25519 -out company/audit.key
    openssl pkey -in company/audit.key -pubout -out company/audit.pub
fi

for k in client_ed25519 host_ed25519; do
    if need "ssh/$k" "ssh/$k.pub"; then
        rm -f "ssh/$k" "ssh/$k.pub"
        ssh-keygen -q -t ed25519 -N "" -C "arlink-example-$k" -f "ssh/$k"
    fi
done

# Private keys owner-only, everything else readable. Git does not keep these modes, so a
# re-run after a fresh checkout (without --force) just restores them.
chmod 0600 ca/*.key company/*.key partner/*.key ssh/client_ed25519 ssh/host_ed25519
chmod 0644 ca/*.crt company/*.crt company/audit.pub partner/*.crt ssh/*.pub
chmod 0755 ca company partner ssh
echo "example keys ready in $here"
