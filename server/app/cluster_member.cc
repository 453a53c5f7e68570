#include "server/app/cluster_member.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/log.h"

namespace wxbridge::app {

namespace {
// How often health and a follower's account list are brought up to date.
constexpr std::chrono::milliseconds kRefreshEvery{200};

v1::ClusterRole RoleOf(LeaseRole role) {
  switch (role) {
    case LeaseRole::kHolder:
      return v1::CLUSTER_ROLE_HOLDER;
    case LeaseRole::kFollower:
      return v1::CLUSTER_ROLE_FOLLOWER;
    case LeaseRole::kUnknown:
      break;
  }
  return v1::CLUSTER_ROLE_UNSPECIFIED;
}
}  // namespace

cluster::NatsConnectionOptions NatsConnectionOf(const ClusterConfig& config) {
  cluster::NatsConnectionOptions nats;
  nats.url = config.nats_url;
  nats.creds_file = config.nats_creds_file;
  nats.tls_ca_file = config.nats_tls_ca_file;
  return nats;
}

ClusterMember::ClusterMember(ClusterConfig config, bridge::GatewayLink* link,
                             cluster::JetStreamEventStore* store,
                             std::function<void()> on_lease_lost)
    : config_(std::move(config)),
      link_(link),
      store_(store),
      on_lease_lost_(std::move(on_lease_lost)),
      replica_id_(MakeLeaseHolderId()) {}

ClusterMember::~ClusterMember() { Stop(); }

absl::Status ClusterMember::Connect() {
  cluster::CallForwarderOptions forwarding;
  forwarding.nats = NatsConnectionOf(config_);
  forwarding.cluster = config_.name;
  forwarding.replica_id = replica_id_;
  absl::StatusOr<std::unique_ptr<cluster::CallForwarder>> forwarder =
      cluster::CallForwarder::Start(std::move(forwarding), link_, [this] {
        // Holding the lease is not enough: until its link runs, a call waits (it would
        // sit in a link that may never start).
        const LeaseState state = LeaseStateNow();
        return cluster::HolderView{state.role == LeaseRole::kHolder && link_running_.load(),
                                   state.holder};
      });
  if (!forwarder.ok()) {
    return absl::Status(forwarder.status().code(),
                        absl::StrCat("--nats_url: ", forwarder.status().message()));
  }
  forwarder_ = *std::move(forwarder);
  // The accounts the log knows, before any call is served; Refresh() follows from there.
  return FollowAccounts();
}

absl::Status ClusterMember::Compete() {
  thread_ = std::thread([this] { Run(); });
  LeaseConfig lease;
  lease.nats_url = config_.nats_url;
  lease.nats_creds_file = config_.nats_creds_file;
  lease.nats_tls_ca_file = config_.nats_tls_ca_file;
  lease.cluster = config_.name;
  lease.ttl = config_.lease_ttl;
  lease.holder_id = replica_id_;
  LeaseCallbacks callbacks;
  callbacks.on_acquired = [this] { Post(Change::kAcquired, ""); };
  callbacks.on_lost = [this](std::string_view reason) {
    Post(Change::kLost, absl::StrCat("the upstream lease was lost (",
                                     absl::string_view(reason.data(), reason.size()), ")"));
  };
  absl::StatusOr<std::unique_ptr<UpstreamLease>> started =
      UpstreamLease::Start(std::move(lease), std::move(callbacks));
  if (!started.ok()) return started.status();
  std::lock_guard<std::mutex> lock(mutex_);
  lease_ = *std::move(started);
  return absl::OkStatus();
}

void ClusterMember::Stop() {
  std::unique_ptr<UpstreamLease> lease;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    lease = std::move(lease_);
  }
  // Outside the lock: Release() runs on_lost, which posts (and is ignored now).
  if (lease) lease->Release();
  if (forwarder_) forwarder_->Stop();
}

void ClusterMember::OnWriterFenced(const absl::Status& why) {
  Post(Change::kLost,
       absl::StrCat("the event log fenced this replica's writer (", why.message(), ")"));
}

void ClusterMember::Post(Change change, std::string why) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    changes_.emplace_back(change, std::move(why));
  }
  changed_.notify_all();
}

LeaseState ClusterMember::LeaseStateNow() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!lease_) return LeaseState{};
  return lease_->State();
}

void ClusterMember::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait_for(lock, kRefreshEvery, [this] { return stopping_ || !changes_.empty(); });
    if (stopping_) return;
    std::optional<std::pair<Change, std::string>> next;
    if (!changes_.empty()) {
      next = std::move(changes_.front());
      changes_.pop_front();
    }
    lock.unlock();
    if (next && next->first == Change::kAcquired) {
      TakeUpstream();
    } else if (next) {
      GiveUpUpstream(next->second);
    }
    Refresh();
    lock.lock();
  }
}

void ClusterMember::Refresh() {
  const LeaseState state = LeaseStateNow();
  const bool serving = holding_ ? !gave_up_ && link_->state() == v1::UPSTREAM_STATE_CONNECTED
                                : !gave_up_ && state.role == LeaseRole::kFollower &&
                                      !state.holder.empty() && store_->connected();
  if (serving_ != serving) {
    serving_ = serving;
    if (serving_listener_) serving_listener_(serving);
  }
  if (!holding_) FollowAccounts().IgnoreError();  // tried again at the next refresh
}

absl::Status ClusterMember::FollowAccounts() {
  absl::StatusOr<uint64_t> read = link_->FollowAccounts(accounts_seq_);
  if (!read.ok()) return read.status();
  accounts_seq_ = *read;
  return absl::OkStatus();
}

void ClusterMember::TakeUpstream() {
  if (gave_up_ || holding_) return;
  // Number on from the stream's head as it is now (the last holder's events included),
  // and know the accounts it logged in.
  if (absl::Status status = store_->ResumeWriting(); !status.ok()) {
    GiveUpUpstream(
        absl::StrCat("cannot write the event log as the new holder: ", status.message()));
    return;
  }
  // The last holder's last statuses.
  if (absl::Status status = FollowAccounts(); !status.ok()) {
    Log(LogLevel::kWarning, "cluster",
        "reading the accounts from the event log: ", status.message());
  }
  holding_ = true;
  Log(LogLevel::kInfo, "cluster", "replica ", replica_id_, " holds the upstream of cluster ",
      config_.name, " from seq ", store_->head_seq(), ": connecting");
  link_->Start();
  link_running_ = true;
}

void ClusterMember::GiveUpUpstream(const std::string& why) {
  if (gave_up_) return;
  gave_up_ = true;
  link_running_ = false;
  if (holding_) {
    Log(LogLevel::kWarning, "cluster", why, ": closing the upstream");
    // Before anything else: another replica may take the lease once it expires.
    link_->Stop();
  } else {
    Log(LogLevel::kWarning, "cluster", why);
  }
  if (on_lease_lost_) on_lease_lost_();
}

void ClusterMember::FillStatus(v1::ClusterStatus* out) const {
  const LeaseState state = LeaseStateNow();
  out->set_name(config_.name);
  out->set_role(RoleOf(state.role));
  out->set_replica_id(replica_id_);
  out->set_holder_id(state.holder);
  if (state.expiry_ms > 0) {
    *out->mutable_lease_expiry() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(state.expiry_ms);
  }
  out->set_lease_term(state.term);
  out->set_stream(store_->stream_name());
  out->set_nats_connected(store_->connected());
  if (forwarder_) {
    out->set_calls_forwarded(forwarder_->forwarded());
    out->set_calls_served_for_others(forwarder_->served());
  }
}

}  // namespace wxbridge::app
