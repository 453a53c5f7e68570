#!/usr/bin/env bash
# Usage: operations_test.sh SOURCE_DIR   (under with_bridge.sh, WXBRIDGE_TEST_FLAGS=
#   "--log_format=json --log_level=info --metrics_listen=127.0.0.1:0")
# What an operator's tools see of the real binary: `buf curl` calls grpc.health.v1.Health
# Check and Watch through reflection alone (no proto files given), every line of the
# JSON log parses with jq and the audit line carries its fields, and /metrics counts the
# health calls. Exits 77 (skipped) where buf or jq is absent.
set -euo pipefail
source_dir=$1
buf=$source_dir/build/tools/node_modules/.bin/buf
[ -x "$buf" ] || { echo "SKIP: buf not in build/tools/node_modules (scripts/setup.sh)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not found (apt-get install jq)"; exit 77; }
url=http://$WXBRIDGE_SERVER
curl_grpc() { "$buf" curl --protocol grpc --http2-prior-knowledge "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
# Re-runs a command every 100 ms until it succeeds or 20 s pass.
retry() {
  local deadline=$((SECONDS + 20))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

echo "--- health through reflection"
methods=$(curl_grpc --list-methods "$url")
grep -qx "grpc.health.v1.Health/Watch" <<<"$methods" ||
  fail "reflection does not list grpc.health.v1.Health/Watch: $methods"
serving() {
  curl_grpc -d "{\"service\": \"$1\"}" "$url/grpc.health.v1.Health/Check" 2>&1 |
    tee "$scratch/check" | grep -q '"status": "SERVING"'
}
scratch=$(mktemp -d)
watch_pid=
trap '[ -z "$watch_pid" ] || kill "$watch_pid" 2>/dev/null; rm -rf "$scratch"' EXIT
retry serving "" || fail "Check(\"\"): $(cat "$scratch/check")"
retry serving wxbridge.v1.BridgeService ||
  fail "Check(wxbridge.v1.BridgeService): $(cat "$scratch/check")"
echo "Check: SERVING"
# Watch streams until cancelled: read its output until the first status arrives.
curl_grpc -d '{"service": "wxbridge.v1.BridgeService"}' "$url/grpc.health.v1.Health/Watch" \
  >"$scratch/watch" 2>&1 &
watch_pid=$!
retry grep -q '"status": "SERVING"' "$scratch/watch" || fail "Watch: $(cat "$scratch/watch")"
echo "Watch: SERVING"

echo "--- JSON log"
# A command call writes an audit line, whatever its outcome.
curl_grpc -d '{"account": "ops-test"}' "$url/wxbridge.v1.BridgeService/Login" >/dev/null
audit_line() {
  jq -e 'select(.component == "audit" and .method == "Login" and .account == "ops-test"
                and has("status") and has("token") and has("peer") and has("target"))' \
    "$WXBRIDGE_LOG" >/dev/null
}
retry audit_line || fail "no audit line for Login with its fields in the log"
lines=0
while IFS= read -r line; do
  lines=$((lines + 1))
  jq -e 'has("time") and has("level") and has("component") and has("message")' \
    <<<"$line" >/dev/null || fail "log line $lines is not a JSON log object: $line"
done <"$WXBRIDGE_LOG"
echo "$lines log lines, each one JSON object"

echo "--- metrics"
[ -n "${WXBRIDGE_METRICS_PORT:-}" ] || fail "the banner named no metrics port"
metrics_url=http://127.0.0.1:$WXBRIDGE_METRICS_PORT/metrics
counted() {
  curl -fsS "$metrics_url" >"$scratch/metrics" &&
    grep -q '^wxbridge_grpc_calls_total{.*method="Check".*code="OK".*} [1-9]' "$scratch/metrics"
}
retry counted || fail "health checks not counted: $(grep wxbridge_grpc_calls "$scratch/metrics")"
echo "OK"
