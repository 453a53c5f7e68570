#!/usr/bin/env bash
# CI's sanitizer job (.ci/run, after lint; docs/reliability.md "Sanitizers and fuzzing"):
#  1. the whole ctest suite under ASan+UBSan (build/asan, scripts/asan_build.sh). Every
#     process — test binaries and the wxbridge/wxsim/wxctl children they start — inherits
#     halt_on_error, abort_on_error and a log_path, so any report lands in
#     build/asan/sanitizer-logs/; after ctest, a file there fails the job and is printed;
#  2. TSan (build/tsan) on the tests that do not drive gRPC (Debian's gRPC, abseil and
#     protobuf are not instrumented);
#  3. every libFuzzer target for WXBRIDGE_FUZZ_SECONDS (default 15) each (scripts/fuzz.sh;
#     the corpora were replayed by ctest in step 1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
asan_dir=${WXBRIDGE_ASAN_DIR:-build/asan}
tsan_dir=${WXBRIDGE_TSAN_DIR:-build/tsan}
jobs=${WXBRIDGE_JOBS:-2}
tsan_tests=(event_log_test upstream_client_test write_queue_test call_table_test
            call_runner_test account_book_test wakeup_dispatcher_test replica_window_test
            lease_value_test call_forwarder_test)
# call_forwarder_test runs its threads against a real nats-server in about a second.
# The other NATS-driven cluster tests (upstream_lease_test, jetstream_event_store_test) pass
# under TSan too, but they mostly exercise cnats's own (uninstrumented) threads: kept
# out of CI for its time budget; run them by hand with WXBRIDGE_TSAN_CLUSTER=1.
if [ "${WXBRIDGE_TSAN_CLUSTER:-0}" = 1 ]; then
  tsan_tests+=(upstream_lease_test jetstream_event_store_test)
fi
started=$SECONDS
step() { echo "sanitize: $* ($((SECONDS - started)) s)"; }

# Fails with the reports when a log folder holds any; the folder is emptied first by
# the caller's run so old reports cannot fail a new run.
check_logs() {
  local logs=$1
  if compgen -G "$logs/*" >/dev/null; then
    for report in "$logs"/*; do
      echo "==== $report" >&2
      cat "$report" >&2
    done
    echo "sanitize: sanitizer reports above (in $logs)" >&2
    return 1
  fi
}

# clang-14 and its sanitizer and libFuzzer runtimes build both trees.
scripts/apt_install.sh clang-14 libclang-rt-14-dev

step "building the ASan+UBSan tree in $asan_dir"
scripts/asan_build.sh
step "ctest under ASan+UBSan"
logs=$root/$asan_dir/sanitizer-logs
rm -rf "$logs" && mkdir -p "$logs"
status=0
(
  export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$logs/asan"
  export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
  export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
  cd "$asan_dir" && ctest --output-on-failure -j "$jobs"
) || status=1
check_logs "$logs" || status=1
[ "$status" -eq 0 ] || { echo "sanitize: ASan+UBSan run failed" >&2; exit 1; }

step "building the TSan tree in $tsan_dir (${#tsan_tests[@]} tests)"
if command -v ccache >/dev/null 2>&1; then export CMAKE_CXX_COMPILER_LAUNCHER=ccache; fi
cmake -S . -B "$tsan_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Sanitize \
  -DWXBRIDGE_SANITIZE=thread >/dev/null
cmake --build "$tsan_dir" -j "$jobs" --target "${tsan_tests[@]}"
step "TSan tests"
logs=$root/$tsan_dir/sanitizer-logs
rm -rf "$logs" && mkdir -p "$logs"
regex="^($(IFS='|'; echo "${tsan_tests[*]}"))\$"
(
  export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:log_path=$logs/tsan"
  cd "$tsan_dir" && ctest --output-on-failure -j "$jobs" -R "$regex"
) || status=1
check_logs "$logs" || status=1
[ "$status" -eq 0 ] || { echo "sanitize: TSan run failed" >&2; exit 1; }

step "fuzzing each target for ${WXBRIDGE_FUZZ_SECONDS:-15} s"
scripts/fuzz.sh "${WXBRIDGE_FUZZ_SECONDS:-15}"
step "clean"
