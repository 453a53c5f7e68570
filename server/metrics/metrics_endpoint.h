// The /metrics HTTP endpoint (prometheus-cpp's pull exposer) and the one place collectors
// are registered: each component's collector is added before Start and read at every
// scrape. To add metrics, implement prometheus::Collectable (family_builder.h helps) over
// counters your component keeps in relaxed atomics, and Add it in the server assembly.
#ifndef WXBRIDGE_SERVER_METRICS_METRICS_ENDPOINT_H_
#define WXBRIDGE_SERVER_METRICS_METRICS_ENDPOINT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace prometheus {
class Exposer;
}

namespace wxbridge::metrics {

class MetricsEndpoint {
 public:
  MetricsEndpoint();
  ~MetricsEndpoint();  // Stop()s.

  // Serves `collector` too; it must outlive Stop(). Before Start.
  void Add(const prometheus::Collectable* collector);
  // Listens on `listen` (host:port, port 0 picks one) and serves GET /metrics in the
  // Prometheus text format. UNAVAILABLE when it cannot listen.
  absl::Status Start(const std::string& listen);
  // The port in use, 0 before Start.
  int port() const { return port_; }
  // Closes the listener and waits for scrapes in progress. Idempotent.
  void Stop();

 private:
  class CollectorList;
  std::shared_ptr<CollectorList> collectors_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_METRICS_ENDPOINT_H_
