#include "tests/bench/cluster_bench.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/bench/cluster_replicas.h"
#include "tests/bench/fanout_bench.h"
#include "tests/bench/grpc_load.h"
#include "tests/bench/subscriber_fleet.h"
#ifdef WXBENCH_HAVE_NATS_TEST_SERVER
#include "tests/cluster/nats_test_server.h"
#endif

namespace wxbridge::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr std::chrono::seconds kSetupTimeout(30);
// A survivor must take over within the lease TTL plus this, or the kill counts as failed.
constexpr std::chrono::seconds kTakeoverSlack(15);
// Events/s of the fixed-rate (latency) runs and their length: far below saturation, so
// the latency is the path's own, not a queue's.
constexpr double kLatencyRate = 500;
constexpr std::chrono::seconds kLatencyRunLength(2);

// nats-server from PATH; "" when there is none.
std::string FindNatsServer() {
  const char *path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "", ':', absl::SkipEmpty())) {
    const std::filesystem::path candidate = std::filesystem::path(std::string(dir)) / "nats-server";
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error)) return candidate.string();
  }
  return "";
}

// The servers of one fan-out configuration while it runs.
struct Setup {
  std::vector<std::string> targets;
  std::vector<pid_t> pids;
};

// One full-speed run (deliveries/s) and one fixed-rate run (latency) to the same streams
// spread over `setup`'s servers, after a short warm-up (first JetStream reads, channels).
absl::Status MeasureSetup(const BenchOptions &options, BenchServers &servers, const Setup &setup,
                          const std::string &name, int round, BenchReport *report) {
  const int subscribers = options.cluster_subscribers;
  SubscriberFleet fleet(setup.targets, 0, options.max_batch);
  if (absl::Status status = fleet.Open(subscribers, kSetupTimeout); !status.ok()) return status;
  PushAndCount(options, servers, fleet, subscribers, "warm-up " + name, 200, 0, setup.pids);

  const std::size_t max_count = std::max<std::size_t>(
      1, std::min(options.max_rate_events_cap, options.cluster_max_deliveries / subscribers));
  FanoutRow max =
      PushAndCount(options, servers, fleet, subscribers, "max " + name, max_count, 0, setup.pids);
  const auto rate_count = static_cast<std::size_t>(
      kLatencyRate * std::chrono::duration<double>(kLatencyRunLength).count());
  FanoutRow rate = PushAndCount(options, servers, fleet, subscribers, "rate " + name, rate_count,
                                kLatencyRate, setup.pids);
  max.round = rate.round = round;
  report->cluster_fanout.push_back(max);
  report->cluster_fanout.push_back(rate);
  fleet.Close();
  return absl::OkStatus();
}

absl::Status MeasureStandalone(const BenchOptions &options, BenchServers &servers, int round,
                               BenchReport *report) {
  servers.UseStorage("memory");
  if (absl::Status status = servers.RestartBridge(); !status.ok()) return status;
  if (absl::Status status =
          WaitUpstreamConnected(MakeChannel(servers.bridge_target()), kSetupTimeout);
      !status.ok()) {
    return status;
  }
  absl::Status status =
      MeasureSetup(options, servers, {{servers.bridge_target()}, {servers.bridge_pid()}},
                   "standalone", round, report);
  servers.StopBridge();  // the simulator is the cluster's next
  return status;
}

ClusterConfig MakeConfig(const BenchOptions &options, const BenchServers &servers,
                         const std::string &nats_url, const std::string &name) {
  ClusterConfig config;
  config.bridge_binary = options.bridge_binary;
  config.nats_url = nats_url;
  config.sim_url = servers.sim_url();
  config.auth_key = options.auth_key;
  // A fresh cluster name per run: a fresh, empty event log on the shared nats-server.
  config.name = name;
  config.lease_ttl = options.lease_ttl;
  config.log_dir = options.log_dir;
  return config;
}

absl::Status MeasureCluster(const BenchOptions &options, BenchServers &servers,
                            const std::string &nats_url, pid_t nats_pid, int replicas, int round,
                            BenchReport *report) {
  ClusterReplicas cluster(
      MakeConfig(options, servers, nats_url, absl::StrCat("bench-c", replicas, "-r", round)));
  for (int i = 0; i < replicas; ++i) {
    if (absl::Status status = cluster.Add(); !status.ok()) return status;
  }
  int holder = -1;
  if (absl::Status status = cluster.WaitSettled(kSetupTimeout, &holder); !status.ok()) {
    return status;
  }
  // The cluster's CPU is its replicas' and nats-server's: the log is part of the cost.
  std::vector<pid_t> pids = cluster.pids();
  pids.push_back(nats_pid);
  return MeasureSetup(options, servers, {cluster.targets(), pids},
                      absl::StrCat("cluster-", replicas), round, report);
}

// Nearest rank of sorted values.
double Rank(const std::vector<double> &sorted, double q) {
  const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

absl::Status MeasureFailover(const BenchOptions &options, BenchServers &servers,
                             const std::string &nats_url, BenchReport *report) {
  FailoverResult &result = report->failover;
  result.lease_ttl_s = std::chrono::duration<double>(options.lease_ttl).count();
  ClusterReplicas cluster(MakeConfig(options, servers, nats_url, "bench-failover"));
  for (int i = 0; i < 3; ++i) {
    if (absl::Status status = cluster.Add(); !status.ok()) return status;
  }
  int holder = -1;
  if (absl::Status status = cluster.WaitSettled(kSetupTimeout, &holder); !status.ok()) {
    return status;
  }
  // The holder renews every ttl/3 and a survivor takes over when the last renewal expires,
  // so the failover time depends on when in that cycle the crash comes: a random wait up
  // to one ttl before each kill spreads the kills over it (fixed seed: repeatable).
  std::mt19937 random(15);
  std::uniform_int_distribution<int64_t> pause_ms(0, options.lease_ttl.count());
  for (int kill = 0; kill < options.failover_kills; ++kill) {
    std::this_thread::sleep_for(milliseconds(pause_ms(random)));
    const auto killed_at = Clock::now();
    cluster.Kill(holder);
    const auto give_up = killed_at + options.lease_ttl + kTakeoverSlack;
    int next = -1;
    while (next < 0 && Clock::now() < give_up) {
      next = cluster.ConnectedHolder(milliseconds(500));
      if (next < 0) std::this_thread::sleep_for(milliseconds(10));
    }
    ++result.kills;
    if (next < 0) {
      ++result.failed;
    } else {
      result.ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - killed_at).count());
    }
    std::fprintf(stderr, "  kill %2d: %s\n", kill + 1,
                 next < 0 ? "no connected holder" : absl::StrCat(result.ms.back(), " ms").c_str());
    // Back to three replicas, settled, before the next kill.
    if (absl::Status status = cluster.Add(); !status.ok()) return status;
    if (absl::Status status = cluster.WaitSettled(kSetupTimeout, &holder); !status.ok()) {
      return status;
    }
  }
  if (!result.ms.empty()) {
    std::vector<double> sorted = result.ms;
    std::sort(sorted.begin(), sorted.end());
    result.min_ms = sorted.front();
    result.median_ms = Rank(sorted, 0.5);
    result.p90_ms = Rank(sorted, 0.9);
    result.max_ms = sorted.back();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunClusterBench(const BenchOptions &options, BenchServers &servers,
                             BenchReport *report) {
  const std::string nats_server =
      options.nats_server.empty() ? FindNatsServer() : options.nats_server;
#ifndef WXBENCH_HAVE_NATS_TEST_SERVER
  const bool built_with_nats = false;
#else
  const bool built_with_nats = true;
#endif
  if (nats_server.empty() || !built_with_nats) {
    const std::string why = nats_server.empty()
                                ? "nats-server is not on PATH (scripts/setup.sh installs it)"
                                : "wxbench was configured without nats-server (re-run cmake)";
    std::fprintf(stderr, "wxbench --cluster: skipped: %s\n", why.c_str());
    report->notes.push_back("cluster benchmarks skipped: " + why);
    return absl::OkStatus();
  }
  if (!servers.can_push()) {
    report->notes.push_back("cluster benchmarks skipped: they need the bench's own simulator");
    return absl::OkStatus();
  }
#ifdef WXBENCH_HAVE_NATS_TEST_SERVER
  auto nats = testing::NatsTestServer::Start(nats_server);
  if (!nats.ok()) return nats.status();
  const std::string nats_url = (*nats)->url();
  std::fprintf(stderr, "Cluster fan-out, %d streams (%s)\n", options.cluster_subscribers,
               nats_url.c_str());
  // Rounds alternate the configurations, so drift in a shared machine's speed spreads
  // over all three instead of favouring one.
  for (int round = 1; round <= options.cluster_rounds; ++round) {
    if (absl::Status s = MeasureStandalone(options, servers, round, report); !s.ok()) return s;
    for (int replicas : {1, 3}) {
      if (absl::Status s =
              MeasureCluster(options, servers, nats_url, (*nats)->pid(), replicas, round, report);
          !s.ok()) {
        return absl::UnavailableError(
            absl::StrCat("cluster of ", replicas, ", round ", round, ": ", s.message()));
      }
    }
  }
  if (options.failover_kills > 0) {
    std::fprintf(stderr, "Cluster failover, %d kills of the holder of 3 replicas\n",
                 options.failover_kills);
    if (absl::Status s = MeasureFailover(options, servers, nats_url, report); !s.ok()) {
      return absl::UnavailableError(absl::StrCat("failover: ", s.message()));
    }
  }
#endif
  return absl::OkStatus();
}

}  // namespace wxbridge::bench
