// Subscribe streams at scrape time: open streams, events delivered, gaps sent, and how
// far the slowest stream is behind the event log's head.
#ifndef WXBRIDGE_SERVER_METRICS_SUBSCRIBER_COLLECTOR_H_
#define WXBRIDGE_SERVER_METRICS_SUBSCRIBER_COLLECTOR_H_

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "server/events/event_store.h"
#include "server/rpc/subscriber_registry.h"

namespace wxbridge::metrics {

class SubscriberCollector final : public prometheus::Collectable {
 public:
  SubscriberCollector(const rpc::SubscriberRegistry* subscribers, const events::EventStore* log)
      : subscribers_(subscribers), log_(log) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const rpc::SubscriberRegistry* const subscribers_;
  const events::EventStore* const log_;
};

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_SUBSCRIBER_COLLECTOR_H_
