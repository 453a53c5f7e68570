#!/usr/bin/env bash
# The long chaos soak (docs/reliability.md, "Chaos soak"): builds wxsoak and wxbridge in
# Release (build/release, via scripts/setup.sh; WXBRIDGE_BUILD_DIR for another folder)
# and runs wxsoak for [seconds] (default 300) with a drop every 3 s (at least 100), then
# prints its table of figures. Exit status 0 when nothing was lost, duplicated or left
# hanging. Extra arguments go to wxsoak (see wxsoak --help), e.g. --seed=2 --subscribers=8.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=300
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then SECONDS_TO_RUN=$1; shift; fi
DROPS=$((SECONDS_TO_RUN / 3))
((DROPS >= 100)) || DROPS=100
BUILD_DIR=${WXBRIDGE_BUILD_DIR:-build/release}
WXBRIDGE_BUILD_TYPE=${WXBRIDGE_BUILD_TYPE:-Release} WXBRIDGE_BUILD_DIR=$BUILD_DIR \
  WXBRIDGE_BUILD_TARGETS="wxsoak wxbridge" scripts/setup.sh
mkdir -p build/soak
exec "$BUILD_DIR/tests/soak/wxsoak" --seconds="$SECONDS_TO_RUN" --drops="$DROPS" \
  --subscribers=8 --callers=6 --log_dir=build/soak "$@"
