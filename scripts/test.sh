#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${WXBRIDGE_BUILD_DIR:-build/cmake}"
ctest --output-on-failure -j 2 "$@"
