#!/usr/bin/env bash
# The README's first command, checked: scripts/run.sh starts the bridge on its embedded
# simulator, wxctl reaches it and sees the upstream connected, SIGTERM stops it with
# exit 0. Run by .ci/run after the test suite (scripts/test.sh has built everything).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${WXBRIDGE_BUILD_DIR:-build/cmake}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

scripts/run.sh --listen=127.0.0.1:0 >"$log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 600); do  # up to 120 s: run.sh re-checks the setup first
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "run_smoke: wxbridge exited early"; exit 1; }
  sleep 0.2
done
[ -n "$port" ] || { cat "$log"; echo "run_smoke: no port announced"; kill "$pid"; exit 1; }

connected=""
for _ in $(seq 1 100); do
  if "$build/client/wxctl" --server "127.0.0.1:$port" status | grep -q UPSTREAM_STATE_CONNECTED; then
    connected=yes
    break
  fi
  sleep 0.1
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
if [ -z "$connected" ] || [ "$rc" -ne 0 ]; then
  cat "$log"
  echo "run_smoke: connected=${connected:-no} exit=$rc"
  exit 1
fi
echo "run_smoke: scripts/run.sh served on port $port, upstream connected, SIGTERM -> exit 0"
