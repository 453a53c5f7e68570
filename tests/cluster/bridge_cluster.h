// A wxbridge cluster on loopback for tests: one nats-server (NatsTestServer), one gateway
// simulator (in this process, so the test can push frames and count connections), and
// replicas of the real wxbridge binary, each started the same way in cluster mode with
// its own port, an empty --data_dir and its stderr in a file of its own.
#ifndef WXBRIDGE_TESTS_CLUSTER_BRIDGE_CLUSTER_H_
#define WXBRIDGE_TESTS_CLUSTER_BRIDGE_CLUSTER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/cluster/nats_test_server.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/child_process.h"

namespace wxbridge::testing {

// One wxbridge process in cluster mode.
class BridgeReplica {
 public:
  BridgeReplica(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                std::string log_path);
  ~BridgeReplica();  // SIGTERM, then SIGKILL

  // Waits for the port on stdout; false (and the log in the failure) when none came.
  ::testing::AssertionResult WaitStarted(milliseconds timeout = kWait);
  int port() const { return port_; }
  // False once the process ended (a crash, exit 75, or Kill()).
  bool running() const;
  v1::BridgeService::Stub& stub() { return *stub_; }

  // GetStatus, or nullopt when the call fails (a dead or stopping replica).
  std::optional<v1::GetStatusResponse> Status(milliseconds timeout = milliseconds(2000));
  // kill -9, reaped: a crash.
  void Kill();
  // Waits for the process to end by itself; its result (timed_out when it did not).
  ProcessResult WaitExit(milliseconds timeout);
  // What the replica logged so far.
  std::string Log() const;

 private:
  std::string log_path_;
  ChildProcess process_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::BridgeService::Stub> stub_;
  std::optional<ProcessResult> ended_;
};

struct ClusterOptions {
  int replicas = 3;
  std::chrono::seconds lease_ttl{2};
  // When set, nats-server serves TLS only and replicas get --nats_tls_ca=tls->ca_file.
  std::optional<NatsTestTls> nats_tls;
};

class BridgeCluster {
 public:
  // The upstream backoff every replica runs with (--backoff_max): failover waits for
  // the lease TTL plus at most this.
  static constexpr milliseconds kBackoffMax{200};

  explicit BridgeCluster(ClusterOptions options = {});
  ~BridgeCluster();

  // Starts nats-server, the simulator and the replicas; a failure says what did not
  // start.
  ::testing::AssertionResult Start();

  NatsTestServer& nats() { return *nats_; }
  sim::Simulator& sim() { return *sim_; }
  BridgeReplica& replica(int i) { return *replicas_[i]; }
  int size() const { return static_cast<int>(replicas_.size()); }
  std::chrono::seconds lease_ttl() const { return options_.lease_ttl; }

  // Waits until exactly one running replica is HOLDER and connected upstream, every other
  // running replica is a FOLLOWER naming it, and the simulator has one connection; the
  // holder's index, or -1 (with what each replica said in the log of the test).
  int WaitForHolder(milliseconds timeout = kWait);
  // One more replica started like the others but with these NATS flags ("" leaves
  // --nats_tls_ca out), not waited for and not one of replica(i): to see one refuse.
  std::unique_ptr<BridgeReplica> StartReplica(const std::string& name, const std::string& nats_url,
                                              const std::string& nats_tls_ca);
  // The running replicas other than `holder`.
  std::vector<int> Others(int holder) const;

  // Logs `account` in through `replica` and waits for LOGGED_IN on its stream.
  ::testing::AssertionResult LogIn(int replica, const std::string& account);

  // Every replica's log, for a failure message.
  std::string Logs() const;

 private:
  ClusterOptions options_;
  // A replica's command line; an empty `nats_url` leaves --nats_url out (the URL then
  // comes from WXBRIDGE_NATS_URL).
  std::vector<std::string> Argv(const std::string& nats_url, const std::string& nats_tls_ca) const;

  std::string dir_;
  std::unique_ptr<NatsTestServer> nats_;
  std::unique_ptr<sim::Simulator> sim_;
  std::vector<std::unique_ptr<BridgeReplica>> replicas_;
};

// The events of a stream's messages (single or batched), in order.
std::vector<v1::Event> EventsOf(const std::vector<v1::SubscribeResponse>& messages);
// What two replicas must agree on for one event: seq, account, payload, raw frame.
std::string Fingerprint(const v1::Event& event);
// The text of an injected text event ("" for any other event).
std::string TextOf(const v1::Event& event);

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_CLUSTER_BRIDGE_CLUSTER_H_
