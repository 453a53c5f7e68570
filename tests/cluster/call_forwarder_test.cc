// Calls forwarded between replicas over a real nats-server, with stand-in links and
// leases: a follower's call runs once on the holder and its whole result comes back; a
// call that certainly did not run is sent again; with no holder, or when the holder goes
// away, the caller gets a plain UNAVAILABLE, never a hang or a second run.
#include "server/cluster/call_forwarder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/cluster/nats_test_server.h"
#include "tests/support/poll_until.h"

namespace wxbridge::cluster {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using testing::PollUntil;

constexpr milliseconds kWait{10000};

// A replica's gateway link, as far as the forwarder sees it: records what it runs and
// answers at once (or holds the call when told to).
class FakeLink final : public calls::CommandExecutor {
 public:
  uint64_t Execute(absl::StatusOr<protocol::Command> command, Clock::time_point,
                   calls::CallDone done) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!command.ok()) {
      calls::CallResult refused;
      refused.status = command.status();
      done(std::move(refused));
      return 0;
    }
    ran_.push_back(command->data_json);
    if (hold_) {
      held_.push_back(std::move(done));
      return ran_.size();
    }
    calls::CallResult result;
    result.ack.set_request_id(ran_.size());
    result.ack.set_cmd_id("cmd-" + command->data_json);
    auto reply = std::make_shared<events::StoredEvent>();
    reply->message.mutable_event()->set_seq(40 + ran_.size());
    reply->message.mutable_event()->set_raw_json("{\"echo\":\"" + command->data_json + "\"}");
    result.replies.push_back(reply);
    done(std::move(result));
    return ran_.size();
  }
  void Cancel(uint64_t) override {}

  void Hold() {
    std::lock_guard<std::mutex> lock(mutex_);
    hold_ = true;
  }
  std::vector<std::string> ran() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return ran_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> ran_;
  bool hold_ = false;
  std::vector<calls::CallDone> held_;  // never answered: a holder that went silent
};

// What the lease says, settable by the test.
class FakeLease {
 public:
  void Set(bool self, std::string holder) {
    std::lock_guard<std::mutex> lock(mutex_);
    view_ = HolderView{self, std::move(holder)};
  }
  HolderView Get() const {
    reads_++;
    std::lock_guard<std::mutex> lock(mutex_);
    return view_;
  }
  // How often the forwarder asked: a replica with no calls of its own asks only when a
  // request reaches it.
  int reads() const { return reads_.load(); }

 private:
  mutable std::atomic<int> reads_{0};
  mutable std::mutex mutex_;
  HolderView view_;
};

// One replica: its link, its lease view, its forwarder.
struct Replica {
  std::string id;
  FakeLink link;
  FakeLease lease;
  std::unique_ptr<CallForwarder> forwarder;
};

// The end of one call, waited for by the test.
struct Outcome {
  std::mutex mutex;
  std::optional<calls::CallResult> result;
  Clock::time_point at;
  calls::CallDone Done() {
    return [this](calls::CallResult r) {
      std::lock_guard<std::mutex> lock(mutex);
      result = std::move(r);
      at = Clock::now();
    };
  }
  bool ended() {
    std::lock_guard<std::mutex> lock(mutex);
    return result.has_value();
  }
};

protocol::Command Text(const std::string& text) {
  protocol::Command command;
  command.code = 103;
  command.account = "acct";
  command.data_json = text;
  command.chat = "bob";
  return command;
}

class CallForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::NatsTestServer>> server =
        testing::NatsTestServer::Start(WXBRIDGE_NATS_SERVER);
    ASSERT_TRUE(server.ok()) << server.status();
    nats_ = *std::move(server);
  }

  std::unique_ptr<Replica> StartReplica(const std::string& id) {
    auto replica = std::make_unique<Replica>();
    replica->id = id;
    CallForwarderOptions options;
    options.nats.url = nats_->url();
    options.cluster = "test";
    options.replica_id = id;
    options.retry_wait = milliseconds(50);
    Replica* r = replica.get();
    auto started =
        CallForwarder::Start(std::move(options), &r->link, [r] { return r->lease.Get(); });
    EXPECT_TRUE(started.ok()) << started.status();
    if (started.ok()) replica->forwarder = *std::move(started);
    return replica;
  }

  std::unique_ptr<testing::NatsTestServer> nats_;
};

TEST_F(CallForwarderTest, AFollowersCallRunsOnceOnTheHolderAndItsResultComesBack) {
  auto holder = StartReplica("host.a-1");  // the dot must not split the subject
  auto follower = StartReplica("host.b-2");
  holder->lease.Set(true, holder->id);
  follower->lease.Set(false, holder->id);

  Outcome outcome;
  follower->forwarder->Execute(Text("hello"), Clock::now() + kWait, outcome.Done());
  ASSERT_TRUE(PollUntil([&] { return outcome.ended(); }, kWait));
  ASSERT_TRUE(outcome.result->status.ok()) << outcome.result->status;
  EXPECT_EQ(outcome.result->ack.cmd_id(), "cmd-hello");
  ASSERT_EQ(outcome.result->replies.size(), 1u);
  EXPECT_EQ(outcome.result->replies[0]->event().raw_json(), "{\"echo\":\"hello\"}");
  EXPECT_EQ(holder->link.ran(), std::vector<std::string>{"hello"});
  EXPECT_TRUE(follower->link.ran().empty());
  EXPECT_EQ(follower->forwarder->forwarded(), 1u);
  EXPECT_EQ(holder->forwarder->served(), 1u);

  // The holder's own calls never leave it.
  Outcome local;
  holder->forwarder->Execute(Text("local"), Clock::now() + kWait, local.Done());
  ASSERT_TRUE(local.ended());
  EXPECT_EQ(holder->link.ran(), (std::vector<std::string>{"hello", "local"}));
  EXPECT_EQ(holder->forwarder->forwarded(), 0u);
}

TEST_F(CallForwarderTest, WithNoHolderACallFailsUnavailableAtItsDeadline) {
  auto follower = StartReplica("b");
  follower->lease.Set(false, "");
  Outcome outcome;
  const Clock::time_point deadline = Clock::now() + milliseconds(400);
  follower->forwarder->Execute(Text("nobody"), deadline, outcome.Done());
  ASSERT_TRUE(PollUntil([&] { return outcome.ended(); }, kWait));
  EXPECT_EQ(outcome.result->status.code(), absl::StatusCode::kUnavailable)
      << outcome.result->status;
  EXPECT_GE(outcome.at, deadline) << "gave up before the deadline";
}

TEST_F(CallForwarderTest, ACallToAHolderWithoutAForwarderIsSentAgainWhenItHasOne) {
  // NATS answers "no responders": the call certainly did not run.
  auto follower = StartReplica("b");
  follower->lease.Set(false, "a");
  Outcome outcome;
  follower->forwarder->Execute(Text("retry"), Clock::now() + kWait, outcome.Done());
  auto holder = StartReplica("a");
  holder->lease.Set(true, "a");
  ASSERT_TRUE(PollUntil([&] { return outcome.ended(); }, kWait));
  EXPECT_TRUE(outcome.result->status.ok()) << outcome.result->status;
  EXPECT_EQ(holder->link.ran(), std::vector<std::string>{"retry"});
}

TEST_F(CallForwarderTest, AReplicaThatIsNotTheHolderYetRefusesAndTheCallComesBackLater) {
  auto follower = StartReplica("b");
  auto next = StartReplica("c");
  next->lease.Set(false, "");  // c has not taken the lease yet
  follower->lease.Set(false, "c");
  Outcome outcome;
  follower->forwarder->Execute(Text("later"), Clock::now() + kWait, outcome.Done());
  ASSERT_TRUE(PollUntil([&] { return next->lease.reads() > 0; }, kWait))
      << "the request never reached c";
  EXPECT_TRUE(next->link.ran().empty()) << "run by a replica that did not hold the upstream";
  next->lease.Set(true, "c");
  ASSERT_TRUE(PollUntil([&] { return outcome.ended(); }, kWait));
  EXPECT_TRUE(outcome.result->status.ok()) << outcome.result->status;
  EXPECT_EQ(next->link.ran(), std::vector<std::string>{"later"});
}

TEST_F(CallForwarderTest, AHolderThatGoesAwayWithTheCallFailsItAtOnce) {
  auto holder = StartReplica("a");
  auto follower = StartReplica("b");
  holder->lease.Set(true, "a");
  holder->link.Hold();  // the call reaches it, and it never answers
  follower->lease.Set(false, "a");
  Outcome outcome;
  const Clock::time_point deadline = Clock::now() + kWait;
  follower->forwarder->Execute(Text("lost"), deadline, outcome.Done());
  ASSERT_TRUE(PollUntil([&] { return holder->link.ran().size() == 1; }, kWait));

  follower->lease.Set(false, "c");  // the lease moved on
  ASSERT_TRUE(PollUntil([&] { return outcome.ended(); }, kWait));
  EXPECT_EQ(outcome.result->status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(outcome.result->status.message().find("may or may not"), std::string::npos)
      << outcome.result->status;
  EXPECT_LT(outcome.at, deadline - milliseconds(5000)) << "waited for the deadline";
}

TEST_F(CallForwarderTest, StoppingFailsTheCallsStillWaiting) {
  auto follower = StartReplica("b");
  follower->lease.Set(false, "");
  Outcome outcome;
  follower->forwarder->Execute(Text("pending"), Clock::now() + kWait, outcome.Done());
  follower->forwarder->Stop();
  ASSERT_TRUE(outcome.ended());
  EXPECT_EQ(outcome.result->status.code(), absl::StatusCode::kUnavailable);
  Outcome after;
  follower->forwarder->Execute(Text("late"), Clock::now() + kWait, after.Done());
  ASSERT_TRUE(after.ended());
  EXPECT_EQ(after.result->status.code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace wxbridge::cluster
