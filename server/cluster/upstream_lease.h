// The upstream lease: of all replicas of one cluster, at most one holds the gateway
// WebSocket. The lease is the key `upstream` in the JetStream key-value bucket
// `wxbridge_<cluster>_lease`; its value (lease_value.h) names the holder and the wall-clock
// instant it expires. A replica takes the key when it is absent (kvStore_Create) or when
// its value has expired or been released (kvStore_Update on the revision it read:
// compare-and-set), then renews it every ttl/3 by revision.
//
// Fencing: a holder that has not renewed stops believing it holds the lease (role turns
// away from kHolder, then on_lost runs) at `sent + ttl - fence margin` on its monotonic
// clock, where `sent` is when it sent its last successful write; a timer of its own
// enforces it, so it happens even while NATS does not answer. A follower takes over only
// once the stored expiry has passed by its own wall clock. Safe as long as no replica's
// wall clock runs ahead of another's by more than the margin minus the time the bridge
// needs to close the upstream (docs/cluster.md, "The upstream lease").
#ifndef WXBRIDGE_SERVER_CLUSTER_UPSTREAM_LEASE_H_
#define WXBRIDGE_SERVER_CLUSTER_UPSTREAM_LEASE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wxbridge {

struct LeaseConfig {
  std::string nats_url = "nats://127.0.0.1:4222";
  std::string nats_creds_file;          // a .creds file (JWT + NKey seed), or empty
  std::string nats_tls_ca_file;         // a PEM CA bundle for TLS to NATS, or empty
  std::string cluster;                  // [A-Za-z0-9_-]+; names the bucket
  std::chrono::milliseconds ttl{5000};  // --lease_ttl
  // Unique per process (a value naming this id is taken as this process's own claim);
  // empty: MakeLeaseHolderId().
  std::string holder_id;

  // Everything else follows from ttl.
  std::chrono::milliseconds RenewInterval() const { return ttl / 3; }
  // The holder gives up this long before the expiry it wrote.
  std::chrono::milliseconds FenceMargin() const { return ttl / 5; }
  // How often a follower re-reads the key (and so how soon it sees a release).
  std::chrono::milliseconds FollowerPoll() const { return ttl / 10; }
  // The bound on one NATS request (connect, read, write).
  std::chrono::milliseconds RequestTimeout() const { return ttl / 5; }
  std::string Bucket() const { return "wxbridge_" + cluster + "_lease"; }
};

// InvalidArgument unless the cluster name and ttl (at least 100 ms) are usable.
absl::Status ValidateLeaseConfig(const LeaseConfig& config);
// "<host>-<pid>-<16 random hex digits>".
std::string MakeLeaseHolderId();

enum class LeaseRole {
  kUnknown,   // the key could not be read lately and this replica does not hold it
  kFollower,  // another replica holds it, or nobody and this one has not taken it yet
  kHolder,    // this replica holds it: it alone may connect upstream
};
std::string_view LeaseRoleName(LeaseRole role);

struct LeaseState {
  LeaseRole role = LeaseRole::kUnknown;
  std::string self;       // this replica's holder id
  std::string holder;     // the holder last seen ("" when none)
  int64_t expiry_ms = 0;  // its expiry (unix ms) as stored
  uint64_t term = 0;      // its term
};

struct LeaseCallbacks {
  std::function<void()> on_acquired;
  // Reasons: "fenced: no renewal since …", "taken over by …", "released".
  std::function<void(std::string_view reason)> on_lost;
};

class UpstreamLease {
 public:
  // Connects to NATS (retrying in the background while it is unreachable) and starts
  // competing for the lease on two threads of its own: one talks to NATS, one is the
  // fencing timer. Callbacks run on those threads, one at a time and in the order of the
  // changes; they must return quickly and must not call Release() or destroy the lease.
  static absl::StatusOr<std::unique_ptr<UpstreamLease>> Start(LeaseConfig config,
                                                              LeaseCallbacks callbacks);
  ~UpstreamLease();  // Release()
  UpstreamLease(const UpstreamLease&) = delete;
  UpstreamLease& operator=(const UpstreamLease&) = delete;

  // Stops competing; when holding, calls on_lost("released") and then writes the value
  // with no holder (compare-and-set), so a follower takes over at its next read instead
  // of at the expiry. Waits for a NATS request in flight, so it can take a few
  // RequestTimeout()s (under ttl) when NATS does not answer. Idempotent.
  void Release();

  // Never blocks on NATS: safe from any thread, including the bridge's I/O thread.
  LeaseState State() const;
  const LeaseConfig& config() const;

  // Tests only: while paused, the NATS thread does nothing (a process that froze or lost
  // its network); the fencing timer keeps running.
  void PauseForTesting(bool paused);

  class Impl;

 private:
  explicit UpstreamLease(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_CLUSTER_UPSTREAM_LEASE_H_
