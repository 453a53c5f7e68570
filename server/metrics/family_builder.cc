#include "server/metrics/family_builder.h"

#include "absl/strings/ascii.h"

namespace wxbridge::metrics {

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

prometheus::ClientMetric& AddSample(prometheus::MetricFamily* family, double value,
                                    const Labels& labels) {
  prometheus::ClientMetric& sample = family->metric.emplace_back();
  for (const auto& [name, label_value] : labels) sample.label.push_back({name, label_value});
  if (family->type == prometheus::MetricType::Counter) {
    sample.counter.value = value;
  } else {
    sample.gauge.value = value;
  }
  return sample;
}

prometheus::MetricFamily CounterOf(std::string name, std::string help, double value) {
  prometheus::MetricFamily family =
      Family(std::move(name), std::move(help), prometheus::MetricType::Counter);
  AddSample(&family, value);
  return family;
}

prometheus::MetricFamily GaugeOf(std::string name, std::string help, double value) {
  prometheus::MetricFamily family =
      Family(std::move(name), std::move(help), prometheus::MetricType::Gauge);
  AddSample(&family, value);
  return family;
}

std::string EnumLabel(const std::string& name, std::string_view prefix) {
  return absl::AsciiStrToLower(name.size() > prefix.size() ? name.substr(prefix.size()) : name);
}

}  // namespace wxbridge::metrics
