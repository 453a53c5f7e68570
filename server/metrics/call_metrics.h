// Calls by service, method and status code, and a latency histogram per unary method:
// wxbridge_grpc_calls_total and wxbridge_grpc_call_duration_seconds (and the same for
// the HTTP port, wxbridge_http_*). Recording is a few
// relaxed atomic additions (no lock); the methods are fixed at construction, so a
// client naming unknown methods cannot grow the label set (they count as "other").
#ifndef WXBRIDGE_SERVER_METRICS_CALL_METRICS_H_
#define WXBRIDGE_SERVER_METRICS_CALL_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "server/metrics/latency_histogram.h"

namespace wxbridge::metrics {

class CallMetrics : public prometheus::Collectable {
 public:
  // Every method of the named services (looked up in the generated descriptor pool; a
  // service not linked in is skipped), e.g. "grpc.health.v1.Health".
  // `transport` names the families: wxbridge_<transport>_calls_total and
  // wxbridge_<transport>_call_duration_seconds ("grpc", or "http" for the HTTP port).
  explicit CallMetrics(const std::vector<std::string>& service_names,
                       std::string transport = "grpc");

  // The index of "/package.Service/Method", or of "other" when it is not one of them.
  std::size_t MethodIndex(const char* path) const;
  // One finished call. `latency` is recorded for unary calls only (a stream's duration
  // says nothing about the bridge's speed).
  void Record(std::size_t method, int code, bool unary, std::chrono::nanoseconds latency);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  static constexpr int kCodes = 17;  // grpc::StatusCode OK..UNAUTHENTICATED
  struct MethodStats {
    std::string service;
    std::string method;
    std::array<std::atomic<uint64_t>, kCodes> calls{};
    std::atomic<bool> unary_seen{false};
    LatencyHistogram latency;
  };

  const std::string transport_;
  std::vector<std::unique_ptr<MethodStats>> methods_;  // the last is "other"
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_CALL_METRICS_H_
