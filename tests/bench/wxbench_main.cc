// wxbench: the load generator. Starts the simulator, the bare gRPC ceiling and
// wxbridge as separate processes (or uses --target / --sim), measures SendText
// against all three and the Subscribe fan-out, prints a table and writes JSON.
// See README "## Benchmarks".
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "server/common/fd_limit.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/bench_servers.h"
#include "tests/bench/cluster_bench.h"
#include "tests/bench/fanout_bench.h"
#include "tests/bench/metrics_bench.h"
#include "tests/bench/send_text_bench.h"

ABSL_FLAG(std::string, target, "",
          "host:port of a running wxbridge.v1.BridgeService to measure instead "
          "of starting "
          "wxbridge (it must be connected to the simulator at --sim, or to the "
          "bench's own "
          "one on --sim_port)");
ABSL_FLAG(std::string, bridge_binary, WXBENCH_BRIDGE_BINARY,
          "the wxbridge binary to start (e.g. an older build, to compare)");
ABSL_FLAG(int, target_pid, 0, "pid of --target, to measure its CPU and RSS");
ABSL_FLAG(std::string, sim, "", "ws://host:port/ws of a running simulator (echo mode)");
ABSL_FLAG(int, sim_pid, 0, "pid of --sim, to measure its CPU");
ABSL_FLAG(int, sim_port, 0, "port of the bench's own simulator (0: any free one)");
ABSL_FLAG(std::string, auth_key, "wxsim-key", "the simulator's authKey");
ABSL_FLAG(std::string, targets, "grpc-ceiling,ws-ceiling,wxbridge",
          "what SendText measures, comma-separated; without wxbridge no bridge is started "
          "and fan-out is skipped");
ABSL_FLAG(std::string, concurrency, "1,16,256", "SendText calls in flight, comma-separated");
ABSL_FLAG(std::string, subscribers, "1,100,1000", "Subscribe stream counts, comma-separated");
ABSL_FLAG(std::string, stall_at, "100",
          "subscriber counts at which one stalled stream is added (comma-separated)");
ABSL_FLAG(int, channels, 0,
          "connections the fan-out Subscribe streams are spread over (0: one per stream)");
ABSL_FLAG(int, max_batch, 256,
          "SubscribeRequest.max_batch of the fan-out streams (1: one event per message)");
ABSL_FLAG(std::string, unbatched_at, "100",
          "subscriber counts at which the full-speed fan-out is repeated with max_batch 1");
ABSL_FLAG(int, payload, 64, "bytes of text per SendText and per pushed event");
ABSL_FLAG(int, window_ms, 2000, "measured window per SendText cell");
ABSL_FLAG(int, warmup_ms, 300, "warm-up before each window");
ABSL_FLAG(int, deliveries, 2000000, "deliveries per full-speed fan-out run");
ABSL_FLAG(int, fixed_rate_deliveries, 50000,
          "deliveries/s of the fixed-rate fan-out runs (event rate = this / "
          "subscribers)");
ABSL_FLAG(std::string, json, "build/bench/results.json", "where to write the JSON");
ABSL_FLAG(std::string, log_dir, "build/bench", "where the servers' logs go");
ABSL_FLAG(bool, smoke, false, "a ~2 s run with tiny counts: checks the harness works");
ABSL_FLAG(bool, fanout, true, "run the fan-out part");
ABSL_FLAG(bool, storage, true,
          "run the event-storage part: memory vs the durable log (--durability os, sync) at 1 "
          "subscriber");
ABSL_FLAG(bool, send_text, true, "run the SendText part");
ABSL_FLAG(bool, cluster, false,
          "run only the cluster benchmarks (issue 15): fan-out through a standalone bridge vs "
          "clusters of 1 and 3 replicas, then failover times; needs nats-server on PATH");
ABSL_FLAG(int, cluster_rounds, 3, "--cluster: alternating rounds of the fan-out comparison");
ABSL_FLAG(int, cluster_subscribers, 100, "--cluster: Subscribe streams, spread over the replicas");
ABSL_FLAG(int, failover_kills, 20, "--cluster: kills of the holder timed (0 skips failover)");
ABSL_FLAG(int, lease_ttl_ms, 2000, "--cluster: the replicas' --lease_ttl, in milliseconds");
ABSL_FLAG(std::string, nats_server, "", "--cluster: the nats-server binary (empty: from PATH)");
ABSL_FLAG(int, metrics_rounds, 3,
          "rounds of the metrics on/off comparison (SendText at 16 and 256 in flight, fan-out "
          "to 100 subscribers, each with --metrics_listen off then on); 0 skips it");

namespace {

using wxbridge::bench::BenchOptions;

bool ParseList(const std::string &text, std::vector<int> *out) {
  out->clear();
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int value = 0;
    if (!absl::SimpleAtoi(part, &value) || value <= 0) return false;
    out->push_back(value);
  }
  return !out->empty();
}

int Fail(const std::string &message) {
  std::fprintf(stderr, "wxbench: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char **argv) {
  absl::SetProgramUsageMessage(
      "wxbench: SendText and Subscribe fan-out "
      "through wxbridge, side by side with a bare "
      "gRPC server and the raw WebSocket gateway.");
  absl::ParseCommandLine(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  wxbridge::RaiseOpenFileLimit();  // a connection per subscriber; inherited by the servers

  BenchOptions options;
  options.bridge_binary = absl::GetFlag(FLAGS_bridge_binary);
  options.ceiling_binary = WXBENCH_CEILING_BINARY;
  options.sim_binary = WXBENCH_SIM_BINARY;
  options.target = absl::GetFlag(FLAGS_target);
  options.target_pid = absl::GetFlag(FLAGS_target_pid);
  options.sim_url = absl::GetFlag(FLAGS_sim);
  options.sim_pid = absl::GetFlag(FLAGS_sim_pid);
  options.sim_port = absl::GetFlag(FLAGS_sim_port);
  options.auth_key = absl::GetFlag(FLAGS_auth_key);
  if (!ParseList(absl::GetFlag(FLAGS_concurrency), &options.concurrency) ||
      !ParseList(absl::GetFlag(FLAGS_subscribers), &options.subscribers)) {
    return Fail(
        "--concurrency and --subscribers take positive integers, "
        "comma-separated");
  }
  ParseList(absl::GetFlag(FLAGS_stall_at), &options.stall_at);
  ParseList(absl::GetFlag(FLAGS_unbatched_at), &options.unbatched_at);
  options.max_batch = std::max(1, absl::GetFlag(FLAGS_max_batch));
  options.targets = absl::StrSplit(absl::GetFlag(FLAGS_targets), ',', absl::SkipEmpty());
  options.subscriber_channels = absl::GetFlag(FLAGS_channels);
  options.payload_bytes = static_cast<std::size_t>(std::max(1, absl::GetFlag(FLAGS_payload)));
  options.window = std::chrono::milliseconds(absl::GetFlag(FLAGS_window_ms));
  options.warmup = std::chrono::milliseconds(absl::GetFlag(FLAGS_warmup_ms));
  options.max_rate_deliveries = static_cast<std::size_t>(absl::GetFlag(FLAGS_deliveries));
  options.fixed_rate_deliveries = absl::GetFlag(FLAGS_fixed_rate_deliveries);
  options.metrics_rounds = absl::GetFlag(FLAGS_metrics_rounds);
  options.cluster_rounds = absl::GetFlag(FLAGS_cluster_rounds);
  options.cluster_subscribers = std::max(1, absl::GetFlag(FLAGS_cluster_subscribers));
  options.failover_kills = absl::GetFlag(FLAGS_failover_kills);
  options.nats_server = absl::GetFlag(FLAGS_nats_server);
  options.lease_ttl = std::chrono::milliseconds(absl::GetFlag(FLAGS_lease_ttl_ms));
  options.json_path = absl::GetFlag(FLAGS_json);
  options.log_dir = absl::GetFlag(FLAGS_log_dir);
  if (absl::GetFlag(FLAGS_smoke)) {
    options.concurrency = {1, 4};
    options.subscribers = {1, 4};
    options.stall_at = {4};
    options.unbatched_at = {4};
    options.window = std::chrono::milliseconds(150);
    options.warmup = std::chrono::milliseconds(50);
    options.max_rate_deliveries = 2000;
    options.fixed_rate_deliveries = 400;
    options.fixed_rate_duration = std::chrono::milliseconds(150);
    options.storage_rate = 1000;
    options.metrics_rounds = std::min(options.metrics_rounds, 1);
    options.metrics_concurrency = {4};
    options.metrics_subscribers = 4;
    // --cluster --smoke: one round of a few events to 4 streams, one failover.
    options.cluster_rounds = 1;
    options.cluster_subscribers = 4;
    options.cluster_max_deliveries = 2000;
    options.failover_kills = std::min(options.failover_kills, 1);
  }

  wxbridge::bench::BenchReport report;
  report.machine = wxbridge::bench::ReadMachineInfo();
  report.subscribe_max_batch = options.max_batch;
  report.payload_bytes = options.payload_bytes;
  report.window_seconds = std::chrono::duration<double>(options.window).count();

  wxbridge::bench::BenchServers servers(options);
  std::error_code ignored;
  std::filesystem::create_directories(options.log_dir, ignored);
  if (absl::Status s = servers.StartSimulator(); !s.ok()) return Fail(s.ToString());
  if (absl::GetFlag(FLAGS_cluster)) {
    // A mode of its own: the cluster figures alone, in about three minutes.
    if (!options.target.empty()) return Fail("--cluster starts its own bridges: drop --target");
    report.cluster_mode = true;
    if (absl::Status s = RunClusterBench(options, servers, &report); !s.ok()) {
      return Fail(s.ToString());
    }
    PrintReport(report);
    if (!WriteJson(report, options.json_path)) return Fail("cannot write " + options.json_path);
    std::printf("\nJSON: %s\n", options.json_path.c_str());
    return 0;
  }
  if (absl::Status s = servers.StartCeiling(); !s.ok()) return Fail(s.ToString());
  const bool with_bridge = options.Measures("wxbridge");
  if (with_bridge) {
    if (absl::Status s = servers.StartBridge(); !s.ok()) return Fail(s.ToString());
    report.bridge_target = servers.bridge_target();
  }

  if (absl::GetFlag(FLAGS_send_text)) {
    std::fprintf(stderr, "SendText\n");
    if (absl::Status s = RunSendTextBench(options, servers, &report); !s.ok()) {
      return Fail(s.ToString());
    }
  }
  servers.StopCeiling();
  if (absl::GetFlag(FLAGS_fanout) && with_bridge) {
    std::fprintf(stderr, "Fan-out\n");
    if (absl::Status s = RunFanoutBench(options, servers, &report); !s.ok()) {
      return Fail(s.ToString());
    }
  }
  if (absl::GetFlag(FLAGS_storage) && with_bridge) {
    std::fprintf(stderr, "Event storage\n");
    if (absl::Status s = RunStorageBench(options, servers, &report); !s.ok()) {
      return Fail(s.ToString());
    }
  }
  if (options.metrics_rounds > 0 && with_bridge) {
    std::fprintf(stderr, "Metrics off vs on\n");
    if (absl::Status s = RunMetricsBench(options, servers, &report); !s.ok()) {
      return Fail(s.ToString());
    }
  }
  PrintReport(report);
  if (!WriteJson(report, options.json_path)) return Fail("cannot write " + options.json_path);
  std::printf("\nJSON: %s\n", options.json_path.c_str());
  return 0;
}
