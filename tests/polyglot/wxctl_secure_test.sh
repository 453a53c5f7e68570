#!/usr/bin/env bash
# Usage: wxctl_secure_test.sh WXCTL   (under WXBRIDGE_TEST_SECURE=1 with_bridge.sh)
# wxctl against a bridge that serves TLS, requires a client certificate and a token:
# with all three it logs in, sends and subscribes; without the token it gets
# UNAUTHENTICATED; plaintext, no or a foreign client certificate, or a CA that did not
# sign the bridge's certificate fail to connect; unusable PEM files and tokens are usage
# errors (exit 2); and the token never appears in anything wxctl prints.
set -uo pipefail
wxctl=$1
: "${WXBRIDGE_TOKEN:?run under WXBRIDGE_TEST_SECURE=1 with_bridge.sh}"
tls=$WXBRIDGE_TEST_TLS_DIR
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0

# run NAME [VAR=VALUE...] -- ARGS...: wxctl ARGS with VAR=VALUE in its environment; its
# exit status in $status, its output in $out/NAME.out and .err (and $out/all).
run() {
  local name=$1
  shift
  local env=()
  while [ "$1" != -- ]; do env+=("$1"); shift; done
  shift
  env "${env[@]}" "$wxctl" "$@" >"$out/$name.out" 2>"$out/$name.err"
  status=$?
  cat "$out/$name.out" "$out/$name.err" >>"$out/all"
}

# expect NAME STATUS TEXT: the last run exited STATUS and printed TEXT (stdout or stderr).
expect() {
  local name=$1 want=$2 text=$3
  if [ "$status" -ne "$want" ]; then
    echo "FAIL: $name: exit status $status, want $want"
  elif ! cat "$out/$name.out" "$out/$name.err" | grep -qF -- "$text"; then
    echo "FAIL: $name: the output lacks: $text"
  else
    echo "ok: $name"
    return
  fi
  sed 's/^/  | /' "$out/$name.out" "$out/$name.err"
  failures=$((failures + 1))
}

no_tls=(WXBRIDGE_TLS_CA= WXBRIDGE_TLS_CERT= WXBRIDGE_TLS_KEY=)

# With TLS, the client certificate and the token (all from the environment).
run status -- status
expect status 0 '"upstreamState":"UPSTREAM_STATE_CONNECTED"'
run login-alice -- login --account=alice --qr_file="$out/alice.png"
expect login-alice 0 "alice: LOGGED_IN"
run login-bob -- login --account=bob --qr_file="$out/bob.png"
expect login-bob 0 "bob: LOGGED_IN"
bob=$(sed -n 's/.*(wxId \(.*\))$/\1/p' "$out/login-bob.out")
run send-text -- send-text --account=alice --to="$bob" --text="hello over TLS"
expect send-text 0 '{"ack":{"requestId":'
run subscribe -- subscribe --account=bob --kind=text --after_seq=0 --count=1
expect subscribe 0 '"text":"hello over TLS"'
run token-flag WXBRIDGE_TOKEN= -- --token="$WXBRIDGE_TOKEN" status
expect token-flag 0 '"upstreamState"'
run server-name -- --server=localhost:"$WXBRIDGE_PORT" --tls_server_name=localhost status
expect server-name 0 '"upstreamState"'

# No token, or one the bridge does not know: refused before anything is done.
run no-token WXBRIDGE_TOKEN= -- status
expect no-token 1 "ERROR: UNAUTHENTICATED"
expect no-token 1 "hint: the bridge wants a token"
run no-token-stream WXBRIDGE_TOKEN= -- subscribe --after_seq=0 --count=1
expect no-token-stream 1 "ERROR: UNAUTHENTICATED"
run no-token-send WXBRIDGE_TOKEN= -- send-text --account=alice --to="$bob" --text=unseen
expect no-token-send 1 "ERROR: UNAUTHENTICATED"
run unknown-token WXBRIDGE_TOKEN="$(openssl rand -hex 32)" -- status
expect unknown-token 1 "ERROR: UNAUTHENTICATED"

# The connection itself is refused: gRPC reports UNAVAILABLE.
run plaintext "${no_tls[@]}" -- --timeout=10s status
expect plaintext 1 "ERROR: UNAVAILABLE"
run no-client-cert WXBRIDGE_TLS_CERT= WXBRIDGE_TLS_KEY= -- --timeout=10s status
expect no-client-cert 1 "ERROR: UNAVAILABLE"
run stranger-cert WXBRIDGE_TLS_CERT="$tls/stranger.pem" WXBRIDGE_TLS_KEY="$tls/stranger.key" \
  -- --timeout=10s status
expect stranger-cert 1 "ERROR: UNAVAILABLE"
run wrong-ca WXBRIDGE_TLS_CA="$tls/stranger_ca.pem" -- --timeout=10s status
expect wrong-ca 1 "ERROR: UNAVAILABLE"
run wrong-name -- --tls_server_name=bridge.example.com --timeout=10s status
expect wrong-name 1 "ERROR: UNAVAILABLE"

# Usage errors: found before any call, exit 2.
run missing-ca WXBRIDGE_TLS_CA="$out/missing.pem" -- status
expect missing-ca 2 "--tls_ca: cannot read \"$out/missing.pem\""
echo "not a certificate" >"$out/not.pem"
run not-pem -- --tls_cert="$out/not.pem" status
expect not-pem 2 "--tls_cert: \"$out/not.pem\" is not a PEM file"
run cert-without-key WXBRIDGE_TLS_KEY= -- status
expect cert-without-key 2 "--tls_cert and --tls_key go together"
run cert-without-ca WXBRIDGE_TLS_CA= -- status
expect cert-without-ca 2 "need --tls_ca"
run token-newline WXBRIDGE_TOKEN="$WXBRIDGE_TOKEN"$'\n' -- status
expect token-newline 2 "printable ASCII"

# --help says where the token comes from, never what it is.
run help -- --help
expect help 0 '--token=TOKEN'
expect help 0 "(default \$WXBRIDGE_TOKEN)"
run command-help -- status --help
expect command-help 0 "(default \$WXBRIDGE_TOKEN)"

if grep -qF -- "$WXBRIDGE_TOKEN" "$out/all"; then
  echo "FAIL: the token appears in wxctl's output"
  failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] && echo "PASS: wxctl with TLS, a client certificate and a token"
[ "$failures" -eq 0 ]
