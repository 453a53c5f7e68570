// What one wxbench run measures and against what; filled from flags by
// wxbench_main.cc.
#ifndef WXBRIDGE_TESTS_BENCH_BENCH_OPTIONS_H_
#define WXBRIDGE_TESTS_BENCH_BENCH_OPTIONS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace wxbridge::bench {

struct BenchOptions {
  // Servers the bench starts itself (paths of the built binaries).
  std::string bridge_binary;
  std::string ceiling_binary;
  std::string sim_binary;
  // An already running BridgeService (another implementation, or a wxbridge
  // started by hand) instead of starting wxbridge; its pid, when given, is
  // measured too.
  std::string target;
  pid_t target_pid = 0;
  // An already running gateway simulator (ws://…) instead of starting
  // wxbench_sim. Fan-out needs to tell the simulator to push, so it only runs
  // against the bench's own.
  std::string sim_url;
  pid_t sim_pid = 0;
  // Port of the bench's own simulator (0: any), so an external target can be
  // pointed at it before the run.
  int sim_port = 0;
  std::string auth_key = "wxsim-key";

  // SendText: which of "grpc-ceiling", "ws-ceiling", "wxbridge" to measure.
  std::vector<std::string> targets = {"grpc-ceiling", "ws-ceiling", "wxbridge"};
  std::vector<int> concurrency = {1, 16, 256};
  std::size_t payload_bytes = 64;
  std::chrono::milliseconds warmup{300};
  std::chrono::milliseconds window{2000};

  // Fan-out.
  std::vector<int> subscribers = {1, 100, 1000};
  int subscriber_channels = 0;  // 0: a connection per stream
  // SubscribeRequest.max_batch of the streams (1: one event per message).
  int max_batch = 256;
  // Subscriber counts at which the full-speed run is repeated one event per message.
  std::vector<int> unbatched_at = {100};
  // Events pushed at full speed per subscriber count: deliveries / subscribers.
  std::size_t max_rate_deliveries = 2000000;
  std::size_t max_rate_events_cap = 60000;  // stays inside the default retention ring
  // Fixed rate: events/s chosen so that subscribers x rate = this many
  // deliveries/s.
  double fixed_rate_deliveries = 50000;
  double fixed_rate_cap = 5000;
  std::chrono::milliseconds fixed_rate_duration{2000};
  // Subscriber counts at which one stalled stream is added and p99 compared.
  std::vector<int> stall_at = {100};

  // Event storage compared at 1 subscriber: "memory" (--data_dir empty) and the durable
  // log with --durability "os" and "sync"; full-speed ingest and latency at a fixed rate.
  std::vector<std::string> storages = {"memory", "os", "sync"};
  double storage_rate = 5000;
  // Metrics on vs off (metrics_bench.h): alternating rounds, SendText at these
  // concurrencies and a full-speed fan-out to this many subscribers.
  int metrics_rounds = 3;
  std::vector<int> metrics_concurrency = {16, 256};
  int metrics_subscribers = 100;

  // Cluster mode (--cluster, cluster_bench.h): fan-out rounds over standalone, 1 and 3
  // replicas, then failover kills of the holder of 3 replicas with this lease TTL.
  int cluster_rounds = 3;
  int cluster_subscribers = 100;
  std::size_t cluster_max_deliveries = 1000000;  // per full-speed run
  int failover_kills = 20;
  std::chrono::milliseconds lease_ttl{2000};
  std::string nats_server;  // the nats-server binary; empty: the one on PATH

  std::string json_path = "build/bench/results.json";
  std::string log_dir = "build/bench";
  bool smoke = false;

  bool Measures(const std::string& name) const {
    for (const std::string& t : targets) {
      if (t == name) return true;
    }
    return false;
  }
};

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_BENCH_OPTIONS_H_
