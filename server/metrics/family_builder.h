// Builds prometheus-cpp MetricFamily values by hand, for collectors that read counts the
// bridge already keeps (or keeps in relaxed atomics) at scrape time instead of updating
// a prometheus-cpp instrument, and its mutex, on every event.
#ifndef WXBRIDGE_SERVER_METRICS_FAMILY_BUILDER_H_
#define WXBRIDGE_SERVER_METRICS_FAMILY_BUILDER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prometheus/metric_family.h"

namespace wxbridge::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// An empty family of `type`; its samples are added with AddSample.
prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type);

// Adds one sample with `labels` to a counter or gauge family; returns it so a histogram
// family's caller can fill its buckets.
prometheus::ClientMetric& AddSample(prometheus::MetricFamily* family, double value,
                                    const Labels& labels = {});

// Shorthands for a family holding one unlabelled sample.
prometheus::MetricFamily CounterOf(std::string name, std::string help, double value);
prometheus::MetricFamily GaugeOf(std::string name, std::string help, double value);

// "UPSTREAM_STATE_CONNECTED" with prefix "UPSTREAM_STATE_" -> "connected".
std::string EnumLabel(const std::string& name, std::string_view prefix);

// A state set: one series per value of a proto enum (1..max, 0 being UNSPECIFIED), 1 for
// the current one, so a dashboard can show the state and an alert can ask how long it has
// been 0 ("connected" for a minute).
template <typename Enum, typename Name, typename Valid>
void AddStateSet(prometheus::MetricFamily* family, const char* label, Enum current, int max,
                 Name name, Valid valid, std::string_view prefix, const Labels& labels = {}) {
  for (int value = 1; value <= max; ++value) {
    if (!valid(value)) continue;
    Labels with_state = labels;
    with_state.emplace_back(label, EnumLabel(name(static_cast<Enum>(value)), prefix));
    AddSample(family, static_cast<int>(current) == value ? 1 : 0, with_state);
  }
}

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_FAMILY_BUILDER_H_
