#include "tests/bench/metrics_bench.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/bench/fanout_bench.h"
#include "tests/bench/grpc_load.h"
#include "tests/bench/send_text_bench.h"

namespace wxbridge::bench {
namespace {

constexpr std::chrono::seconds kSetupTimeout(30);

absl::Status MeasureOneMode(const BenchOptions &options, BenchServers &servers, bool metrics,
                            BenchReport *report) {
  servers.UseMetrics(metrics);
  if (absl::Status status = servers.RestartBridge(); !status.ok()) return status;
  if (absl::Status status =
          WaitUpstreamConnected(MakeChannel(servers.bridge_target()), kSetupTimeout);
      !status.ok()) {
    return status;
  }
  const std::string label = metrics ? "metrics on" : "metrics off";
  for (int concurrency : options.metrics_concurrency) {
    absl::StatusOr<UnaryRow> row = MeasureBridgeSendText(options, servers, label, concurrency);
    if (!row.ok()) return row.status();
    report->unary.push_back(*std::move(row));
  }
  absl::StatusOr<FanoutRow> fanout =
      MeasureFanout(options, servers, options.metrics_subscribers, label);
  if (!fanout.ok()) return fanout.status();
  report->fanout.push_back(*std::move(fanout));
  return absl::OkStatus();
}

}  // namespace

absl::Status RunMetricsBench(const BenchOptions &options, BenchServers &servers,
                             BenchReport *report) {
  if (!servers.can_push() || servers.external_bridge()) {
    report->notes.push_back("metrics on/off skipped: it needs the bench's own bridge");
    return absl::OkStatus();
  }
  for (int round = 1; round <= options.metrics_rounds; ++round) {
    std::fprintf(stderr, " round %d of %d\n", round, options.metrics_rounds);
    for (bool metrics : {false, true}) {
      if (absl::Status status = MeasureOneMode(options, servers, metrics, report); !status.ok()) {
        return absl::UnavailableError(absl::StrCat("metrics ", metrics ? "on" : "off", ", round ",
                                                   round, ": ", status.message()));
      }
    }
  }
  servers.UseMetrics(false);
  return absl::OkStatus();
}

}  // namespace wxbridge::bench
