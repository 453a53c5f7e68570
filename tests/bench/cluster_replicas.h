// The cluster the --cluster bench measures: wxbridge replicas in cluster mode sharing
// one nats-server (tests/cluster's NatsTestServer) and pointed at the bench's simulator,
// each a process of its own, so a holder can be killed with SIGKILL and replaced.
#ifndef WXBRIDGE_TESTS_BENCH_CLUSTER_REPLICAS_H_
#define WXBRIDGE_TESTS_BENCH_CLUSTER_REPLICAS_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tests/support/child_process.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::bench {

struct ClusterConfig {
  std::string bridge_binary;
  std::string nats_url;
  std::string sim_url;
  std::string auth_key;
  std::string name;  // --cluster: a fresh name is a fresh event log
  std::chrono::milliseconds lease_ttl{2000};
  std::string log_dir;
};

class ClusterReplicas {
 public:
  explicit ClusterReplicas(ClusterConfig config) : config_(std::move(config)) {}
  ~ClusterReplicas();  // stops every replica

  // Starts one more replica and waits for its gRPC port.
  absl::Status Add();
  // kill -9 replica i and reap it; it is dropped from the list.
  void Kill(int i);
  int size() const { return static_cast<int>(replicas_.size()); }
  std::vector<std::string> targets() const;
  std::vector<pid_t> pids() const;
  // GetStatus of replica i, nullopt when the call fails.
  std::optional<v1::GetStatusResponse> Status(int i, std::chrono::milliseconds timeout) const;
  // The index of the replica that is HOLDER with its upstream CONNECTED, -1 if none now.
  int ConnectedHolder(std::chrono::milliseconds timeout) const;
  // Polls until one replica is the connected holder and every other one a FOLLOWER naming
  // it: its index, or an error after `timeout`.
  absl::Status WaitSettled(std::chrono::milliseconds timeout, int *holder) const;

 private:
  struct Replica {
    std::unique_ptr<testing::ChildProcess> process;
    std::unique_ptr<v1::BridgeService::Stub> stub;
    std::string target;
  };
  const ClusterConfig config_;
  std::vector<Replica> replicas_;
  int started_ = 0;  // replicas started so far, for their log names
};

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_CLUSTER_REPLICAS_H_
