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

#include "tests/support/child_process.h"
#include "tests/support/poll_until.h"

namespace wxbridge {
namespace {

using std::chrono::milliseconds;
using testing::ChildOptions;
using testing::ChildProcess;
using testing::PollUntil;

int64_t WallMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A port nobody listens on now (the kernel's pick for a socket bound to port 0).
int UnusedLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// nats-server with JetStream on 127.0.0.1, its store in a private directory; Restart()
// brings it back on the same port and directory.
class NatsServer {
 public:
  NatsServer() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "wxbridge-nats-XXXXXX").string();
    dir_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
    port_ = UnusedLoopbackPort();
  }
  ~NatsServer() {
    Kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Starts it and waits until it accepts connections.
  bool Start() {
    ChildOptions options;
    options.stderr_file = dir_ + "/nats-server.log";
    child_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{WXBRIDGE_NATS_SERVER, "-js", "-a", "127.0.0.1", "-p",
                                 std::to_string(port_), "-sd", dir_ + "/store"},
        options);
    if (!child_->started()) return false;
    child_->DrainOutput();
    return PollUntil([this] { return Accepts(port_); }, std::chrono::seconds(20));
  }
  // SIGKILL: every connection drops at once, as in a crash or a network cut.
  void Kill() {
    if (child_ == nullptr) return;
    if (child_->started()) kill(child_->pid(), SIGKILL);
    child_->Wait(std::chrono::seconds(10));
    child_.reset();
  }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

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
    if (std::string(WXBRIDGE_NATS_SERVER).empty() || access(WXBRIDGE_NATS_SERVER, X_OK) != 0) {
      std::cout << "skipped: nats-server not found (apt-get install nats-server)" << std::endl;
      std::exit(77);  // ctest's SKIP_RETURN_CODE
    }
    ASSERT_TRUE(nats_.Start()) << "nats-server did not start";
  }

  LeaseConfig Config() const {
    LeaseConfig config;
    config.nats_url = nats_.url();
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

  NatsServer nats_;
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
  nats_.Kill();
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
  ASSERT_TRUE(nats_.Start());
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
