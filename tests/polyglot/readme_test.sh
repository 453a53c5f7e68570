#!/usr/bin/env bash
# Usage: readme_test.sh SOURCE_DIR BINARY_DIR PART [EXPECTED_TEXT...]   (under with_bridge.sh)
# Runs the README's commands for PART exactly as a reader would type them: the shell
# blocks marked <!-- readme-test: setup --> and <!-- readme-test: PART -->, in order, in
# a scratch directory laid out like a checkout (proto/, examples/, scripts/, and build/cmake
# -> BINARY_DIR), with 127.0.0.1:50051 replaced by the live bridge's $WXBRIDGE_SERVER
# and 127.0.0.1:8080 by its HTTP port ($WXBRIDGE_HTTP).
# Then checks that the output holds every EXPECTED_TEXT. Exits 77 (skipped) with the
# reason where PART's runtime is absent.
set -euo pipefail
source_dir=$1 binary_dir=$2 part=$3
shift 3

skip() { echo "SKIP: $*"; exit 77; }
case $part in
  session)
    command -v jq >/dev/null || skip "jq not found (apt-get install jq)" ;;
  buf)
    [ -x "$source_dir/build/tools/node_modules/.bin/buf" ] ||
      skip "buf not in build/tools/node_modules (scripts/setup.sh installs it with npm)" ;;
  python)
    [ -x /usr/bin/python3 ] || skip "/usr/bin/python3 not found (Debian package python3)"
    /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
      skip "/usr/bin/python3 lacks grpc (Debian packages python3-grpcio, python3-protobuf)"
    [ -f "$binary_dir/tests/polyglot/python/wxbridge/v1/bridge_service_pb2_grpc.py" ] ||
      skip "no Python stubs were generated (grpc_python_plugin not found at configure time)" ;;
  node)
    command -v node >/dev/null || skip "node not found (install Node 20, then scripts/setup.sh)"
    for package in @grpc/grpc-js @grpc/proto-loader; do
      [ -d "$source_dir/build/tools/node_modules/$package" ] ||
        skip "$package not in build/tools/node_modules (scripts/setup.sh installs it)"
    done ;;
esac

# The marked blocks: a marker arms the next ```sh fence.
script=$(awk -v part="$part" '
  $0 == "<!-- readme-test: setup -->" || $0 == "<!-- readme-test: " part " -->" { armed = 1; next }
  armed && /^```/ { if (inside) { inside = 0; armed = 0 } else { inside = 1 }; next }
  inside { print }
' "$source_dir/README.md")
script=${script//127.0.0.1:50051/$WXBRIDGE_SERVER}
[ -z "${WXBRIDGE_HTTP:-}" ] || script=${script//127.0.0.1:8080/$WXBRIDGE_HTTP}
if [ -z "$script" ]; then
  echo "FAIL: README.md has no blocks marked readme-test: $part"; exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/build"
for dir in proto examples scripts; do ln -s "$source_dir/$dir" "$work/$dir"; done
ln -s "$binary_dir" "$work/build/cmake"
[ -d "$source_dir/build/tools" ] && ln -s "$source_dir/build/tools" "$work/build/tools"

echo "--- README commands ($part) ---"
echo "$script"
echo "--- output ---"
cd "$work"
set +e
# As typed into a shell: stop at the first failing command, but no pipefail (the README
# pipes a stream into `head`, which ends it).
bash -eu -c "$script" >"$work/output" 2>&1
status=$?
set -e
cat "$work/output"
if [ "$status" -ne 0 ]; then
  echo "FAIL: the README's $part commands exited $status"; exit 1
fi
for expected in "$@"; do
  if ! grep -qF -- "$expected" "$work/output"; then
    echo "FAIL: the output lacks: $expected"; exit 1
  fi
done
echo "PASS: README $part commands"
