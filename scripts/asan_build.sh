#!/usr/bin/env bash
# Usage: asan_build.sh [TARGET...]
# Configures and builds the ASan+UBSan tree (build/asan, or WXBRIDGE_ASAN_DIR) with
# clang-14: every library also carries libFuzzer's coverage instrumentation, so one tree
# serves the test suite (scripts/sanitize.sh) and the fuzz targets (scripts/fuzz.sh).
# Lean flags (CMAKE_BUILD_TYPE=Sanitize: -O1, line tables only). Default: every target.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${WXBRIDGE_ASAN_DIR:-build/asan}
if command -v ccache >/dev/null 2>&1; then export CMAKE_CXX_COMPILER_LAUNCHER=ccache; fi
cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Sanitize \
  -DWXBRIDGE_SANITIZE=address -DWXBRIDGE_FUZZ=ON >/dev/null
cmake --build "$dir" -j "${WXBRIDGE_JOBS:-2}" ${1:+--target "$@"}
