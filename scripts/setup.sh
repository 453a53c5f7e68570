#!/usr/bin/env bash
# Installs everything wxbridge needs on Debian 12 (apt + buf from npm) and configures
# and builds it into build/. Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  cmake g++ ninja-build pkg-config lld
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev nlohmann-json3-dev libboost1.81-dev libssl-dev
  libgtest-dev libgmock-dev
  libpugixml-dev libqrencode-dev libpng-dev libsqlite3-dev prometheus-cpp-dev
  python3-grpcio python3-protobuf jq openssl
  # Cluster mode: the NATS C client; nats-server for the `cluster` tests.
  nats-server libnats-dev
  # Tests only: the web console's browser test drives it headless (tests/browser/).
  chromium
  # Cluster mode (the event log on NATS JetStream, server/cluster/) and its tests.
  nats-server libnats-dev
)
# Node: keep a preinstalled one (Debian's npm package would replace it).
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
scripts/apt_install.sh "${APT_PACKAGES[@]}"

# Node tools (buf for lint/curl, grpc-js for the Node example, puppeteer-core for the
# console's browser test; it drives Debian's chromium, so no browser is downloaded) live in
# build/tools.
mkdir -p build/tools
if [ ! -x build/tools/node_modules/.bin/buf ] || [ ! -d build/tools/node_modules/@grpc/grpc-js ] ||
   [ ! -d build/tools/node_modules/puppeteer-core ]; then
  echo "setup: installing @bufbuild/buf, @grpc/grpc-js, @grpc/proto-loader, puppeteer-core from npm"
  (cd build/tools && PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-audit --no-fund \
     @bufbuild/buf @grpc/grpc-js @grpc/proto-loader puppeteer-core >/dev/null) ||
    echo "setup: npm install failed; buf, Node and browser tests will be skipped" >&2
fi

# Build type: Release by default (the fastest full build on 2 cores, and what the
# benchmarks measure); WXBRIDGE_BUILD_TYPE=RelWithDebInfo or Debug for another.
BUILD_TYPE=${WXBRIDGE_BUILD_TYPE:-Release}
# A second build (e.g. Release for scripts/bench.sh) lives in its own folder; by default
# every target is built.
BUILD_DIR=${WXBRIDGE_BUILD_DIR:-build/cmake}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >/dev/null
cmake --build "$BUILD_DIR" -j "${WXBRIDGE_JOBS:-2}" ${WXBRIDGE_BUILD_TARGETS:+--target $WXBRIDGE_BUILD_TARGETS}
