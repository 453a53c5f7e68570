#!/usr/bin/env bash
# Usage: fuzz.sh [SECONDS] [TARGET...]
# Builds every libFuzzer target (tests/fuzz/, in the ASan+UBSan tree of asan_build.sh)
# and runs each for SECONDS (default 60) on its kept corpus tests/fuzz/corpus/<target>/
# with the protocol dictionary, then prints executions, coverage edges and crashes per
# target. New inputs go to build/asan/fuzz/<target>/corpus (the kept corpus is not
# touched; copy an input there by hand to keep it); a crash leaves its input in
# build/asan/fuzz/<target>/ and makes the script exit 1. WXBRIDGE_FUZZ_JOBS=N runs N
# targets at once; WXBRIDGE_FUZZ_BUILD=0 runs the binaries as they are (e.g. while
# another build runs in the same tree).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
dir=${WXBRIDGE_ASAN_DIR:-build/asan}
mapfile -t all < <(cd tests/fuzz/corpus && ls)
targets=("${@:-${all[@]}}")
[ "${WXBRIDGE_FUZZ_BUILD:-1}" = 0 ] || scripts/asan_build.sh "${targets[@]}"

run_one() {
  local target=$1 out=$dir/fuzz/$1
  mkdir -p "$out/corpus"
  rm -f "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*
  # halt/abort as in the test suite; a leak stops the run like a crash.
  ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1 \
  UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
    "$dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -dict=tests/fuzz/protocol.dict -artifact_prefix="$out/" -print_final_stats=1 \
      "$out/corpus" "tests/fuzz/corpus/$target" >"$out/log.txt" 2>&1 || true
}

pids=()
for target in "${targets[@]}"; do
  run_one "$target" &
  pids+=($!)
  if ((${#pids[@]} >= ${WXBRIDGE_FUZZ_JOBS:-1})); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done

failed=0
printf '%-24s %12s %8s %8s %8s  %s\n' target executions exec/s edges corpus crashes
for target in "${targets[@]}"; do
  out=$dir/fuzz/$target
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log.txt")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/log.txt")
  edges=$(grep -o 'cov: [0-9]*' "$out/log.txt" | tail -n 1 | cut -d' ' -f2)
  corpus=$(grep -o 'corp: [0-9]*' "$out/log.txt" | tail -n 1 | cut -d' ' -f2)
  crashes=$(find "$out" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' \
              -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
  printf '%-24s %12s %8s %8s %8s  %s\n' "$target" "${runs:-?}" "${rate:-?}" "${edges:-?}" \
    "${corpus:-?}" "$crashes"
  if [ "$crashes" -ne 0 ] || [ -z "$runs" ]; then
    failed=1
    echo "fuzz: $target failed; the end of $out/log.txt:" >&2
    tail -n 40 "$out/log.txt" >&2
  fi
done
exit "$failed"
