// Latency samples of one measurement and the percentiles the report shows.
// Record() is thread-safe and lock-free: samples go into a preallocated array;
// once it is full further samples are counted but not kept (the percentiles
// then describe the first `capacity` samples).
#ifndef WXBRIDGE_TESTS_BENCH_LATENCY_H_
#define WXBRIDGE_TESTS_BENCH_LATENCY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace wxbridge::bench {

struct Percentiles {
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  std::size_t samples = 0;
};

class LatencySamples {
 public:
  explicit LatencySamples(std::size_t capacity = 1 << 22);
  void Record(int64_t nanos);
  // Forgets every sample (not while Record may run concurrently with
  // Summarize).
  void Reset() { next_.store(0, std::memory_order_relaxed); }
  std::size_t count() const { return next_.load(std::memory_order_relaxed); }
  // Sorts the kept samples; call once recording has stopped.
  Percentiles Summarize();

 private:
  std::unique_ptr<int64_t[]> samples_;
  const std::size_t capacity_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_LATENCY_H_
