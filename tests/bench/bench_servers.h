// The three servers a run measures, each in its own process so that its CPU and
// RSS can be read from /proc: the gateway simulator (wxbench_sim), the bare
// gRPC ceiling (wxbench_ceiling) and wxbridge pointed at the simulator. Either
// of the simulator and the bridge may instead be an external process given by
// address.
#ifndef WXBRIDGE_TESTS_BENCH_BENCH_SERVERS_H_
#define WXBRIDGE_TESTS_BENCH_BENCH_SERVERS_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "tests/bench/bench_options.h"
#include "tests/support/child_process.h"

namespace wxbridge::bench {

class BenchServers {
 public:
  explicit BenchServers(const BenchOptions &options) : options_(options) {}

  absl::Status StartSimulator();
  absl::Status StartCeiling();
  // Starts wxbridge (or adopts --target) and waits until its channel is up.
  absl::Status StartBridge();
  // A fresh wxbridge process (no-op for an external target), for clean RSS
  // figures.
  absl::Status RestartBridge();
  void StopCeiling() { ceiling_.reset(); }
  // Stops the bench's own bridge, so that a cluster can take the simulator.
  void StopBridge() { bridge_.reset(); }
  // The event storage of the next (re)started bridge: "memory" (the default), or a
  // fresh durable log with --durability "os" or "sync" under the log dir.
  void UseStorage(const std::string &storage) { storage_ = storage; }
  // Whether the next (re)started bridge serves /metrics (--metrics_listen on loopback).
  void UseMetrics(bool on) { metrics_ = on; }

  const std::string &sim_url() const { return sim_url_; }
  std::string ceiling_target() const;
  const std::string &bridge_target() const { return bridge_target_; }
  pid_t sim_pid() const { return sim_ ? sim_->pid() : options_.sim_pid; }
  pid_t ceiling_pid() const { return ceiling_ ? ceiling_->pid() : 0; }
  pid_t bridge_pid() const { return bridge_ ? bridge_->pid() : options_.target_pid; }
  bool external_bridge() const { return !options_.target.empty(); }

  // Fan-out needs a simulator this process controls.
  bool can_push() const { return sim_ != nullptr; }
  bool Push(const std::string &frame, std::size_t count, double rate_per_second);

 private:
  std::string LogPath(const char *name) const;

  const BenchOptions &options_;
  std::unique_ptr<testing::ChildProcess> sim_, ceiling_, bridge_;
  std::string sim_url_, bridge_target_;
  std::string storage_ = "memory";
  bool metrics_ = false;
};

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_BENCH_SERVERS_H_
