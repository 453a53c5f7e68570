// Send pacing at scrape time (docs/pacing.md): calls held and for how long, calls refused
// by the deadline or the loop guard, loops stopped, and the calls waiting now.
#ifndef WXBRIDGE_SERVER_METRICS_PACING_COLLECTOR_H_
#define WXBRIDGE_SERVER_METRICS_PACING_COLLECTOR_H_

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "server/pacing/send_pacer.h"

namespace wxbridge::metrics {

class PacingCollector final : public prometheus::Collectable {
 public:
  // `pacer` outlives the collector.
  explicit PacingCollector(const pacing::SendPacer* pacer) : pacer_(pacer) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const pacing::SendPacer* const pacer_;
};

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_PACING_COLLECTOR_H_
