#include "server/metrics/latency_histogram.h"

#include <algorithm>
#include <limits>

namespace wxbridge::metrics {

void LatencyHistogram::Observe(std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  const std::size_t bucket =
      std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin();
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(latency.count(), 0)),
                    std::memory_order_relaxed);
}

void LatencyHistogram::Fill(prometheus::ClientMetric* metric) const {
  uint64_t cumulative = 0;
  metric->histogram.bucket.clear();
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    metric->histogram.bucket.push_back(
        {cumulative, i < kBounds.size() ? kBounds[i] : std::numeric_limits<double>::infinity()});
  }
  metric->histogram.sample_count = cumulative;
  metric->histogram.sample_sum = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
}

}  // namespace wxbridge::metrics
