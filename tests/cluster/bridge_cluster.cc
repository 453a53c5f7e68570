#include "tests/cluster/bridge_cluster.h"

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tests/support/poll_until.h"

namespace wxbridge::testing {
namespace {

constexpr char kAuthKey[] = "cluster-test-key";
constexpr char kClusterName[] = "wxtest";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The end of a long log: enough to see why, short enough to read.
std::string Tail(const std::string& text, std::size_t bytes = 6000) {
  return text.size() <= bytes ? text : "…" + text.substr(text.size() - bytes);
}

// The key through the environment, as an operator would (flags show in ps).
std::vector<std::string> ReplicaEnv() { return {absl::StrCat("WXBRIDGE_AUTH_KEY=", kAuthKey)}; }

}  // namespace

BridgeReplica::BridgeReplica(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env, std::string log_path)
    : log_path_(std::move(log_path)), process_(argv, [&] {
        ChildOptions options;
        options.env = env;
        options.stderr_file = log_path_;
        return options;
      }()) {}

BridgeReplica::~BridgeReplica() {
  if (!ended_) process_.Stop(std::chrono::seconds(3));
}

::testing::AssertionResult BridgeReplica::WaitStarted(milliseconds timeout) {
  std::optional<int> port = process_.ReadPort(timeout);
  if (!port) {
    ended_ = process_.Wait(milliseconds(500));
    return ::testing::AssertionFailure()
           << "no port announced (exit " << ended_->exit_code << "); log:\n"
           << Tail(Log());
  }
  port_ = *port;
  process_.DrainOutput();  // nothing more is read from stdout: never let it fill
  channel_ =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials());
  stub_ = v1::BridgeService::NewStub(channel_);
  return ::testing::AssertionSuccess();
}

bool BridgeReplica::running() const {
  if (ended_) return false;
  // A child that exited stays a zombie until reaped: read its state without reaping.
  const std::string stat = ReadFile(absl::StrCat("/proc/", process_.pid(), "/stat"));
  const std::size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

std::optional<v1::GetStatusResponse> BridgeReplica::Status(milliseconds timeout) {
  if (ended_ || stub_ == nullptr) return std::nullopt;
  v1::GetStatusResponse response;
  if (!stub_->GetStatus(Context(timeout).get(), v1::GetStatusRequest(), &response).ok()) {
    return std::nullopt;
  }
  return response;
}

void BridgeReplica::Kill() {
  if (ended_) return;
  kill(process_.pid(), SIGKILL);
  ended_ = process_.Wait(std::chrono::seconds(5));
}

ProcessResult BridgeReplica::WaitExit(milliseconds timeout) {
  if (!ended_) ended_ = process_.Wait(timeout);
  return *ended_;
}

std::string BridgeReplica::Log() const { return ReadFile(log_path_); }

BridgeCluster::BridgeCluster(ClusterOptions options) : options_(options) {}

BridgeCluster::~BridgeCluster() {
  replicas_.clear();  // before NATS and the gateway they use
  if (sim_) sim_->Stop();
  nats_.reset();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

::testing::AssertionResult BridgeCluster::Start() {
  std::string pattern = (std::filesystem::temp_directory_path() / "wxcluster.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return ::testing::AssertionFailure() << "mkdtemp";
  dir_ = pattern;

  absl::StatusOr<std::unique_ptr<NatsTestServer>> nats =
      options_.nats_tls ? NatsTestServer::StartTls(WXBRIDGE_NATS_SERVER, *options_.nats_tls)
                        : NatsTestServer::Start(WXBRIDGE_NATS_SERVER);
  if (!nats.ok()) return ::testing::AssertionFailure() << nats.status();
  nats_ = std::move(*nats);

  sim::SimulatorConfig config;
  config.auth_key = kAuthKey;
  config.scan_delay = milliseconds(5);
  config.step_delay = milliseconds(2);
  config.world_size = 3;
  sim_ = std::make_unique<sim::Simulator>(config);
  if (absl::Status started = sim_->Start(); !started.ok()) {
    return ::testing::AssertionFailure() << "simulator: " << started;
  }

  const std::string tls_ca = options_.nats_tls ? options_.nats_tls->ca_file : "";
  for (int i = 0; i < options_.replicas; ++i) {
    // Replica 0 takes the NATS URL from the environment (the way for one with a
    // password), the others from --nats_url.
    std::vector<std::string> env = ReplicaEnv();
    if (i == 0) env.push_back(absl::StrCat("WXBRIDGE_NATS_URL=", nats_->url()));
    replicas_.push_back(std::make_unique<BridgeReplica>(
        Argv(i == 0 ? "" : nats_->url(), tls_ca), env, absl::StrCat(dir_, "/replica", i, ".log")));
    if (auto started = replicas_.back()->WaitStarted(); !started) {
      return ::testing::AssertionFailure() << "replica " << i << ": " << started.message();
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> BridgeCluster::Argv(const std::string& nats_url,
                                             const std::string& nats_tls_ca) const {
  std::vector<std::string> argv = {
      WXBRIDGE_BINARY, "--listen=127.0.0.1:0",
      "--data_dir=", absl::StrCat("--upstream=", sim_->url()),
      absl::StrCat("--cluster=", kClusterName),
      absl::StrCat("--lease_ttl=", options_.lease_ttl.count(), "s"), "--backoff_initial=50ms",
      absl::StrCat("--backoff_max=", kBackoffMax.count(), "ms"),
      // The simulator stands in for the gateway: no pacing, no loop guard.
      "--pace=off", "--shutdown_grace=1s", "--log_level=info"};
  if (!nats_url.empty()) argv.push_back(absl::StrCat("--nats_url=", nats_url));
  if (!nats_tls_ca.empty()) argv.push_back(absl::StrCat("--nats_tls_ca=", nats_tls_ca));
  return argv;
}

std::unique_ptr<BridgeReplica> BridgeCluster::StartReplica(const std::string& name,
                                                           const std::string& nats_url,
                                                           const std::string& nats_tls_ca) {
  return std::make_unique<BridgeReplica>(Argv(nats_url, nats_tls_ca), ReplicaEnv(),
                                         absl::StrCat(dir_, "/", name, ".log"));
}

int BridgeCluster::WaitForHolder(milliseconds timeout) {
  int holder = -1;
  std::string seen;
  auto next_check = std::chrono::steady_clock::now();
  const bool settled = PollUntil(
      [&] {
        // Three GetStatus calls per check: every 20 ms is enough, and spares 2 cores.
        if (std::chrono::steady_clock::now() < next_check) return false;
        next_check = std::chrono::steady_clock::now() + milliseconds(20);
        holder = -1;
        seen.clear();
        std::vector<std::optional<v1::GetStatusResponse>> statuses(replicas_.size());
        for (int i = 0; i < size(); ++i) {
          if (!replicas_[i]->running()) continue;
          statuses[i] = replicas_[i]->Status();
          if (!statuses[i]) {
            absl::StrAppend(&seen, " [", i, ": no status]");
            return false;
          }
          const v1::ClusterStatus& c = statuses[i]->cluster();
          absl::StrAppend(&seen, " [", i, ": ", v1::ClusterRole_Name(c.role()),
                          " id=", c.replica_id(), " holder=", c.holder_id(),
                          " upstream=", statuses[i]->upstream_state(), " nats=", c.nats_connected(),
                          "]");
          if (c.role() == v1::CLUSTER_ROLE_HOLDER) {
            if (holder >= 0) return false;  // two holders: wait, a test then fails
            holder = i;
          }
        }
        if (holder < 0) return false;
        if (statuses[holder]->upstream_state() != v1::UPSTREAM_STATE_CONNECTED) return false;
        const std::string& holder_id = statuses[holder]->cluster().replica_id();
        for (int i = 0; i < size(); ++i) {
          if (i == holder || !statuses[i]) continue;
          const v1::ClusterStatus& c = statuses[i]->cluster();
          if (c.role() != v1::CLUSTER_ROLE_FOLLOWER || c.holder_id() != holder_id) return false;
        }
        return sim_->connection_count() == 1;
      },
      timeout);
  if (!settled) {
    ADD_FAILURE() << "no single connected holder within " << timeout.count()
                  << " ms; simulator connections: " << sim_->connection_count()
                  << "; replicas:" << seen;
    return -1;
  }
  return holder;
}

std::vector<int> BridgeCluster::Others(int holder) const {
  std::vector<int> others;
  for (int i = 0; i < static_cast<int>(replicas_.size()); ++i) {
    if (i != holder && replicas_[i]->running()) others.push_back(i);
  }
  return others;
}

::testing::AssertionResult BridgeCluster::LogIn(int replica, const std::string& account) {
  EventStream stream(&replicas_[replica]->stub(), v1::SubscribeRequest());
  if (!stream.WaitFor(IsHello)) return ::testing::AssertionFailure() << "no hello";
  v1::LoginRequest request;
  request.set_account(account);
  v1::LoginResponse response;
  grpc::Status status = replicas_[replica]->stub().Login(Context().get(), request, &response);
  if (!status.ok()) {
    return ::testing::AssertionFailure()
           << "Login(" << account << ") on replica " << replica << ": " << status.error_code()
           << " " << status.error_message();
  }
  if (!stream.WaitForEvent([&](const v1::Event& e) {
        return IsLoginStatus(e, account, v1::LOGIN_STATUS_LOGGED_IN);
      })) {
    return ::testing::AssertionFailure() << account << " never reached LOGGED_IN";
  }
  return ::testing::AssertionSuccess();
}

std::string BridgeCluster::Logs() const {
  std::string logs;
  for (int i = 0; i < static_cast<int>(replicas_.size()); ++i) {
    absl::StrAppend(&logs, "\n--- replica ", i, " ---\n", Tail(replicas_[i]->Log()));
  }
  return logs;
}

std::vector<v1::Event> EventsOf(const std::vector<v1::SubscribeResponse>& messages) {
  std::vector<v1::Event> events;
  for (const v1::SubscribeResponse& message : messages) {
    if (message.has_event()) events.push_back(message.event());
    if (message.has_batch()) {
      events.insert(events.end(), message.batch().events().begin(), message.batch().events().end());
    }
  }
  return events;
}

std::string Fingerprint(const v1::Event& event) {
  return absl::StrCat(event.seq(), "|", event.account(), "|", event.payload_case(), "|",
                      event.msg_id(), "|", event.raw_json());
}

std::string TextOf(const v1::Event& event) { return event.has_text() ? event.text().text() : ""; }

}  // namespace wxbridge::testing
