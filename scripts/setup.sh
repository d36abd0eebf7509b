#!/usr/bin/env bash
# Installs the system packages arlink builds against and tests with (Debian/Ubuntu, as root
# or through sudo). Safe to run again.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Build: OpenSSL, libcurl and SQLite headers (C interop modules; GRDB and ARLinkStore's bulk
# writes call SQLite's C API).
# Peers: the openssl CLI (the partner's tool in the demo and the interop tests), OpenSSH's
# sshd and sftp (SFTP tests and benchmark), nginx (HTTPS tests), sqlite3 (audit tamper tests),
# Python's jsonschema and PyYAML (independent schema validation in the tests) and cryptography
# (an independent check of an audit export), libfaketime (the suite runs again with the clock a
# year ahead and a day behind), headless Chromium and Pillow (the KPI report page rendered to
# PNG and its pixels checked).
# OpenPGP: librnp (the CRNP module) and, as the partner's tools in the interop tests, GnuPG,
# the rnp CLI and Sequoia's sq.
$SUDO apt-get install -y -qq libssl-dev openssl libcurl4-openssl-dev openssh-server openssh-client \
  nginx sqlite3 libsqlite3-dev python3 python3-jsonschema python3-yaml python3-cryptography python3-pil faketime \
  librnp-dev rnp gnupg sq chromium >/dev/null
# arlink serve: systemd-analyze (the unit files in deploy/systemd are verified by the tests),
# curl (the tests' HTTP client), and Python's aiosmtpd (a real SMTP server with STARTTLS that
# receives the alert e-mails in the tests).
$SUDO apt-get install -y -qq systemd curl >/dev/null
# PostgreSQL state (issue 18): the server and psql for the ARLinkPostgres tests, which start a
# throwaway cluster with initdb/pg_ctl from /usr/lib/postgresql/*/bin (as the system user
# arlink-pg when run as root). Debian's package also starts a system cluster; the tests never use it.
$SUDO apt-get install -y -qq postgresql postgresql-client >/dev/null
python3 -c 'import jsonschema, yaml, cryptography, PIL' 2>/dev/null || python3 -m pip install -q jsonschema pyyaml cryptography pillow
python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install -q aiosmtpd
echo "arlink: system packages ready"
