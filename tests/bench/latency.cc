#include "tests/bench/latency.h"

#include <algorithm>

namespace wxbridge::bench {

LatencySamples::LatencySamples(std::size_t capacity)
    : samples_(new int64_t[capacity]), capacity_(capacity) {}

void LatencySamples::Record(int64_t nanos) {
  const std::size_t at = next_.fetch_add(1, std::memory_order_relaxed);
  if (at < capacity_) samples_[at] = nanos;
}

Percentiles LatencySamples::Summarize() {
  const std::size_t n = std::min(count(), capacity_);
  Percentiles out;
  out.samples = n;
  if (n == 0) return out;
  int64_t *begin = samples_.get();
  std::sort(begin, begin + n);
  auto at = [&](double q) {
    const std::size_t i = std::min(n - 1, static_cast<std::size_t>(q * static_cast<double>(n)));
    return static_cast<double>(begin[i]) / 1000.0;
  };
  out.p50_us = at(0.50);
  out.p99_us = at(0.99);
  out.p999_us = at(0.999);
  out.max_us = static_cast<double>(begin[n - 1]) / 1000.0;
  return out;
}

}  // namespace wxbridge::bench
