#!/usr/bin/env bash
# Usage: console_test.sh WXBRIDGE_BINARY SOURCE_DIR SCREENSHOT [token]
# The web console in headless chromium (console_test.js) against a live wxbridge with its
# embedded simulator, started by tests/polyglot/with_bridge.sh (which serves HTTP on a free
# loopback port). With "token", the bridge gets a tokens file with one random token, which
# the test types into the page. Exits 77 (skipped, for ctest), saying why, when chromium,
# node or puppeteer-core (scripts/setup.sh installs them) is missing.
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }

if [ "${1:-}" = --inside ]; then
  # Under with_bridge.sh, which serves HTTP on a free port and exports it.
  shift
  if [ -z "${WXBRIDGE_HTTP_PORT:-}" ]; then
    echo "console_test: with_bridge.sh exported no WXBRIDGE_HTTP_PORT" >&2
    exit 1
  fi
  exec node "$(dirname "$0")/console_test.js" "http://127.0.0.1:$WXBRIDGE_HTTP_PORT" "$@"
fi

bridge=$1 source_dir=$2 screenshot=$3 scenario=${4:-}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (Debian package chromium; scripts/setup.sh installs it)"
command -v node >/dev/null || skip "no node on PATH (scripts/setup.sh installs nodejs)"
export NODE_PATH=$source_dir/build/tools/node_modules CHROMIUM
[ -d "$NODE_PATH/puppeteer-core" ] ||
  skip "puppeteer-core not in build/tools/node_modules (scripts/setup.sh installs it with npm)"

# A scan delay long enough to see the QR image before the simulator scans it.
flags="--sim_scan_delay=2s"
token_args=()
if [ "$scenario" = token ]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  token=$(openssl rand -hex 32) || exit 1
  (umask 077 && printf '{"tokens": [{"name": "console-test", "sha256": "%s",
    "accounts": ["*"], "methods": ["*"]}]}\n' \
    "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" >"$scratch/tokens.json")
  flags="$flags --tokens_file=$scratch/tokens.json"
  token_args=("$token")
fi
mkdir -p "$(dirname "$screenshot")"
WXBRIDGE_TEST_FLAGS="$flags ${WXBRIDGE_TEST_FLAGS:-}" \
  "$source_dir/tests/polyglot/with_bridge.sh" "$bridge" "$0" --inside "$screenshot" "${token_args[@]}"
