// A closed-loop load driver: keeps `concurrency` calls in flight, starting a
// new one each time one completes, for a warm-up and then a measured window.
// The call itself is abstract, so the same driver loads a gRPC server and a
// WebSocket gateway.
#ifndef WXBRIDGE_TESTS_BENCH_CLOSED_LOOP_H_
#define WXBRIDGE_TESTS_BENCH_CLOSED_LOOP_H_

#include <chrono>
#include <cstdint>
#include <functional>

#include "tests/bench/latency.h"

namespace wxbridge::bench {

// Starts one call; the callee runs `done(ok)` exactly once, on any thread, when
// the call completes. `done` may start the next call from inside itself.
using CallDone = std::function<void(bool ok)>;
using AsyncCall = std::function<void(CallDone done)>;

struct LoopResult {
  uint64_t calls = 0;   // completed inside the measured window
  uint64_t errors = 0;  // of those, failed
  double seconds = 0;   // length of the measured window
  Percentiles latency;  // of the calls completed inside the window
  double calls_per_second() const { return seconds > 0 ? calls / seconds : 0; }
};

// Hooks run at the window's edges (to read server CPU and RSS there).
struct LoopHooks {
  std::function<void()> on_window_start;
  std::function<void()> on_window_end;
};

LoopResult RunClosedLoop(const AsyncCall &call, int concurrency, std::chrono::milliseconds warmup,
                         std::chrono::milliseconds window, const LoopHooks &hooks = {});

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_CLOSED_LOOP_H_
