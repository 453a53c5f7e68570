#include "server/cluster/upstream_lease.h"

#include <nats/nats.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/cluster/event_subjects.h"
#include "server/cluster/lease_value.h"
#include "server/cluster/nats_connection.h"
#include "server/common/log.h"

namespace wxbridge {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr char kComponent[] = "lease";
constexpr char kKey[] = "upstream";

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NatsError(natsStatus s) {
  const char* last = nats_GetLastError(nullptr);
  return absl::StrCat(natsStatus_GetText(s), last != nullptr && *last ? ": " : "",
                      last != nullptr ? last : "");
}

// One entry read from the bucket.
struct ReadResult {
  natsStatus status = NATS_OK;  // NATS_NOT_FOUND: absent (or deleted)
  uint64_t revision = 0;
  absl::StatusOr<LeaseValue> value = LeaseValue{};
};

}  // namespace

absl::Status ValidateLeaseConfig(const LeaseConfig& config) {
  if (absl::Status name = cluster::ValidateClusterName(config.cluster); !name.ok()) return name;
  if (config.ttl < std::chrono::milliseconds(100))
    return absl::InvalidArgumentError("lease ttl must be at least 100 ms");
  if (config.nats_url.empty()) return absl::InvalidArgumentError("no NATS URL");
  return absl::OkStatus();
}

std::string MakeLeaseHolderId() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::random_device device;
  uint64_t bits = (static_cast<uint64_t>(device()) << 32) ^ device();
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(bits));
  return absl::StrCat(host[0] ? host : "host", "-", getpid(), "-", hex);
}

std::string_view LeaseRoleName(LeaseRole role) {
  switch (role) {
    case LeaseRole::kHolder:
      return "holder";
    case LeaseRole::kFollower:
      return "follower";
    case LeaseRole::kUnknown:
      break;
  }
  return "unknown";
}

class UpstreamLease::Impl {
 public:
  Impl(LeaseConfig config, LeaseCallbacks callbacks)
      : config_(std::move(config)), callbacks_(std::move(callbacks)) {}
  ~Impl() {
    Release();
    if (kv_ != nullptr) kvStore_Destroy(kv_);
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
  }

  absl::Status Connect() {
    natsOptions* opts = nullptr;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) s = natsOptions_SetURL(opts, config_.nats_url.c_str());
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, config_.RequestTimeout().count());
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, config_.FollowerPoll().count());
    if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(opts, true, nullptr, nullptr);
    if (s == NATS_OK) {
      s = cluster::ApplyNatsSecurity(opts, config_.nats_creds_file, config_.nats_tls_ca_file);
    }
    if (s == NATS_OK) {
      s = natsConnection_Connect(&nc_, opts);
      // Not connected yet: the library keeps trying in the background.
      if (s == NATS_NOT_YET_CONNECTED) s = NATS_OK;
    }
    natsOptions_Destroy(opts);
    if (s != NATS_OK) return absl::UnavailableError("NATS connect: " + NatsError(s));
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = config_.RequestTimeout().count();
    s = natsConnection_JetStream(&js_, nc_, &jo);
    if (s != NATS_OK) return absl::InternalError("NATS JetStream context: " + NatsError(s));
    return absl::OkStatus();
  }

  void Run() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      self_ = config_.holder_id;
    }
    nats_thread_ = std::thread([this] { NatsLoop(); });
    fence_thread_ = std::thread([this] { FenceLoop(); });
  }

  void Release() {
    {
      std::lock_guard<std::mutex> order(callback_mu_);
      std::unique_lock<std::mutex> lock(mu_);
      if (released_) return;
      released_ = true;
      bool was_holder = role_ == LeaseRole::kHolder;
      role_ = LeaseRole::kFollower;
      lock.unlock();
      cv_.notify_all();
      if (was_holder && callbacks_.on_lost) callbacks_.on_lost("released");
    }
    if (nats_thread_.joinable()) nats_thread_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      fence_stop_ = true;
    }
    cv_.notify_all();
    if (fence_thread_.joinable()) fence_thread_.join();
    // The NATS thread is gone: write "nobody" on the revision this replica last wrote.
    // Fails harmlessly when another replica has written since.
    if (kv_ != nullptr && my_rev_ != 0) {
      LeaseValue released{"", WallMs(), seen_.term};
      std::string data = EncodeLeaseValue(released);
      uint64_t rev = 0;
      natsStatus s =
          kvStore_Update(&rev, kv_, kKey, data.data(), static_cast<int>(data.size()), my_rev_);
      if (s == NATS_OK) {
        Log(LogLevel::kInfo, kComponent, "released the upstream lease (term ", seen_.term, ")");
      } else {
        Log(LogLevel::kInfo, kComponent, "lease not released (", NatsError(s),
            "): a successor waits for its expiry");
      }
    }
  }

  LeaseState State() const {
    std::lock_guard<std::mutex> lock(mu_);
    LeaseState state;
    state.role = role_;
    // The fencing timer may not have run yet: the deadline decides.
    if (role_ == LeaseRole::kHolder && SteadyClock::now() >= fence_deadline_)
      state.role = LeaseRole::kUnknown;
    state.self = self_;
    state.holder = seen_.holder;
    state.expiry_ms = seen_.expiry_ms;
    state.term = seen_.term;
    return state;
  }

  void PauseForTesting(bool paused) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      paused_ = paused;
    }
    cv_.notify_all();
  }

  const LeaseConfig& config() const { return config_; }

 private:
  // The NATS thread: one round, then a wait until the next (or until Release).
  void NatsLoop() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return released_ || !paused_; });
        if (released_) return;
      }
      SteadyClock::time_point next = Round();
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, next, [this] { return released_; });
      if (released_) return;
    }
  }

  SteadyClock::time_point Round() {
    if (kv_ == nullptr && !OpenBucket()) {
      Observe(LeaseRole::kUnknown, std::nullopt);
      return SteadyClock::now() + config_.FollowerPoll();
    }
    bool holding;
    uint64_t rev;
    uint64_t term;
    {
      std::lock_guard<std::mutex> lock(mu_);
      holding = role_ == LeaseRole::kHolder;
      rev = my_rev_;
      term = seen_.term;
    }
    return holding ? Renew(rev, term) : TryAcquire();
  }

  bool OpenBucket() {
    std::string bucket = config_.Bucket();
    natsStatus s = js_KeyValue(&kv_, js_, bucket.c_str());
    if (s == NATS_NOT_FOUND) {
      kvConfig kc;
      kvConfig_Init(&kc);
      kc.Bucket = bucket.c_str();
      kc.Description = "wxbridge: which replica holds the upstream";
      kc.History = 1;
      kc.StorageType = js_FileStorage;
      s = js_CreateKeyValue(&kv_, js_, &kc);
      // Another replica created it first.
      if (s != NATS_OK) s = js_KeyValue(&kv_, js_, bucket.c_str());
    }
    if (s != NATS_OK) {
      kv_ = nullptr;
      Log(LogLevel::kDebug, kComponent, "bucket ", bucket, " not open: ", NatsError(s));
      return false;
    }
    return true;
  }

  ReadResult Read() {
    ReadResult result;
    kvEntry* entry = nullptr;
    result.status = kvStore_Get(&entry, kv_, kKey);
    if (result.status != NATS_OK) return result;
    result.revision = kvEntry_Revision(entry);
    result.value = DecodeLeaseValue(
        std::string_view(static_cast<const char*>(kvEntry_Value(entry)), kvEntry_ValueLen(entry)));
    kvEntry_Destroy(entry);
    return result;
  }

  // The key is absent, released, expired or ours: claim it with compare-and-set.
  SteadyClock::time_point TryAcquire() {
    ReadResult read = Read();
    SteadyClock::time_point poll = SteadyClock::now() + config_.FollowerPoll();
    if (read.status != NATS_OK && read.status != NATS_NOT_FOUND) {
      Observe(LeaseRole::kUnknown, std::nullopt);
      return poll;
    }
    if (read.status == NATS_OK && !read.value.ok()) {
      Log(LogLevel::kWarning, kComponent,
          "lease value unreadable, not taking it over: ", read.value.status().message());
      Observe(LeaseRole::kUnknown, std::nullopt);
      return poll;
    }
    LeaseValue next{self_, 0, 1};
    if (read.status == NATS_OK) {
      const LeaseValue& current = *read.value;
      if (current.holder != self_ && !current.FreeAt(WallMs())) {
        Observe(LeaseRole::kFollower, current);
        return poll;
      }
      next.term = current.holder == self_ ? current.term : current.term + 1;
    }
    SteadyClock::time_point sent = SteadyClock::now();
    next.expiry_ms = WallMs() + config_.ttl.count();
    std::string data = EncodeLeaseValue(next);
    uint64_t rev = 0;
    natsStatus s = read.status == NATS_NOT_FOUND
                       ? kvStore_Create(&rev, kv_, kKey, data.data(), static_cast<int>(data.size()))
                       : kvStore_Update(&rev, kv_, kKey, data.data(), static_cast<int>(data.size()),
                                        read.revision);
    if (s == NATS_OK) {
      Granted(next, rev, sent);
      return sent + config_.RenewInterval();
    }
    // Another replica was faster, or NATS failed: read again soon.
    Log(LogLevel::kDebug, kComponent, "claim failed: ", NatsError(s));
    return poll;
  }

  SteadyClock::time_point Renew(uint64_t rev, uint64_t term) {
    SteadyClock::time_point sent = SteadyClock::now();
    LeaseValue next{self_, WallMs() + config_.ttl.count(), term};
    std::string data = EncodeLeaseValue(next);
    uint64_t new_rev = 0;
    natsStatus s =
        kvStore_Update(&new_rev, kv_, kKey, data.data(), static_cast<int>(data.size()), rev);
    if (s == NATS_OK) {
      Granted(next, new_rev, sent);
      return sent + config_.RenewInterval();
    }
    std::string why = NatsError(s);
    ReadResult read = Read();
    if (read.status == NATS_NOT_FOUND) {
      Lost("lease key deleted", LeaseRole::kFollower, LeaseValue{});
    } else if (read.status == NATS_OK && read.revision != rev) {
      LeaseValue other = read.value.ok() ? *read.value : LeaseValue{"?", 0, 0};
      if (other.holder == self_) {
        // Our own write landed but its answer did not: renew on its revision, keeping
        // the fencing deadline of the last write confirmed.
        std::lock_guard<std::mutex> lock(mu_);
        my_rev_ = read.revision;
      } else {
        Lost(absl::StrCat("taken over by ", other.holder), LeaseRole::kFollower, other);
      }
    } else {
      // NATS unreachable or slow: retry until the fencing timer gives up for us.
      Log(LogLevel::kWarning, kComponent, "lease renewal failed: ", why);
    }
    return SteadyClock::now() + config_.ttl / 20;
  }

  // A write of `value` sent at `sent` succeeded with revision `rev`.
  void Granted(const LeaseValue& value, uint64_t rev, SteadyClock::time_point sent) {
    SteadyClock::time_point deadline = sent + config_.ttl - config_.FenceMargin();
    std::lock_guard<std::mutex> order(callback_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    my_rev_ = rev;
    seen_ = value;
    // Too late to use, or shutting down: Release() or the next round deals with it.
    if (released_ || deadline <= SteadyClock::now()) return;
    bool was_holder = role_ == LeaseRole::kHolder;
    role_ = LeaseRole::kHolder;
    fence_deadline_ = deadline;
    lock.unlock();
    cv_.notify_all();
    if (!was_holder) {
      Log(LogLevel::kInfo, kComponent, "holding the upstream lease (term ", value.term, ")");
      if (callbacks_.on_acquired) callbacks_.on_acquired();
    }
  }

  void Lost(const std::string& reason, LeaseRole role, const LeaseValue& seen) {
    std::lock_guard<std::mutex> order(callback_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    seen_ = seen;
    bool was_holder = role_ == LeaseRole::kHolder;
    role_ = role;
    lock.unlock();
    if (was_holder) LostCallback(reason);
  }

  // A read that did not make this replica the holder.
  void Observe(LeaseRole role, const std::optional<LeaseValue>& seen) {
    std::lock_guard<std::mutex> lock(mu_);
    if (role_ == LeaseRole::kHolder) return;
    role_ = role;
    if (seen) seen_ = *seen;
  }

  void LostCallback(const std::string& reason) {
    Log(LogLevel::kWarning, kComponent, "upstream lease lost: ", reason);
    if (callbacks_.on_lost) callbacks_.on_lost(reason);
  }

  // The fencing timer: independent of NATS, it ends the holder role at the deadline.
  void FenceLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!fence_stop_) {
      if (role_ != LeaseRole::kHolder) {
        cv_.wait(lock);
        continue;
      }
      if (SteadyClock::now() < fence_deadline_) {
        cv_.wait_until(lock, fence_deadline_);
        continue;
      }
      lock.unlock();
      {
        std::lock_guard<std::mutex> order(callback_mu_);
        std::unique_lock<std::mutex> relock(mu_);
        if (role_ == LeaseRole::kHolder && SteadyClock::now() >= fence_deadline_) {
          role_ = LeaseRole::kUnknown;
          relock.unlock();
          LostCallback(absl::StrCat("fenced: not renewed for ",
                                    (config_.ttl - config_.FenceMargin()).count(), " ms"));
        }
      }
      lock.lock();
    }
  }

  const LeaseConfig config_;
  const LeaseCallbacks callbacks_;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  kvStore* kv_ = nullptr;  // the NATS thread's, then Release()'s
  std::thread nats_thread_;
  std::thread fence_thread_;

  // Taken before mu_ by whoever changes the role and runs a callback, so callbacks run one
  // at a time in the order of the changes; State() takes only mu_.
  std::mutex callback_mu_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string self_;
  LeaseRole role_ = LeaseRole::kUnknown;
  LeaseValue seen_;
  uint64_t my_rev_ = 0;  // the revision of this replica's last successful write
  SteadyClock::time_point fence_deadline_;
  bool paused_ = false;
  bool released_ = false;
  bool fence_stop_ = false;
};

absl::StatusOr<std::unique_ptr<UpstreamLease>> UpstreamLease::Start(LeaseConfig config,
                                                                    LeaseCallbacks callbacks) {
  if (absl::Status valid = ValidateLeaseConfig(config); !valid.ok()) return valid;
  if (config.holder_id.empty()) config.holder_id = MakeLeaseHolderId();
  auto impl = std::make_unique<Impl>(std::move(config), std::move(callbacks));
  if (absl::Status connected = impl->Connect(); !connected.ok()) return connected;
  impl->Run();
  return std::unique_ptr<UpstreamLease>(new UpstreamLease(std::move(impl)));
}

UpstreamLease::UpstreamLease(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UpstreamLease::~UpstreamLease() = default;
void UpstreamLease::Release() { impl_->Release(); }
LeaseState UpstreamLease::State() const { return impl_->State(); }
const LeaseConfig& UpstreamLease::config() const { return impl_->config(); }
void UpstreamLease::PauseForTesting(bool paused) { impl_->PauseForTesting(paused); }

}  // namespace wxbridge
