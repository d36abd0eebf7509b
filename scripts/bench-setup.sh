#!/usr/bin/env bash
# Installs what `arlink-bench` compares arlink against and arlink itself does not need: DuckDB
# (Python package `duckdb` from PyPI) in a virtual environment of its own, for the DuckDB peer of
# `arlink-bench outbound`. Neither arlink nor the test suite uses it. Safe to run again.
#
#   scripts/bench-setup.sh [VENV]     (default: .build/bench-venv; the bench's --python option
#                                      takes VENV/bin/python)
set -euo pipefail
VENV="${1:-.build/bench-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c 'import duckdb' 2>/dev/null || "$VENV/bin/python" -m pip install -q 'duckdb>=1.1'
"$VENV/bin/python" -c 'import duckdb; print("bench peers ready: duckdb", duckdb.__version__, "in '"$VENV"'")'
