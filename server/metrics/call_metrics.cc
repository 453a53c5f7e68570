#include "server/metrics/call_metrics.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/status_code_enum.h"
#include "server/metrics/family_builder.h"

namespace wxbridge::metrics {
namespace {

const char* CodeName(int code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  return kNames[code];
}

}  // namespace

CallMetrics::CallMetrics(const std::vector<std::string>& service_names, std::string transport)
    : transport_(std::move(transport)) {
  for (const std::string& name : service_names) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
      auto stats = std::make_unique<MethodStats>();
      stats->service = name;
      stats->method = service->method(i)->name();
      index_.emplace(absl::StrCat("/", name, "/", stats->method), methods_.size());
      methods_.push_back(std::move(stats));
    }
  }
  auto other = std::make_unique<MethodStats>();
  other->service = "other";
  other->method = "other";
  methods_.push_back(std::move(other));
}

std::size_t CallMetrics::MethodIndex(const char* path) const {
  if (path != nullptr) {
    if (const auto it = index_.find(path); it != index_.end()) return it->second;
  }
  return methods_.size() - 1;
}

void CallMetrics::Record(std::size_t method, int code, bool unary,
                         std::chrono::nanoseconds latency) {
  MethodStats& stats = *methods_[method < methods_.size() ? method : methods_.size() - 1];
  stats.calls[code >= 0 && code < kCodes ? code : grpc::StatusCode::UNKNOWN].fetch_add(
      1, std::memory_order_relaxed);
  if (!unary) return;
  if (!stats.unary_seen.load(std::memory_order_relaxed)) {
    stats.unary_seen.store(true, std::memory_order_relaxed);
  }
  stats.latency.Observe(latency);
}

std::vector<prometheus::MetricFamily> CallMetrics::Collect() const {
  prometheus::MetricFamily calls =
      Family(absl::StrCat("wxbridge_", transport_, "_calls_total"),
             absl::StrCat(transport_,
                          " calls finished, by service, method and status code (Subscribe and "
                          "Watch streams count when they end)"),
             prometheus::MetricType::Counter);
  prometheus::MetricFamily latency =
      Family(absl::StrCat("wxbridge_", transport_, "_call_duration_seconds"),
             absl::StrCat("time from a unary ", transport_,
                          " call's arrival to its status, by service and method"),
             prometheus::MetricType::Histogram);
  for (const auto& stats : methods_) {
    for (int code = 0; code < kCodes; ++code) {
      const uint64_t count = stats->calls[code].load(std::memory_order_relaxed);
      // Codes never seen stay out: 17 mostly-zero series per method help nobody.
      if (count == 0 && code != grpc::StatusCode::OK) continue;
      AddSample(&calls, static_cast<double>(count),
                {{"service", stats->service}, {"method", stats->method}, {"code", CodeName(code)}});
    }
    if (stats->unary_seen.load(std::memory_order_relaxed)) {
      prometheus::ClientMetric& sample =
          AddSample(&latency, 0, {{"service", stats->service}, {"method", stats->method}});
      stats->latency.Fill(&sample);
    }
  }
  return {std::move(calls), std::move(latency)};
}

}  // namespace wxbridge::metrics
