#include "server/metrics/cluster_collector.h"

#include <string>

#include "google/protobuf/util/time_util.h"
#include "server/metrics/family_builder.h"

namespace wxbridge::metrics {

std::vector<prometheus::MetricFamily> ClusterCollector::Collect() const {
  wxbridge::v1::ClusterStatus status;
  fill_(&status);
  std::vector<prometheus::MetricFamily> families;

  prometheus::MetricFamily role =
      Family("wxbridge_cluster_role",
             "this replica's part in its cluster: 1 for the current one (holder: it alone is "
             "connected upstream)",
             prometheus::MetricType::Gauge);
  AddStateSet(
      &role, "role", status.role(), wxbridge::v1::ClusterRole_MAX,
      [](auto v) { return wxbridge::v1::ClusterRole_Name(v); }, wxbridge::v1::ClusterRole_IsValid,
      "CLUSTER_ROLE_");
  families.push_back(std::move(role));
  families.push_back(GaugeOf("wxbridge_cluster_lease_term",
                             "the upstream lease's term: it goes up with every new holder",
                             static_cast<double>(status.lease_term())));
  families.push_back(GaugeOf(
      "wxbridge_cluster_lease_expiry_seconds",
      "when the holder's lease expires unless renewed (unix time, as the holder wrote it)",
      static_cast<double>(
          google::protobuf::util::TimeUtil::TimestampToMilliseconds(status.lease_expiry())) /
          1000.0));
  families.push_back(GaugeOf("wxbridge_cluster_nats_connected",
                             "1 while this replica's connection to NATS is up",
                             status.nats_connected() ? 1 : 0));
  families.push_back(CounterOf("wxbridge_cluster_calls_forwarded_total",
                               "calls this replica sent to the holder of the upstream",
                               static_cast<double>(status.calls_forwarded())));
  families.push_back(CounterOf("wxbridge_cluster_calls_served_total",
                               "calls this replica ran for other replicas as the holder",
                               static_cast<double>(status.calls_served_for_others())));
  return families;
}

}  // namespace wxbridge::metrics
