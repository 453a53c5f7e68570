// The gateway link at scrape time: upstream state, reconnects, frames and bytes each
// way, the write queue, calls in flight and each account's login status. Everything is
// read from counters the link keeps anyway (the ones GetStatus reports).
#ifndef WXBRIDGE_SERVER_METRICS_LINK_COLLECTOR_H_
#define WXBRIDGE_SERVER_METRICS_LINK_COLLECTOR_H_

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "server/bridge/gateway_link.h"

namespace wxbridge::metrics {

class LinkCollector final : public prometheus::Collectable {
 public:
  explicit LinkCollector(const bridge::GatewayLink* link) : link_(link) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const bridge::GatewayLink* const link_;
};

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_LINK_COLLECTOR_H_
