#include "tests/bench/closed_loop.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace wxbridge::bench {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Shared by every slot; outlives the loop if a straggler completes late.
struct LoopState {
  explicit LoopState(const AsyncCall &c) : call(c) {}
  AsyncCall call;
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> window_start{0};
  std::atomic<int64_t> window_end{0};
  std::atomic<uint64_t> calls{0}, errors{0};
  LatencySamples latency;
  std::mutex mutex;
  std::condition_variable idle;
  int in_flight = 0;
};

void Issue(const std::shared_ptr<LoopState> &state) {
  const int64_t start = NowNs();
  state->call([state, start](bool ok) {
    const int64_t end = NowNs();
    const int64_t window_start = state->window_start.load(std::memory_order_acquire);
    const int64_t window_end = state->window_end.load(std::memory_order_acquire);
    if (window_start != 0 && end >= window_start && (window_end == 0 || end <= window_end)) {
      state->calls.fetch_add(1, std::memory_order_relaxed);
      if (!ok) state->errors.fetch_add(1, std::memory_order_relaxed);
      state->latency.Record(end - start);
    }
    if (!state->stopping.load(std::memory_order_acquire)) {
      Issue(state);
      return;
    }
    std::lock_guard<std::mutex> lock(state->mutex);
    if (--state->in_flight == 0) state->idle.notify_all();
  });
}

}  // namespace

LoopResult RunClosedLoop(const AsyncCall &call, int concurrency, std::chrono::milliseconds warmup,
                         std::chrono::milliseconds window, const LoopHooks &hooks) {
  auto state = std::make_shared<LoopState>(call);
  state->in_flight = concurrency;
  for (int i = 0; i < concurrency; ++i) Issue(state);

  std::this_thread::sleep_for(warmup);
  if (hooks.on_window_start) hooks.on_window_start();
  const int64_t start = NowNs();
  state->window_start.store(start, std::memory_order_release);
  std::this_thread::sleep_for(window);
  const int64_t end = NowNs();
  state->window_end.store(end, std::memory_order_release);
  if (hooks.on_window_end) hooks.on_window_end();
  state->stopping.store(true, std::memory_order_release);

  {
    // Calls still in flight finish (or time out at their deadline) before we
    // return.
    std::unique_lock<std::mutex> lock(state->mutex);
    state->idle.wait_for(lock, std::chrono::seconds(30), [&] { return state->in_flight == 0; });
  }
  LoopResult result;
  result.calls = state->calls.load();
  result.errors = state->errors.load();
  result.seconds = static_cast<double>(end - start) / 1e9;
  result.latency = state->latency.Summarize();
  return result;
}

}  // namespace wxbridge::bench
