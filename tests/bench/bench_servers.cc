#include "tests/bench/bench_servers.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tests/bench/grpc_load.h"

namespace wxbridge::bench {
namespace {

using testing::ChildOptions;
using testing::ChildProcess;

constexpr std::chrono::seconds kStartTimeout(20);

// Starts a server that announces "(port N)" on stdout, its stderr going to `log_path`
// and its stdin open for commands; stdout is drained from then on.
absl::StatusOr<std::unique_ptr<ChildProcess>> StartServer(const std::vector<std::string> &argv,
                                                          const std::string &log_path) {
  ChildOptions options;
  options.stdin_pipe = true;
  options.stderr_file = log_path;
  auto child = std::make_unique<ChildProcess>(argv, options);
  if (!child->started()) return absl::InternalError(absl::StrCat("cannot start ", argv[0]));
  if (!child->ReadPort(kStartTimeout)) {
    return absl::UnavailableError(absl::StrCat(argv[0], " did not report its port within ",
                                               kStartTimeout.count(), " s; see ", log_path));
  }
  child->DrainOutput();
  return child;
}

}  // namespace

std::string BenchServers::LogPath(const char *name) const {
  return absl::StrCat(options_.log_dir, "/", name, ".log");
}

absl::Status BenchServers::StartSimulator() {
  if (!options_.sim_url.empty()) {
    sim_url_ = options_.sim_url;
    return absl::OkStatus();
  }
  auto child = StartServer(
      {options_.sim_binary, "--ack=echo", absl::StrCat("--auth_key=", options_.auth_key),
       absl::StrCat("--port=", options_.sim_port)},
      LogPath("wxbench_sim"));
  if (!child.ok()) return child.status();
  sim_ = std::move(*child);
  sim_url_ = absl::StrCat("ws://127.0.0.1:", sim_->port(), "/ws");
  return absl::OkStatus();
}

absl::Status BenchServers::StartCeiling() {
  auto child = StartServer({options_.ceiling_binary}, LogPath("wxbench_ceiling"));
  if (!child.ok()) return child.status();
  ceiling_ = std::move(*child);
  return absl::OkStatus();
}

std::string BenchServers::ceiling_target() const {
  return ceiling_ ? absl::StrCat("127.0.0.1:", ceiling_->port()) : "";
}

absl::Status BenchServers::StartBridge() {
  if (external_bridge()) {
    bridge_target_ = options_.target;
  } else {
    std::vector<std::string> argv = {
        options_.bridge_binary, "--listen=127.0.0.1:0", absl::StrCat("--upstream=", sim_url_),
        absl::StrCat("--auth_key=", options_.auth_key), "--log_level=warning",
        // The simulator stands in for the gateway: measure the bridge, not pacing.
        "--pace=off"};
    if (storage_ == "memory") {
      argv.push_back("--data_dir=");
    } else {
      // A fresh log per run: every run measures the same empty start.
      const std::string data_dir = absl::StrCat(options_.log_dir, "/data-", storage_);
      std::error_code ignored;
      std::filesystem::remove_all(data_dir, ignored);
      argv.push_back("--data_dir=" + data_dir);
      argv.push_back("--durability=" + storage_);
    }
    if (metrics_) argv.push_back("--metrics_listen=127.0.0.1:0");
    auto child = StartServer(argv, LogPath("wxbridge"));
    if (!child.ok()) return child.status();
    bridge_ = std::move(*child);
    bridge_target_ = absl::StrCat("127.0.0.1:", bridge_->port());
  }
  if (!WaitForChannel(MakeChannel(bridge_target_).get(), kStartTimeout)) {
    return absl::UnavailableError(absl::StrCat("no gRPC server at ", bridge_target_));
  }
  return absl::OkStatus();
}

absl::Status BenchServers::RestartBridge() {
  if (external_bridge()) return absl::OkStatus();
  bridge_.reset();
  return StartBridge();
}

bool BenchServers::Push(const std::string &frame, std::size_t count, double rate_per_second) {
  return sim_ && sim_->SendLine(absl::StrCat("push ", count, " ", rate_per_second, " ", frame));
}

}  // namespace wxbridge::bench
