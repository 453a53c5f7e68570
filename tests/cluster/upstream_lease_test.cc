// The upstream lease against a real nats-server (JetStream, loopback, a private store
// directory): one holder among replicas, prompt hand-over on Release, takeover only after
// the expiry of a frozen holder, fencing before the expiry when NATS goes away, and a
// holder again once NATS is back.
#include "server/cluster/upstream_lease.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/cluster/nats_test_server.h"
#include "tests/support/poll_until.h"

namespace wxbridge {
namespace {

using std::chrono::milliseconds;
using testing::PollUntil;

int64_t WallMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One replica's lease with what its callbacks saw.
struct Replica {
  // The lease goes first: Release() still calls on_lost, which writes the fields below.
  ~Replica() { lease.reset(); }

  std::unique_ptr<UpstreamLease> lease;
  std::atomic<int> acquired{0};
  std::atomic<int> lost{0};
  std::atomic<int64_t> lost_at_ms{0};  // wall clock, at the last on_lost
  std::mutex mu;
  std::string last_reason;

  bool Holds() const { return lease->State().role == LeaseRole::kHolder; }
};

constexpr milliseconds kTtl{2000};

class UpstreamLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::NatsTestServer>> server =
        testing::NatsTestServer::Start(WXBRIDGE_NATS_SERVER);
    ASSERT_TRUE(server.ok()) << server.status();
    nats_ = std::move(*server);
  }

  LeaseConfig Config() const {
    LeaseConfig config;
    config.nats_url = nats_->url();
    config.cluster = "test";
    config.ttl = kTtl;
    return config;
  }

  void StartReplicas(int count) {
    for (int i = 0; i < count; ++i) {
      auto replica = std::make_unique<Replica>();
      Replica* r = replica.get();
      LeaseCallbacks callbacks;
      callbacks.on_acquired = [r] { r->acquired++; };
      callbacks.on_lost = [r](std::string_view reason) {
        r->lost_at_ms = WallMs();
        std::lock_guard<std::mutex> lock(r->mu);
        r->last_reason = std::string(reason);
        r->lost++;
      };
      absl::StatusOr<std::unique_ptr<UpstreamLease>> lease =
          UpstreamLease::Start(Config(), callbacks);
      ASSERT_TRUE(lease.ok()) << lease.status();
      r->lease = std::move(*lease);
      replicas_.push_back(std::move(replica));
    }
  }

  // Replicas that hold the lease at one common instant: every state is read twice, all
  // in one order and then all in reverse; a replica holder in both reads held it through
  // the span between them, and those spans all overlap.
  std::vector<int> HoldersAtOneInstant() const {
    std::vector<bool> first(replicas_.size());
    for (size_t i = 0; i < replicas_.size(); ++i)
      first[i] = replicas_[i]->lease != nullptr && replicas_[i]->Holds();
    std::vector<int> both;
    for (size_t i = replicas_.size(); i-- > 0;)
      if (first[i] && replicas_[i]->Holds()) both.push_back(static_cast<int>(i));
    return both;
  }

  // The only holder, once there is exactly one (waiting at most `timeout`), else -1.
  int WaitForOneHolder(milliseconds timeout) const {
    int holder = -1;
    PollUntil(
        [&] {
          std::vector<int> holders = HoldersAtOneInstant();
          holder = holders.size() == 1 ? holders[0] : -1;
          return holder >= 0;
        },
        timeout);
    return holder;
  }

  std::unique_ptr<testing::NatsTestServer> nats_;
  std::vector<std::unique_ptr<Replica>> replicas_;
};

TEST_F(UpstreamLeaseTest, ExactlyOneOfThreeReplicasAcquires) {
  StartReplicas(3);
  int holder = WaitForOneHolder(std::chrono::seconds(20));
  ASSERT_GE(holder, 0);
  std::string holder_id = replicas_[holder]->lease->State().self;
  // Over several renewals: never a second holder, always the same one.
  auto until = std::chrono::steady_clock::now() + 2 * kTtl;
  int samples = 0;
  while (std::chrono::steady_clock::now() < until) {
    std::vector<int> holders = HoldersAtOneInstant();
    ASSERT_LE(holders.size(), 1u);
    ++samples;
  }
  EXPECT_GT(samples, 100);
  EXPECT_TRUE(replicas_[holder]->Holds());
  EXPECT_EQ(replicas_[holder]->acquired.load(), 1);
  EXPECT_EQ(replicas_[holder]->lost.load(), 0);
  for (size_t i = 0; i < replicas_.size(); ++i) {
    if (static_cast<int>(i) == holder) continue;
    LeaseState state = replicas_[i]->lease->State();
    EXPECT_EQ(state.role, LeaseRole::kFollower);
    EXPECT_EQ(state.holder, holder_id);
    EXPECT_EQ(replicas_[i]->acquired.load(), 0);
  }
}

TEST_F(UpstreamLeaseTest, ReleasedLeaseIsTakenOverBeforeItsExpiry) {
  StartReplicas(3);
  int holder = WaitForOneHolder(std::chrono::seconds(20));
  ASSERT_GE(holder, 0);
  int64_t old_expiry = replicas_[holder]->lease->State().expiry_ms;
  replicas_[holder]->lease->Release();
  EXPECT_EQ(replicas_[holder]->lost.load(), 1);
  EXPECT_FALSE(replicas_[holder]->Holds());
  int next = WaitForOneHolder(kTtl * 5);
  ASSERT_GE(next, 0);
  EXPECT_NE(next, holder);
  // Promptly: the successor wrote its claim before the released lease would have expired.
  int64_t claimed_at = replicas_[next]->lease->State().expiry_ms - kTtl.count();
  EXPECT_LT(claimed_at, old_expiry);
  EXPECT_GT(replicas_[next]->lease->State().term, 1u);
}

TEST_F(UpstreamLeaseTest, FrozenHolderIsReplacedOnlyAfterItsExpiryAndNeverWhileItHolds) {
  StartReplicas(3);
  int holder = WaitForOneHolder(std::chrono::seconds(20));
  ASSERT_GE(holder, 0);
  Replica& frozen = *replicas_[holder];
  frozen.lease->PauseForTesting(true);
  // Sample in a tight loop until another replica holds it.
  int next = -1;
  int samples = 0;
  auto deadline = std::chrono::steady_clock::now() + kTtl * 5;
  while (next < 0 && std::chrono::steady_clock::now() < deadline) {
    std::vector<int> holders = HoldersAtOneInstant();
    ASSERT_LE(holders.size(), 1u) << "two holders at once";
    if (holders.size() == 1 && holders[0] != holder) next = holders[0];
    ++samples;
  }
  ASSERT_GE(next, 0) << "nobody took over the frozen holder's lease";
  EXPECT_GT(samples, 100);
  // The frozen holder fenced itself first, on its own timer.
  EXPECT_EQ(frozen.lost.load(), 1);
  {
    std::lock_guard<std::mutex> lock(frozen.mu);
    EXPECT_NE(frozen.last_reason.find("fenced"), std::string::npos) << frozen.last_reason;
  }
  // Its successor claimed the lease only after the expiry the frozen holder last wrote.
  int64_t frozen_expiry = frozen.lease->State().expiry_ms;
  LeaseState successor = replicas_[next]->lease->State();
  EXPECT_GE(successor.expiry_ms - kTtl.count(), frozen_expiry);
  EXPECT_LE(frozen.lost_at_ms.load(), frozen_expiry - (kTtl / 5).count() / 2);
  frozen.lease->PauseForTesting(false);
  // Unfrozen, it finds the successor and stays a follower.
  EXPECT_TRUE(PollUntil([&] { return frozen.lease->State().holder == successor.self; }, kTtl * 2));
  EXPECT_FALSE(frozen.Holds());
}

TEST_F(UpstreamLeaseTest, HolderFencesItselfBeforeExpiryWhenNatsStopsThenAHolderReturns) {
  StartReplicas(2);
  int holder = WaitForOneHolder(std::chrono::seconds(20));
  ASSERT_GE(holder, 0);
  Replica& h = *replicas_[holder];
  nats_->Kill();
  ASSERT_TRUE(PollUntil([&] { return h.lost.load() == 1; }, kTtl * 3))
      << "the holder did not give up the lease without NATS";
  // Measured against the expiry it last wrote: before it, by about the fencing margin.
  int64_t expiry = h.lease->State().expiry_ms;
  int64_t margin = (kTtl / 5).count();
  EXPECT_LT(h.lost_at_ms.load(), expiry);
  EXPECT_LE(h.lost_at_ms.load(), expiry - margin / 2) << "margin " << margin << " ms";
  EXPECT_NE(h.lease->State().role, LeaseRole::kHolder);
  for (auto& r : replicas_) EXPECT_FALSE(r->Holds());
  // Back on the same port and store: a holder again.
  ASSERT_TRUE(nats_->Restart().ok());
  EXPECT_GE(WaitForOneHolder(std::chrono::seconds(30)), 0);
}

TEST(LeaseConfigTest, RejectsUnusableClusterNamesAndTtl) {
  LeaseConfig config;
  config.cluster = "prod-1_a";
  EXPECT_TRUE(ValidateLeaseConfig(config).ok());
  EXPECT_EQ(config.Bucket(), "wxbridge_prod-1_a_lease");
  for (const char* bad : {"", "a.b", "a b", "a*", "a>"}) {
    config.cluster = bad;
    EXPECT_FALSE(ValidateLeaseConfig(config).ok()) << bad;
  }
  config.cluster = "x";
  config.ttl = milliseconds(50);
  EXPECT_FALSE(ValidateLeaseConfig(config).ok());
}

}  // namespace
}  // namespace wxbridge
