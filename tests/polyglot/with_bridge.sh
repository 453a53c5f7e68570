#!/usr/bin/env bash
# Usage: with_bridge.sh WXBRIDGE_BINARY COMMAND [ARGS...]
# Runs COMMAND against a live wxbridge: starts the bridge on a free loopback port with its
# embedded simulator (fast simulated scans), waits for its "(port N)" line, exports
# WXBRIDGE_SERVER=127.0.0.1:N and WXBRIDGE_PORT=N, runs COMMAND, and stops the bridge.
# Exit status: COMMAND's (77 = skipped, for ctest), or 1 when the bridge itself did not
# exit 0 on SIGTERM (e.g. a sanitizer aborted it); its log is then printed, never lost.
set -uo pipefail
bridge=$1
shift

log=$(mktemp)
exec {bridge_out}< <(exec "$bridge" --listen=127.0.0.1:0 --sim_scan_delay=50ms \
                       --log_level=warning 2>"$log")
bridge_pid=$!
bridge_status=0
stop_bridge() {
  kill -TERM "$bridge_pid" 2>/dev/null
  wait "$bridge_pid" 2>/dev/null
  bridge_status=$?
}
trap 'stop_bridge; rm -f "$log"' EXIT

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
export WXBRIDGE_PORT=$port WXBRIDGE_SERVER=127.0.0.1:$port
"$@"
status=$?
trap 'rm -f "$log"' EXIT
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
