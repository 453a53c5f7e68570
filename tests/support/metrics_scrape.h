// Scraping a Prometheus endpoint in tests: an HTTP/1.0 GET of /metrics over a real
// loopback socket, and the text format read into series ("name{labels}" -> value).
#ifndef WXBRIDGE_TESTS_SUPPORT_METRICS_SCRAPE_H_
#define WXBRIDGE_TESTS_SUPPORT_METRICS_SCRAPE_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace wxbridge::testing {

class MetricsScrape {
 public:
  // The body of GET http://127.0.0.1:<port>/metrics, or why there is none (not a 200).
  static absl::StatusOr<MetricsScrape> Fetch(int port);
  explicit MetricsScrape(const std::string& body);

  // The value of the first series named `name` carrying every label given, as
  // name="value" pairs; nullopt when there is none.
  std::optional<double> Value(
      const std::string& name,
      const std::vector<std::pair<std::string, std::string>>& labels = {}) const;
  // Value(), or 0 when the series is absent (counters that have not started yet).
  double ValueOr0(const std::string& name,
                  const std::vector<std::pair<std::string, std::string>>& labels = {}) const;
  // Whether a "# TYPE name ..." line announces the family.
  bool HasFamily(const std::string& name) const;
  const std::string& body() const { return body_; }

 private:
  std::string body_;
  std::vector<std::pair<std::string, double>> series_;  // in the order served
};

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_SUPPORT_METRICS_SCRAPE_H_
