#include "server/metrics/subscriber_collector.h"

#include "server/metrics/family_builder.h"

namespace wxbridge::metrics {

std::vector<prometheus::MetricFamily> SubscriberCollector::Collect() const {
  const rpc::SubscriberRegistry::Stats stats = subscribers_->stats();
  // The head after the cursors: a cursor is never above it, so the lag is never negative.
  const uint64_t head = log_->head_seq();
  const uint64_t lag =
      stats.lowest_cursor && *stats.lowest_cursor < head ? head - *stats.lowest_cursor : 0;
  std::vector<prometheus::MetricFamily> families;
  families.push_back(
      GaugeOf("wxbridge_subscribers", "Subscribe streams open", static_cast<double>(stats.open)));
  families.push_back(CounterOf("wxbridge_subscriber_events_delivered_total",
                               "events written to Subscribe streams (one per stream it went to)",
                               static_cast<double>(stats.events_delivered)));
  families.push_back(CounterOf("wxbridge_subscriber_gaps_total",
                               "Gap messages sent: a stream resumed or fell behind past what "
                               "retention kept",
                               static_cast<double>(stats.gaps_sent)));
  families.push_back(GaugeOf("wxbridge_subscriber_max_lag_events",
                             "head seq minus the cursor of the slowest open stream (0 without "
                             "streams)",
                             static_cast<double>(lag)));
  return families;
}

}  // namespace wxbridge::metrics
