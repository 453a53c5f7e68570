#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs wxbridge; with no --upstream it serves
# on 127.0.0.1:50051 in front of its embedded gateway simulator. Extra arguments go to
# wxbridge (see build/cmake/server/app/wxbridge --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >&2
exec "${WXBRIDGE_BUILD_DIR:-build/cmake}/server/app/wxbridge" "$@"
