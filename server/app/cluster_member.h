// This process as one replica of a cluster (docs/cluster.md): it competes for the
// upstream lease, starts the gateway link when it wins, forwards calls to the holder
// while it does not hold the lease, and reports the cluster in GetStatus.
//
// Losing the lease, or the event log fencing this replica's writer, closes the upstream
// at once and then asks the process to end (fail-stop: the link cannot be restarted, and a
// supervisor starts the replica again as a follower). A process that ends on purpose
// closes the upstream first and then releases the lease, so a follower takes over at once.
#ifndef WXBRIDGE_SERVER_APP_CLUSTER_MEMBER_H_
#define WXBRIDGE_SERVER_APP_CLUSTER_MEMBER_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "server/app/bridge_config.h"
#include "server/bridge/gateway_link.h"
#include "server/cluster/call_forwarder.h"
#include "server/cluster/jetstream_event_store.h"
#include "server/cluster/upstream_lease.h"

namespace wxbridge::app {

// How a replica reaches NATS (URL, credentials, TLS): the event log and the forwarder
// connect alike (the lease takes the same three settings).
cluster::NatsConnectionOptions NatsConnectionOf(const ClusterConfig& config);

class ClusterMember {
 public:
  // Every pointer outlives the member. `on_lease_lost` runs once, on the member's thread,
  // after the upstream was closed for a lost lease or a fenced writer.
  ClusterMember(ClusterConfig config, bridge::GatewayLink* link,
                cluster::JetStreamEventStore* store, std::function<void()> on_lease_lost);
  ~ClusterMember();  // Stop()

  // Connects the call forwarder (executor() can take calls from now on) and reads the
  // accounts the log knows.
  absl::Status Connect();
  // Starts competing for the lease; the link starts when it is won. After the link's
  // state listener was set.
  absl::Status Compete();
  // Whether this replica can serve calls now, for gRPC health: the holder while its
  // upstream is connected, a follower while it reaches NATS and knows a holder. Runs on
  // the member's thread at each change. Set before Compete().
  void SetServingListener(std::function<void(bool)> listener) {
    serving_listener_ = std::move(listener);
  }
  // Stops competing: releases the lease (call after the link was stopped, so that the
  // next holder never overlaps this one) and stops forwarding. Idempotent.
  void Stop();
  // The event log refused this replica as its writer (JetStreamEventStore::on_fenced).
  void OnWriterFenced(const absl::Status& why);

  // Where commands run: here when holding, else forwarded to the holder.
  calls::CommandExecutor* executor() { return forwarder_.get(); }
  void FillStatus(v1::ClusterStatus* out) const;

 private:
  enum class Change { kAcquired, kLost };
  void Run();  // the member's thread: takes the changes in order, refreshes every poll
  // Health, and a follower's account list from what the holder logs.
  void Refresh();
  // Takes the login statuses logged since accounts_seq_.
  absl::Status FollowAccounts();
  void TakeUpstream();
  void GiveUpUpstream(const std::string& why);
  void Post(Change change, std::string why);
  LeaseState LeaseStateNow() const;

  const ClusterConfig config_;
  bridge::GatewayLink* const link_;
  cluster::JetStreamEventStore* const store_;
  const std::function<void()> on_lease_lost_;
  const std::string replica_id_;
  std::unique_ptr<UpstreamLease> lease_;  // guarded by mutex_
  std::unique_ptr<cluster::CallForwarder> forwarder_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::pair<Change, std::string>> changes_;
  bool stopping_ = false;
  // The member's thread only.
  bool holding_ = false;  // the link was started (once: it is never started again)
  bool gave_up_ = false;
  std::optional<bool> serving_;
  // Read by the forwarder's threads: calls run here only while the link runs.
  std::atomic<bool> link_running_{false};
  uint64_t accounts_seq_ = 0;  // the account list is read up to here (Connect, then here)
  std::function<void(bool)> serving_listener_;
  std::thread thread_;
};

}  // namespace wxbridge::app

#endif  // WXBRIDGE_SERVER_APP_CLUSTER_MEMBER_H_
