// The process itself, from /proc/self at scrape time (Linux): CPU seconds, resident and
// virtual memory, open and allowed file descriptors, start time — under the standard
// process_* names every Prometheus client library uses, so existing dashboards and
// alerts apply — plus wxbridge_build_info{version,commit}.
#ifndef WXBRIDGE_SERVER_METRICS_PROCESS_COLLECTOR_H_
#define WXBRIDGE_SERVER_METRICS_PROCESS_COLLECTOR_H_

#include <string>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace wxbridge::metrics {

class ProcessCollector final : public prometheus::Collectable {
 public:
  ProcessCollector(std::string version, std::string commit)
      : version_(std::move(version)), commit_(std::move(commit)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string version_;
  const std::string commit_;
};

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_PROCESS_COLLECTOR_H_
