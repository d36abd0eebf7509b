#!/usr/bin/env bash
# Builds the test material for ARLinkEnvelopeTests in DIR with the openssl CLI:
# a private copy of keys-example (0600 keys) plus certificates the refusal tests need.
# Usage: make-test-material.sh KEYS_EXAMPLE_DIR DIR
set -euo pipefail
src="$1"
dir="$2"
umask 077
mkdir -p "$dir"
cp -R "$src/ca" "$src/company" "$src/partner" "$dir/"
chmod 600 "$dir"/ca/*.key "$dir"/company/*.key "$dir"/partner/*.key
cd "$dir"

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
leaf() { # leaf BASE CA_BASE SUBJECT USAGE
    local ext
    ext="$(mktemp)"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,%s\n' "$4" >"$ext"
    openssl req -new -key "$1.key" -subj "$3" -out "$1.csr"
    openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -sha256 -days 3650 \
        -extfile "$ext" -out "$1.crt" 2>/dev/null
    rm -f "$1.csr" "$ext" "$2.srl"
}

# An unpinned signer from another CA.
mkdir -p other
ec_key other/ca.key
openssl req -new -x509 -key other/ca.key -sha256 -days 3650 -subj "/CN=Other Agency CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out other/ca.crt
ec_key other/signing.key
leaf other/signing other/ca "/CN=Other Agency" digitalSignature

# A partner certificate without digitalSignature usage.
mkdir -p nods
ec_key nods/signing.key
leaf nods/signing ca/partner-ca "/O=Acme Collect/CN=Acme Collect no-sign" keyAgreement

# A CRL from the partner CA revoking the partner's signing certificate.
mkdir -p crl
touch crl/index.txt
echo 01 >crl/crlnumber
cat >crl/ca.cnf <<CNF
[ ca ]
default_ca = CA_default
[ CA_default ]
database = $dir/crl/index.txt
crlnumber = $dir/crl/crlnumber
default_md = sha256
default_crl_days = 3650
certificate = $dir/ca/partner-ca.crt
private_key = $dir/ca/partner-ca.key
CNF
openssl ca -config crl/ca.cnf -revoke partner/signing.crt 2>/dev/null
openssl ca -config crl/ca.cnf -gencrl -out crl/partner.crl 2>/dev/null
# An empty CRL from the same CA (nothing revoked).
touch crl/empty-index.txt
sed "s#crl/index.txt#crl/empty-index.txt#" crl/ca.cnf >crl/empty.cnf
openssl ca -config crl/empty.cnf -gencrl -out crl/empty.crl 2>/dev/null

# Encrypted private key and DER forms.
mkdir -p enc der
printf 'correct horse battery staple\n' >enc/passphrase
openssl pkey -in company/encryption.key -aes256 -passout file:enc/passphrase -out enc/encryption.key
openssl x509 -in company/signing.crt -outform DER -out der/signing.crt
openssl pkey -in company/signing.key -outform DER -out der/signing.key
chmod 600 enc/* der/*.key other/*.key nods/*.key
echo ok
