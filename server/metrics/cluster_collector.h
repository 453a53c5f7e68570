// Cluster mode at scrape time (docs/cluster.md): this replica's role, the lease's term and
// expiry, NATS, and the calls forwarded each way. Read from the same ClusterStatus that
// GetStatus reports.
#ifndef WXBRIDGE_SERVER_METRICS_CLUSTER_COLLECTOR_H_
#define WXBRIDGE_SERVER_METRICS_CLUSTER_COLLECTOR_H_

#include <functional>
#include <utility>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::metrics {

class ClusterCollector final : public prometheus::Collectable {
 public:
  using Fill = std::function<void(wxbridge::v1::ClusterStatus*)>;
  explicit ClusterCollector(Fill fill) : fill_(std::move(fill)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const Fill fill_;
};

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_CLUSTER_COLLECTOR_H_
