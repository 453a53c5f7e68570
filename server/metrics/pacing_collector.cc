#include "server/metrics/pacing_collector.h"

#include <chrono>

#include "server/metrics/family_builder.h"

namespace wxbridge::metrics {

std::vector<prometheus::MetricFamily> PacingCollector::Collect() const {
  const pacing::PacingCounters counters = pacer_->counters();
  double queued = 0;
  for (const pacing::AccountPacing& account : pacer_->Accounts(pacing::PaceClock::now())) {
    queued += account.queued;
  }
  std::vector<prometheus::MetricFamily> families;
  families.push_back(CounterOf("wxbridge_pacing_calls_held_total",
                               "calls held for their turn before their frame was queued",
                               static_cast<double>(counters.calls_held)));
  families.push_back(CounterOf("wxbridge_pacing_held_seconds_total",
                               "time calls spent held, summed",
                               std::chrono::duration<double>(counters.total_held).count()));
  prometheus::MetricFamily refused =
      Family("wxbridge_pacing_calls_refused_total",
             "calls refused RESOURCE_EXHAUSTED: their turn came after their deadline, or the "
             "loop guard stopped their chat",
             prometheus::MetricType::Counter);
  AddSample(&refused, static_cast<double>(counters.calls_refused_deadline),
            {{"reason", "deadline"}});
  AddSample(&refused, static_cast<double>(counters.calls_refused_loop), {{"reason", "loop"}});
  families.push_back(std::move(refused));
  families.push_back(CounterOf("wxbridge_pacing_loops_stopped_total",
                               "loop guard episodes (one LoopStopped event each)",
                               static_cast<double>(counters.loops_stopped)));
  families.push_back(
      GaugeOf("wxbridge_pacing_calls_queued", "calls held now, every account", queued));
  return families;
}

}  // namespace wxbridge::metrics
