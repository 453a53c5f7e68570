#!/usr/bin/env bash
# Usage: unit_verify_test.sh UNIT_FILE WXBRIDGE_BINARY
# `systemd-analyze verify` on deploy/wxbridge.service, with ExecStart pointed at the
# built binary (verify checks that the command exists). systemd only warns about many
# mistakes (an unknown value, a misspelled key) and still exits 0, so any output fails
# too. Exits 77 (skipped) where systemd-analyze is not installed.
set -euo pipefail
unit=$1 binary=$2
command -v systemd-analyze >/dev/null ||
  { echo "SKIP: systemd-analyze not found (Debian package systemd)"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sed "s#/usr/local/bin/wxbridge#$binary#" "$unit" >"$scratch/wxbridge.service"
grep -q "^ExecStart=$binary " "$scratch/wxbridge.service" ||
  { echo "FAIL: no ExecStart=/usr/local/bin/wxbridge line to point at the build"; exit 1; }
status=0
output=$(systemd-analyze verify "$scratch/wxbridge.service" 2>&1) || status=$?
if [ "$status" -ne 0 ] || [ -n "$output" ]; then
  echo "FAIL: systemd-analyze verify (exit $status):"
  echo "$output"
  exit 1
fi
echo "OK: systemd-analyze verify passes on $(basename "$unit")"
