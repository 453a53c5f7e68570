#include "server/metrics/metrics_endpoint.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"

namespace wxbridge::metrics {

// Every added collector as one Collectable: the exposer holds it by weak_ptr, the
// collectors themselves are owned by the components they read.
class MetricsEndpoint::CollectorList final : public prometheus::Collectable {
 public:
  void Add(const prometheus::Collectable* collector) { collectors_.push_back(collector); }
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> families;
    for (const prometheus::Collectable* collector : collectors_) {
      std::vector<prometheus::MetricFamily> more = collector->Collect();
      families.insert(families.end(), std::make_move_iterator(more.begin()),
                      std::make_move_iterator(more.end()));
    }
    return families;
  }

 private:
  std::vector<const prometheus::Collectable*> collectors_;  // fixed once serving
};

MetricsEndpoint::MetricsEndpoint() : collectors_(std::make_shared<CollectorList>()) {}
MetricsEndpoint::~MetricsEndpoint() { Stop(); }

void MetricsEndpoint::Add(const prometheus::Collectable* collector) { collectors_->Add(collector); }

absl::Status MetricsEndpoint::Start(const std::string& listen) {
  try {
    // One serving thread: scrapes come every few seconds, from one or two Prometheus.
    exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("--metrics_listen: cannot listen on ", listen, ": ", e.what()));
  }
  exposer_->RegisterCollectable(collectors_);
  const std::vector<int> ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? 0 : ports.front();
  return absl::OkStatus();
}

void MetricsEndpoint::Stop() { exposer_.reset(); }

}  // namespace wxbridge::metrics
