#include "tests/bench/cluster_replicas.h"

#include <signal.h>

#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tests/bench/grpc_load.h"

namespace wxbridge::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kStartTimeout(20);

}  // namespace

ClusterReplicas::~ClusterReplicas() {
  // SIGTERM to all first, then reap: the replicas shut down in parallel.
  for (Replica &replica : replicas_) kill(replica.process->pid(), SIGTERM);
  for (Replica &replica : replicas_) replica.process->Stop(std::chrono::seconds(3));
}

absl::Status ClusterReplicas::Add() {
  const std::string log =
      absl::StrCat(config_.log_dir, "/wxbridge-", config_.name, "-", started_++, ".log");
  testing::ChildOptions options;
  options.stderr_file = log;
  std::vector<std::string> argv = {
      config_.bridge_binary, "--listen=127.0.0.1:0",
      // The event log is the cluster's JetStream stream: nothing on disk per replica.
      "--data_dir=", absl::StrCat("--upstream=", config_.sim_url),
      absl::StrCat("--auth_key=", config_.auth_key), absl::StrCat("--cluster=", config_.name),
      absl::StrCat("--nats_url=", config_.nats_url),
      absl::StrCat("--lease_ttl=", config_.lease_ttl.count(), "ms"),
      // As the cluster test: a new holder's first connect is not held back by backoff.
      "--backoff_initial=50ms", "--backoff_max=200ms", "--pace=off", "--shutdown_grace=1s",
      "--log_level=warning"};
  auto process = std::make_unique<testing::ChildProcess>(argv, options);
  if (!process->started()) return absl::InternalError("cannot start " + config_.bridge_binary);
  if (!process->ReadPort(kStartTimeout)) {
    return absl::UnavailableError(absl::StrCat("a replica announced no port; see ", log));
  }
  process->DrainOutput();
  Replica replica;
  replica.target = absl::StrCat("127.0.0.1:", process->port());
  replica.stub = v1::BridgeService::NewStub(MakeChannel(replica.target));
  replica.process = std::move(process);
  replicas_.push_back(std::move(replica));
  return absl::OkStatus();
}

void ClusterReplicas::Kill(int i) {
  kill(replicas_[i].process->pid(), SIGKILL);
  replicas_[i].process->Wait(std::chrono::seconds(5));
  replicas_.erase(replicas_.begin() + i);
}

std::vector<std::string> ClusterReplicas::targets() const {
  std::vector<std::string> out;
  for (const Replica &replica : replicas_) out.push_back(replica.target);
  return out;
}

std::vector<pid_t> ClusterReplicas::pids() const {
  std::vector<pid_t> out;
  for (const Replica &replica : replicas_) out.push_back(replica.process->pid());
  return out;
}

std::optional<v1::GetStatusResponse> ClusterReplicas::Status(
    int i, std::chrono::milliseconds timeout) const {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  v1::GetStatusResponse response;
  if (!replicas_[i].stub->GetStatus(&context, v1::GetStatusRequest(), &response).ok()) {
    return std::nullopt;
  }
  return response;
}

int ClusterReplicas::ConnectedHolder(std::chrono::milliseconds timeout) const {
  for (int i = 0; i < size(); ++i) {
    std::optional<v1::GetStatusResponse> status = Status(i, timeout);
    if (status && status->cluster().role() == v1::CLUSTER_ROLE_HOLDER &&
        status->upstream_state() == v1::UPSTREAM_STATE_CONNECTED) {
      return i;
    }
  }
  return -1;
}

absl::Status ClusterReplicas::WaitSettled(std::chrono::milliseconds timeout, int *holder) const {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::vector<std::optional<v1::GetStatusResponse>> statuses;
    *holder = -1;
    for (int i = 0; i < size(); ++i) {
      statuses.push_back(Status(i, std::chrono::milliseconds(1000)));
      if (!statuses.back()) break;
      if (statuses.back()->cluster().role() == v1::CLUSTER_ROLE_HOLDER &&
          statuses.back()->upstream_state() == v1::UPSTREAM_STATE_CONNECTED) {
        *holder = i;
      }
    }
    if (*holder < 0 || static_cast<int>(statuses.size()) < size() || !statuses.back()) continue;
    const std::string &holder_id = statuses[*holder]->cluster().replica_id();
    bool followers_agree = true;
    for (int i = 0; i < size(); ++i) {
      const v1::ClusterStatus &c = statuses[i]->cluster();
      if (i != *holder && (c.role() != v1::CLUSTER_ROLE_FOLLOWER || c.holder_id() != holder_id)) {
        followers_agree = false;
      }
    }
    if (followers_agree) return absl::OkStatus();
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "cluster ", config_.name, " did not settle on one connected holder within ", timeout.count(),
      " ms; see ", config_.log_dir, "/wxbridge-", config_.name, "-*.log"));
}

}  // namespace wxbridge::bench
