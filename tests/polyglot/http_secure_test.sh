#!/usr/bin/env bash
# Usage: http_secure_test.sh   (under WXBRIDGE_TEST_SECURE=1 with_bridge.sh)
# The HTTP port of a bridge that serves TLS, requires a client certificate and a token,
# with curl: with all three a call and the event stream work; without the token it is
# 401; plaintext, no client certificate, a foreign one, or a CA that did not sign the
# bridge's certificate fail the handshake; and the token appears in no answer.
set -uo pipefail
: "${WXBRIDGE_TOKEN:?run under WXBRIDGE_TEST_SECURE=1 with_bridge.sh}"
: "${WXBRIDGE_HTTP:?with_bridge.sh exported no HTTP port}"
command -v curl >/dev/null || { echo "SKIP: no curl"; exit 77; }
tls=$WXBRIDGE_TEST_TLS_DIR
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
url=https://$WXBRIDGE_HTTP

# check NAME WANT_EXIT WANT_TEXT -- CURL_ARGS...: curl's exit status and what it printed
# (its body, then "HTTP <code>").
check() {
  local name=$1 want_exit=$2 want_text=$3
  shift 4
  curl -sS --max-time 10 -w '\nHTTP %{http_code}\n' "$@" >"$out/$name" 2>&1
  local status=$?
  if [ "$status" -ne "$want_exit" ]; then
    echo "FAIL: $name: curl exited $status, want $want_exit"; failures=$((failures + 1))
  elif ! grep -qF -- "$want_text" "$out/$name"; then
    echo "FAIL: $name: the output lacks: $want_text"; failures=$((failures + 1))
  else
    echo "ok: $name"; return
  fi
  sed 's/^/  | /' "$out/$name"
}

mtls=(--cacert "$tls/ca.pem" --cert "$tls/client.pem" --key "$tls/client.key")
json=(-H 'Content-Type: application/json')
auth=(-H "Authorization: Bearer $WXBRIDGE_TOKEN")

check status-with-all 0 '"upstreamState":"UPSTREAM_STATE_CONNECTED"' -- \
  "${mtls[@]}" "${json[@]}" "${auth[@]}" -d '{}' "$url/v1/GetStatus"
check events-with-all 28 'event: hello' -- \
  "${mtls[@]}" "${auth[@]}" -N --max-time 2 "$url/v1/events?heartbeat_ms=500"
check no-token 0 'HTTP 401' -- "${mtls[@]}" "${json[@]}" -d '{}' "$url/v1/GetStatus"
check wrong-token 0 'HTTP 401' -- \
  "${mtls[@]}" "${json[@]}" -H 'Authorization: Bearer not-the-token' -d '{}' "$url/v1/GetStatus"
check plaintext 52 'HTTP 000' -- \
  "${json[@]}" "${auth[@]}" -d '{}' "http://$WXBRIDGE_HTTP/v1/GetStatus"
check no-client-certificate 56 '' -- \
  --cacert "$tls/ca.pem" "${json[@]}" "${auth[@]}" -d '{}' "$url/v1/GetStatus"
check foreign-client-certificate 56 '' -- \
  --cacert "$tls/ca.pem" --cert "$tls/stranger.pem" --key "$tls/stranger.key" \
  "${json[@]}" "${auth[@]}" -d '{}' "$url/v1/GetStatus"
check unknown-server-ca 60 '' -- \
  --cert "$tls/client.pem" --key "$tls/client.key" "${json[@]}" "${auth[@]}" -d '{}' \
  "$url/v1/GetStatus"

if grep -rqF -- "$WXBRIDGE_TOKEN" "$out"; then
  echo "FAIL: the token appears in an answer"; failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] && echo "PASS: the HTTP port over TLS with client certificates and tokens"
exit $((failures > 0))
