#!/usr/bin/env bash
# Style and static checks, as CI runs them: clang-format on every tracked C++ file, then
# clang-tidy (.clang-tidy) on server/. Needs a configured build (compile_commands.json),
# which scripts/setup.sh makes; the build folder is WXBRIDGE_BUILD_DIR (build/cmake).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${WXBRIDGE_BUILD_DIR:-build/cmake}

mapfile -t sources < <(git ls-files '*.cc' '*.h')
echo "lint: clang-format on ${#sources[@]} files"
clang-format --dry-run --Werror "${sources[@]}"

if [ ! -f "$BUILD_DIR/compile_commands.json" ]; then
  echo "lint: no $BUILD_DIR/compile_commands.json; run scripts/setup.sh first" >&2
  exit 1
fi
echo "lint: clang-tidy on server/"
run-clang-tidy -p "$BUILD_DIR" -j "${WXBRIDGE_JOBS:-2}" -quiet '/server/.*\.cc$' \
  > "$BUILD_DIR/clang-tidy.log" 2>&1 || {
  sed 's/\x1b\[[0-9;]*m//g' "$BUILD_DIR/clang-tidy.log" | grep -E -A3 '(warning|error):' >&2
  echo "lint: clang-tidy found problems (full log: $BUILD_DIR/clang-tidy.log)" >&2
  exit 1
}
echo "lint: clean"
