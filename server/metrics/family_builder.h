// Builds prometheus-cpp MetricFamily values by hand, for collectors that read counts the
// bridge already keeps (or keeps in relaxed atomics) at scrape time instead of updating
// a prometheus-cpp instrument, and its mutex, on every event.
#ifndef WXBRIDGE_SERVER_METRICS_FAMILY_BUILDER_H_
#define WXBRIDGE_SERVER_METRICS_FAMILY_BUILDER_H_

#include <string>
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

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_FAMILY_BUILDER_H_
