#!/usr/bin/env bash
# Benchmarks (docs/benchmarks.md): builds wxbench in Release (build/release, via
# scripts/setup.sh) and runs it: SendText through wxbridge side by side with a bare gRPC
# server and the raw WebSocket gateway at 1/16/256 in flight, then the Subscribe fan-out
# to 1/100/1000 streams, then metrics off vs on (three alternating rounds). Prints a table;
# writes build/bench/results.json. Takes about three minutes. Extra arguments go to
# wxbench (see build/release/tests/bench/wxbench --help), e.g. --target=host:port to
# measure another BridgeService implementation, --metrics_rounds=0 to skip metrics.
# --cluster runs only the cluster figures instead (docs/benchmarks.md "Cluster"): fan-out
# through a standalone bridge vs clusters of 1 and 3 replicas, then 20 failovers; it needs
# nats-server on PATH and says so (exit 0) when there is none. About two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
WXBRIDGE_BUILD_TYPE=Release WXBRIDGE_BUILD_DIR=build/release WXBRIDGE_BUILD_TARGETS=wxbench \
  scripts/setup.sh
exec build/release/tests/bench/wxbench --json=build/bench/results.json \
  --log_dir=build/bench "$@"
