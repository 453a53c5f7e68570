#include "server/metrics/link_collector.h"

#include <string>

#include "server/metrics/family_builder.h"

namespace wxbridge::metrics {

std::vector<prometheus::MetricFamily> LinkCollector::Collect() const {
  wxbridge::v1::GetStatusResponse status;
  link_->FillStatus(&status);
  const wxbridge::v1::BridgeCounters& counters = status.counters();
  std::vector<prometheus::MetricFamily> families;

  prometheus::MetricFamily state =
      Family("wxbridge_upstream_state", "the gateway connection's state: 1 for the current one",
             prometheus::MetricType::Gauge);
  AddStateSet(
      &state, "state", status.upstream_state(), wxbridge::v1::UpstreamState_MAX,
      [](auto v) { return wxbridge::v1::UpstreamState_Name(v); },
      wxbridge::v1::UpstreamState_IsValid, "UPSTREAM_STATE_");
  families.push_back(std::move(state));
  families.push_back(CounterOf("wxbridge_upstream_reconnects_total",
                               "connections to the gateway after the first",
                               static_cast<double>(counters.reconnects())));
  families.push_back(CounterOf("wxbridge_upstream_frames_received_total",
                               "WebSocket frames received from the gateway",
                               static_cast<double>(counters.frames_received())));
  families.push_back(CounterOf("wxbridge_upstream_frames_sent_total",
                               "request frames written to the gateway",
                               static_cast<double>(counters.frames_sent())));
  families.push_back(CounterOf("wxbridge_upstream_received_bytes_total",
                               "bytes of frames received from the gateway",
                               static_cast<double>(link_->bytes_received())));
  families.push_back(CounterOf("wxbridge_upstream_sent_bytes_total",
                               "bytes of request frames written to the gateway",
                               static_cast<double>(link_->bytes_sent())));
  families.push_back(CounterOf("wxbridge_upstream_frames_unrecognized_total",
                               "gateway frames that did not decode (kept as unrecognized events)",
                               static_cast<double>(counters.frames_unrecognized())));
  families.push_back(GaugeOf("wxbridge_write_queue_frames",
                             "request frames waiting for the gateway (the one being written too)",
                             static_cast<double>(counters.frames_queued())));
  families.push_back(GaugeOf("wxbridge_write_queue_bytes",
                             "bytes of request frames waiting for the gateway (bounded by "
                             "--max_queue_bytes)",
                             static_cast<double>(counters.bytes_queued())));
  families.push_back(GaugeOf("wxbridge_calls_in_flight",
                             "gateway calls started and not yet answered",
                             static_cast<double>(counters.calls_in_flight())));
  families.push_back(CounterOf("wxbridge_gateway_calls_succeeded_total",
                               "gateway calls answered successfully",
                               static_cast<double>(counters.calls_succeeded())));
  families.push_back(CounterOf("wxbridge_gateway_calls_failed_total",
                               "gateway calls that ended with an error",
                               static_cast<double>(counters.calls_failed())));

  prometheus::MetricFamily login = Family("wxbridge_account_login_status",
                                          "each account's last login status: 1 for the current one",
                                          prometheus::MetricType::Gauge);
  for (const wxbridge::v1::AccountStatus& account : status.accounts()) {
    AddStateSet(&login, "status", account.last_status(), wxbridge::v1::LoginStatus_MAX,
                [](auto v) { return wxbridge::v1::LoginStatus_Name(v); },
                wxbridge::v1::LoginStatus_IsValid, "LOGIN_STATUS_",
                {{"account", account.account()}});
  }
  families.push_back(std::move(login));
  return families;
}

}  // namespace wxbridge::metrics
