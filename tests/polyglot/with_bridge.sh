#!/usr/bin/env bash
# Usage: with_bridge.sh WXBRIDGE_BINARY COMMAND [ARGS...]
# Runs COMMAND against a live wxbridge: starts the bridge on a free loopback port with its
# embedded simulator (fast simulated scans) and its HTTP port on another, waits for its
# "(port N)" line, exports WXBRIDGE_SERVER=127.0.0.1:N, WXBRIDGE_PORT=N,
# WXBRIDGE_HTTP=127.0.0.1:H, WXBRIDGE_HTTP_PORT=H and WXBRIDGE_LOG (the bridge's stderr),
# runs COMMAND, and stops the bridge. WXBRIDGE_TEST_FLAGS adds flags (space-separated);
# with --metrics_listen among them, WXBRIDGE_METRICS_PORT is exported too.
# Exit status: COMMAND's (77 = skipped, for ctest), or 1 when the bridge itself did not
# exit 0 on SIGTERM (e.g. a sanitizer aborted it); its log is then printed, never lost.
#
# With WXBRIDGE_TEST_SECURE=1 the bridge serves TLS, requires a client certificate and a
# token: test certificates (tests/tls/make_test_certs.sh) and a tokens file with one
# random all-scopes token are made in a scratch directory, and WXBRIDGE_TOKEN,
# WXBRIDGE_TLS_CA, WXBRIDGE_TLS_CERT, WXBRIDGE_TLS_KEY and WXBRIDGE_TEST_TLS_DIR (the
# certificates, e.g. stranger.pem) are exported for COMMAND. The token is never printed.
set -uo pipefail
bridge=$1
shift

scratch=$(mktemp -d)
log=$scratch/bridge.log
secure_flags=()
if [ "${WXBRIDGE_TEST_SECURE:-0}" = 1 ]; then
  tls=$scratch/tls
  if ! "$(dirname "$0")/../tls/make_test_certs.sh" "$tls"; then
    echo "with_bridge: make_test_certs.sh failed (is the openssl CLI installed?)" >&2
    rm -rf "$scratch"
    exit 1
  fi
  WXBRIDGE_TOKEN=$(openssl rand -hex 32)
  token_sha256=$(printf %s "$WXBRIDGE_TOKEN" | sha256sum | cut -d' ' -f1)
  (umask 077 && printf '{"tokens": [{"name": "with-bridge", "sha256": "%s",
    "accounts": ["*"], "methods": ["*"]}]}\n' "$token_sha256" >"$scratch/tokens.json")
  secure_flags=(--tls_cert="$tls/server.pem" --tls_key="$tls/server.key"
                --tls_client_ca="$tls/ca.pem" --tls_client_auth=require
                --tokens_file="$scratch/tokens.json")
  export WXBRIDGE_TOKEN WXBRIDGE_TLS_CA=$tls/ca.pem WXBRIDGE_TLS_CERT=$tls/client.pem \
         WXBRIDGE_TLS_KEY=$tls/client.key WXBRIDGE_TEST_TLS_DIR=$tls
fi

exec {bridge_out}< <(exec "$bridge" --listen=127.0.0.1:0 --http_listen=127.0.0.1:0 \
                       --data_dir= --sim_scan_delay=50ms \
                       --log_level=warning "${secure_flags[@]}" ${WXBRIDGE_TEST_FLAGS:-} 2>"$log")
bridge_pid=$!
bridge_status=0
stop_bridge() {
  kill -TERM "$bridge_pid" 2>/dev/null
  wait "$bridge_pid" 2>/dev/null
  bridge_status=$?
}
trap 'stop_bridge; rm -rf "$scratch"' EXIT

# The first stdout line announces the port; bounded by read's own timeout.
if ! IFS= read -r -t 30 -u "$bridge_out" banner; then
  echo "with_bridge: wxbridge printed no banner within 30 s; its log:" >&2
  cat "$log" >&2
  exit 1
fi
port=$(sed -n 's/.*(port \([0-9][0-9]*\)).*/\1/p' <<<"$banner")
if [ -z "$port" ]; then
  echo "with_bridge: no port in \"$banner\"" >&2
  exit 1
fi
echo "with_bridge: $banner"
export WXBRIDGE_PORT=$port WXBRIDGE_SERVER=127.0.0.1:$port WXBRIDGE_LOG=$log
metrics_port=$(sed -n 's/.*metrics on port \([0-9][0-9]*\).*/\1/p' <<<"$banner")
[ -z "$metrics_port" ] || export WXBRIDGE_METRICS_PORT=$metrics_port
http_port=$(sed -n 's/.*http on port \([0-9][0-9]*\).*/\1/p' <<<"$banner")
[ -z "$http_port" ] || export WXBRIDGE_HTTP_PORT=$http_port WXBRIDGE_HTTP=127.0.0.1:$http_port
"$@"
status=$?
trap 'rm -rf "$scratch"' EXIT
stop_bridge
if [ "$bridge_status" -ne 0 ]; then
  echo "with_bridge: wxbridge exited with status $bridge_status" >&2
  status=1
fi
if [ "$status" -ne 0 ] && [ "$status" -ne 77 ] && [ -s "$log" ]; then
  echo "with_bridge: wxbridge log:" >&2
  cat "$log" >&2
fi
exit "$status"
