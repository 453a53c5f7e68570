// A latency histogram with fixed buckets in relaxed atomics: Observe never locks, so any
// number of gRPC threads may record into one; Fill reads it at scrape time (the buckets
// of one scrape may be a few observations apart, which Prometheus tolerates).
#ifndef WXBRIDGE_SERVER_METRICS_LATENCY_HISTOGRAM_H_
#define WXBRIDGE_SERVER_METRICS_LATENCY_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "prometheus/client_metric.h"

namespace wxbridge::metrics {

class LatencyHistogram {
 public:
  // Upper bounds in seconds: from 250 µs (a call answered at once) to 30 s (the default
  // call timeout); slower ones land in +Inf.
  static constexpr std::array<double, 14> kBounds = {
      0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30};

  void Observe(std::chrono::nanoseconds latency);
  // Fills `metric`'s histogram: cumulative buckets, count and sum in seconds.
  void Fill(prometheus::ClientMetric* metric) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};  // the last is +Inf
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_LATENCY_HISTOGRAM_H_
