// Cluster mode end to end: three real wxbridge replicas, one nats-server, one gateway
// simulator, on loopback. One log for all (same seqs everywhere), calls forwarded to the
// holder, failover after kill -9, a NATS restart, and the holder's fail-stop when NATS
// is gone for good; and the three NATS connections over TLS with a private CA.
#include "tests/cluster/bridge_cluster.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_credentials.h"

namespace wxbridge::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;

// The exit code of a holder that lost its lease (fail-stop; systemd restarts it).
constexpr int kLostLeaseExit = 75;

std::unique_ptr<EventStream> Subscribe(BridgeReplica& replica, std::optional<uint64_t> after_seq,
                                       const std::string& log_id = "") {
  v1::SubscribeRequest request;
  if (after_seq) request.set_after_seq(*after_seq);
  if (!log_id.empty()) request.set_log_id(log_id);
  auto stream = std::make_unique<EventStream>(&replica.stub(), request);
  EXPECT_TRUE(stream->WaitFor(IsHello)) << "no hello";
  return stream;
}

std::string HelloLogId(EventStream& stream) {
  auto hello = stream.WaitFor(IsHello);
  return hello ? hello->hello().log_id() : "";
}

// Waits until `stream` delivered an event with this exact text; its events up to it.
std::vector<v1::Event> EventsUpTo(EventStream& stream, const std::string& text,
                                  milliseconds timeout = kWait) {
  if (!stream.WaitForEvent([&](const v1::Event& e) { return TextOf(e) == text; }, timeout)) {
    return {};
  }
  std::vector<v1::Event> events = EventsOf(stream.Received());
  auto end = std::find_if(events.begin(), events.end(),
                          [&](const v1::Event& e) { return TextOf(e) == text; });
  events.erase(end + 1, events.end());
  return events;
}

std::vector<std::string> Fingerprints(const std::vector<v1::Event>& events) {
  std::vector<std::string> prints;
  for (const v1::Event& e : events) prints.push_back(Fingerprint(e));
  return prints;
}

// Seqs start at `first` and go up by exactly 1.
::testing::AssertionResult Contiguous(const std::vector<v1::Event>& events, uint64_t first = 1) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].seq() != first + i) {
      return ::testing::AssertionFailure()
             << "event " << i << " has seq " << events[i].seq() << ", expected " << first + i;
    }
  }
  return ::testing::AssertionSuccess();
}

bool HasGap(const EventStream& stream) {
  for (const v1::SubscribeResponse& r : stream.Received()) {
    if (r.has_gap()) return true;
  }
  return false;
}

v1::SendTextRequest TextRequest(const std::string& content) {
  v1::SendTextRequest request;
  request.set_account("alice");
  request.set_to_user_name(sim::Simulator::WxIdFor("bob"));
  request.set_content(content);
  return request;
}

// An OK answer the simulator's echo completed: the ack names the reply it carries.
::testing::AssertionResult Echoed(const v1::SendTextResponse& response) {
  const v1::CommandAck& ack = response.ack();
  if (ack.request_id() == 0 || !ack.gateway_acknowledged() ||
      ack.completion() != v1::COMPLETION_ECHOED || ack.reply_seq() == 0 ||
      response.replies().empty() || response.replies(0).seq() != ack.reply_seq()) {
    return ::testing::AssertionFailure() << "not an echoed answer: " << response.ShortDebugString();
  }
  return ::testing::AssertionSuccess();
}

// An OK answer that is a documented one: echoed, or completed on write (a connection
// that has not learned the ack mode yet) with no reply.
::testing::AssertionResult WellFormed(const v1::SendTextResponse& response) {
  const v1::CommandAck& ack = response.ack();
  const bool written = ack.request_id() != 0 && ack.completion() == v1::COMPLETION_WRITTEN &&
                       !ack.gateway_acknowledged() && ack.reply_seq() == 0;
  if (written || Echoed(response)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "OK with a malformed answer: " << response.ShortDebugString();
}

// A call that could not complete must say so plainly.
bool ClearFailure(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

class BridgeClusterTest : public ::testing::Test {
 protected:
  virtual ClusterOptions Options() const { return {}; }

  void SetUp() override {
    cluster_ = std::make_unique<BridgeCluster>(Options());
    ASSERT_TRUE(cluster_->Start());
    holder_ = cluster_->WaitForHolder();
    ASSERT_GE(holder_, 0) << cluster_->Logs();
  }

  void TearDown() override {
    if (HasFailure() && cluster_) std::cerr << cluster_->Logs() << "\n";
  }

  BridgeCluster& cluster() { return *cluster_; }
  BridgeReplica& replica(int i) { return cluster_->replica(i); }
  sim::Simulator& sim() { return cluster_->sim(); }

  std::unique_ptr<BridgeCluster> cluster_;
  int holder_ = -1;
};

TEST_F(BridgeClusterTest, EveryReplicaServesTheSameEventsUnderTheSameSeqs) {
  std::vector<std::unique_ptr<EventStream>> streams;
  for (int i = 0; i < cluster().size(); ++i) streams.push_back(Subscribe(replica(i), 0));
  const std::string log_id = HelloLogId(*streams[0]);
  ASSERT_FALSE(log_id.empty());

  constexpr int kEvents = 20;
  for (int k = 0; k < kEvents; ++k) {
    sim().InjectFrame(TextFrame("alice", absl::StrCat("event ", k), 1000 + k));
  }
  const std::string last = absl::StrCat("event ", kEvents - 1);
  const std::vector<v1::Event> reference = EventsUpTo(*streams[0], last);
  ASSERT_FALSE(reference.empty()) << "replica 0 never delivered the events";
  EXPECT_TRUE(Contiguous(reference));
  int k = 0;
  for (const v1::Event& e : reference) {
    if (!TextOf(e).empty()) {
      EXPECT_EQ(TextOf(e), absl::StrCat("event ", k++));
    }
  }
  EXPECT_EQ(k, kEvents);
  for (int i = 1; i < cluster().size(); ++i) {
    EXPECT_EQ(HelloLogId(*streams[i]), log_id) << "replica " << i;
    EXPECT_EQ(Fingerprints(EventsUpTo(*streams[i], last)), Fingerprints(reference))
        << "replica " << i;
    EXPECT_FALSE(HasGap(*streams[i]));
    std::optional<v1::GetStatusResponse> status = replica(i).Status();
    ASSERT_TRUE(status);
    EXPECT_EQ(status->log_id(), log_id);
    EXPECT_GE(status->head_seq(), reference.back().seq());
  }

  // A follower resumes after a seq of the shared log like a single bridge would.
  const int follower = cluster().Others(holder_)[0];
  auto middle = std::find_if(reference.begin(), reference.end(),
                             [](const v1::Event& e) { return TextOf(e) == "event 9"; });
  ASSERT_NE(middle, reference.end());
  auto resumed = Subscribe(replica(follower), middle->seq(), log_id);
  std::vector<v1::Event> rest = EventsUpTo(*resumed, last);
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(TextOf(rest.front()), "event 10");
  EXPECT_TRUE(Contiguous(rest, middle->seq() + 1));
}

// The gRPC health of a replica's BridgeService: SERVING, NOT_SERVING, or UNKNOWN when the
// check itself failed.
HealthStatus HealthOf(BridgeReplica& replica) {
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", replica.port()),
                                     grpc::InsecureChannelCredentials());
  return CheckHealth(channel.get()).value_or(grpc::health::v1::HealthCheckResponse::UNKNOWN);
}

bool ShowsLoggedIn(BridgeReplica& replica, const std::string& account) {
  std::optional<v1::GetStatusResponse> status = replica.Status();
  if (!status) return false;
  for (const v1::AccountStatus& entry : status->accounts()) {
    if (entry.account() == account && entry.last_status() == v1::LOGIN_STATUS_LOGGED_IN)
      return true;
  }
  return false;
}

// Every replica takes calls, so a load balancer's health check must keep every one; and
// GetStatus on a follower lists the accounts the holder logged in.
TEST_F(BridgeClusterTest, EveryReplicaIsHealthyAndListsTheAccountsTheHolderLoggedIn) {
  for (int i = 0; i < cluster().size(); ++i) {
    EXPECT_TRUE(PollUntil(
        [&] { return HealthOf(replica(i)) == grpc::health::v1::HealthCheckResponse::SERVING; },
        kWait))
        << "replica " << i << (i == holder_ ? " (holder)" : " (follower)");
  }
  const int follower = cluster().Others(holder_)[0];
  ASSERT_TRUE(cluster().LogIn(follower, "carol"));
  for (int i = 0; i < cluster().size(); ++i) {
    EXPECT_TRUE(PollUntil([&] { return ShowsLoggedIn(replica(i), "carol"); }, kWait))
        << "replica " << i;
  }

  // Without NATS a follower can neither forward nor know a holder: not serving.
  cluster().nats().Kill();
  EXPECT_TRUE(PollUntil(
      [&] {
        return HealthOf(replica(follower)) == grpc::health::v1::HealthCheckResponse::NOT_SERVING;
      },
      kWait));
}

TEST_F(BridgeClusterTest, ACallOnAFollowerIsForwardedAndReachesTheGatewayOnce) {
  ASSERT_TRUE(cluster().LogIn(holder_, "alice"));
  ASSERT_TRUE(cluster().LogIn(holder_, "bob"));
  const int follower = cluster().Others(holder_)[0];
  const v1::GetStatusResponse follower_before = replica(follower).Status().value();
  const v1::GetStatusResponse holder_before = replica(holder_).Status().value();
  auto stream = Subscribe(replica(follower), std::nullopt);

  const std::string content = "forwarded through a follower";
  v1::SendTextResponse response;
  grpc::Status status =
      replica(follower).stub().SendText(Context().get(), TextRequest(content), &response);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  ASSERT_TRUE(Echoed(response));
  // The reply the answer names is the one in the shared log.
  auto reply = stream->WaitForEvent(
      [&](const v1::Event& e) { return e.seq() == response.ack().reply_seq(); });
  ASSERT_TRUE(reply);
  EXPECT_EQ(Fingerprint(*reply), Fingerprint(response.replies(0)));

  // Bob gets it once; a marker pushed after it bounds the wait for a duplicate.
  ASSERT_TRUE(stream->WaitForEvent([&](const v1::Event& e) { return IsText(e, "bob", content); }));
  sim().InjectFrame(TextFrame("alice", "marker", 77));
  ASSERT_FALSE(EventsUpTo(*stream, "marker").empty());
  const std::vector<v1::Event> events = EventsOf(stream->Received());
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [&](const v1::Event& e) { return IsText(e, "bob", content); }),
            1);
  const std::vector<std::string> frames = sim().ReceivedFrames();
  EXPECT_EQ(std::count_if(frames.begin(), frames.end(),
                          [&](const std::string& f) { return absl::StrContains(f, content); }),
            1)
      << "the gateway got the request other than once";

  const v1::GetStatusResponse follower_after = replica(follower).Status().value();
  const v1::GetStatusResponse holder_after = replica(holder_).Status().value();
  EXPECT_EQ(follower_after.cluster().calls_forwarded(),
            follower_before.cluster().calls_forwarded() + 1);
  EXPECT_EQ(holder_after.cluster().calls_served_for_others(),
            holder_before.cluster().calls_served_for_others() + 1);
  EXPECT_EQ(holder_after.cluster().calls_forwarded(), 0u);
  EXPECT_EQ(follower_after.upstream_state(), v1::UPSTREAM_STATE_DISCONNECTED);
}

// Calls made in a loop on one replica until stopped (or, with `until_failure`, until one
// fails: a dead replica fails at once), each outcome kept.
class CallLoop {
 public:
  CallLoop(BridgeReplica& replica, std::string tag, bool until_failure)
      : replica_(replica), tag_(std::move(tag)), until_failure_(until_failure) {
    thread_ = std::thread([this] { Run(); });
  }
  ~CallLoop() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int ok() const { return ok_; }
  // Outcomes that are neither a well-formed OK nor a clear failure.
  std::vector<std::string> bad() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bad_;
  }

 private:
  void Run() {
    for (int i = 0; !stop_; ++i) {
      v1::SendTextResponse response;
      grpc::Status status = replica_.stub().SendText(Context(milliseconds(3000)).get(),
                                                     TextRequest(absl::StrCat(tag_, i)), &response);
      std::lock_guard<std::mutex> lock(mutex_);
      if (status.ok()) {
        if (auto formed = WellFormed(response); !formed) bad_.push_back(formed.message());
        ++ok_;
      } else {
        if (!ClearFailure(status)) {
          bad_.push_back(absl::StrCat(status.error_code(), " ", status.error_message()));
        }
        if (until_failure_) return;
      }
    }
  }

  BridgeReplica& replica_;
  const std::string tag_;
  const bool until_failure_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0};
  std::mutex mutex_;
  std::vector<std::string> bad_;
  std::thread thread_;
};

// Threads joined on every way out of a test (a failed ASSERT included).
struct Joined {
  std::vector<std::thread> threads;
  ~Joined() {
    for (std::thread& t : threads) {
      if (t.joinable()) t.join();
    }
  }
};

// The indexes of the "burst N" texts among `events`.
std::vector<int> BurstIndexes(const std::vector<v1::Event>& events) {
  std::vector<int> indexes;
  for (const v1::Event& e : events) {
    const std::string text = TextOf(e);
    if (absl::StartsWith(text, "burst ")) indexes.push_back(std::stoi(text.substr(6)));
  }
  return indexes;
}

TEST_F(BridgeClusterTest, KillingTheHolderFailsOverWithoutLosingOrRenumberingEvents) {
  ASSERT_TRUE(cluster().LogIn(holder_, "alice"));
  ASSERT_TRUE(cluster().LogIn(holder_, "bob"));
  const std::vector<int> survivors = cluster().Others(holder_);
  ASSERT_EQ(survivors.size(), 2u);
  std::vector<std::unique_ptr<EventStream>> streams;
  for (int s : survivors) streams.push_back(Subscribe(replica(s), 0));

  // Gateway pushes at a steady pace (the sleep paces the load; it waits for nothing).
  std::atomic<bool> stop_pushing{false};
  std::atomic<int> pushed{0};
  std::vector<grpc::Status> in_flight(4);
  Joined threads;
  struct StopPushing {
    std::atomic<bool>& flag;
    ~StopPushing() { flag = true; }
  } stop_pushing_on_exit{stop_pushing};  // runs before `threads` joins
  threads.threads.emplace_back([&] {
    for (int i = 0; !stop_pushing; ++i) {
      sim().InjectFrame(TextFrame("alice", absl::StrCat("burst ", i), 5000 + i));
      pushed = i + 1;
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  CallLoop on_holder(replica(holder_), "to holder ", /*until_failure=*/true);
  CallLoop on_follower(replica(survivors[0]), "via follower ", /*until_failure=*/false);
  ASSERT_FALSE(streams[0]
                   ->WaitForCount(
                       [](const v1::SubscribeResponse& r) {
                         return r.has_event() && absl::StartsWith(TextOf(r.event()), "burst ");
                       },
                       20)
                   .empty());
  ASSERT_TRUE(PollUntil([&] { return on_holder.ok() >= 3 && on_follower.ok() >= 3; }, kWait));

  // Calls in flight at the crash: the gateway reads nothing for a moment, so they wait.
  sim().SetReadsPaused(true);
  for (std::size_t i = 0; i < in_flight.size(); ++i) {
    BridgeReplica& target = replica(i % 2 == 0 ? holder_ : survivors[0]);
    threads.threads.emplace_back([&, i, &target = target] {
      v1::SendTextResponse response;
      in_flight[i] = target.stub().SendText(Context(milliseconds(4000)).get(),
                                            TextRequest(absl::StrCat("in flight ", i)), &response);
      if (in_flight[i].ok() && !WellFormed(response)) {
        in_flight[i] = grpc::Status(grpc::StatusCode::INTERNAL, "OK with a malformed answer");
      }
    });
  }
  PollUntil(
      [&] {
        auto status = replica(holder_).Status();
        return status && status->counters().calls_in_flight() >= 2;
      },
      milliseconds(2000));
  const std::size_t accepted_before = sim().connections_accepted();
  const Clock::time_point killed_at = Clock::now();
  replica(holder_).Kill();
  sim().SetReadsPaused(false);

  // Another replica takes the lease once the stored expiry passed, then connects.
  const milliseconds bound = duration_cast<milliseconds>(cluster().lease_ttl()) +
                             BridgeCluster::kBackoffMax + milliseconds(1500);
  ASSERT_TRUE(PollUntil([&] { return sim().connections_accepted() > accepted_before; }, bound * 2))
      << "no replica connected upstream after the holder died";
  const auto failover = duration_cast<milliseconds>(Clock::now() - killed_at);
  EXPECT_LE(failover, bound) << "took " << failover.count() << " ms";
  const int new_holder = cluster().WaitForHolder();
  ASSERT_GE(new_holder, 0);
  EXPECT_NE(new_holder, holder_);

  // Pushes go on reaching the log through the new holder.
  const int resumed_from = pushed;
  ASSERT_TRUE(streams[1]->WaitForEvent([&](const v1::Event& e) {
    return absl::StartsWith(TextOf(e), "burst ") && BurstIndexes({e})[0] >= resumed_from + 20;
  }));
  stop_pushing = true;
  for (std::thread& t : threads.threads) t.join();
  on_holder.Stop();
  on_follower.Stop();

  for (std::size_t i = 0; i < in_flight.size(); ++i) {
    EXPECT_TRUE(in_flight[i].ok() || ClearFailure(in_flight[i]))
        << "in-flight call " << i << ": " << in_flight[i].error_code() << " "
        << in_flight[i].error_message();
  }
  EXPECT_EQ(on_holder.bad(), std::vector<std::string>());
  EXPECT_EQ(on_follower.bad(), std::vector<std::string>());

  // The new holder's connection learns that the gateway echoes, like the first one did
  // (its code-100 re-bind teaches it); new calls then complete on their echo, on the
  // new holder and through the other survivor.
  EXPECT_TRUE(PollUntil(
      [&] {
        auto status = replica(new_holder).Status();
        return status && status->ack_mode() == v1::GATEWAY_ACK_MODE_ECHO;
      },
      kWait))
      << "ack mode: " << replica(new_holder).Status().value_or(v1::GetStatusResponse()).ack_mode();
  for (int s : survivors) {
    v1::SendTextResponse response;
    grpc::Status status =
        replica(s).stub().SendText(Context().get(), TextRequest("after failover"), &response);
    EXPECT_TRUE(status.ok()) << "replica " << s << ": " << status.error_message();
    if (status.ok()) {
      EXPECT_TRUE(Echoed(response)) << "replica " << s;
    }
  }

  // Both survivors saw one log: the same events, seqs 1, 2, 3… with no gap, each burst
  // push at most once and in order; a fresh reader sees it numbered the same.
  sim().InjectFrame(TextFrame("alice", "end", 99));
  const std::vector<v1::Event> seen = EventsUpTo(*streams[0], "end");
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(Contiguous(seen));
  EXPECT_EQ(Fingerprints(EventsUpTo(*streams[1], "end")), Fingerprints(seen));
  for (auto& stream : streams) {
    EXPECT_FALSE(HasGap(*stream));
    EXPECT_FALSE(stream->WaitForEnd(milliseconds(0))) << "a survivor's stream ended";
  }
  const std::vector<int> bursts = BurstIndexes(seen);
  EXPECT_TRUE(std::adjacent_find(bursts.begin(), bursts.end(), std::greater_equal<int>()) ==
              bursts.end())
      << "a push twice or out of order";
  auto fresh = Subscribe(replica(new_holder), 0);
  EXPECT_EQ(Fingerprints(EventsUpTo(*fresh, "end")), Fingerprints(seen));
  EXPECT_EQ(sim().peak_connection_count(), 1u) << "two replicas held the gateway at once";
}

class BridgeClusterNatsRestartTest : public BridgeClusterTest {
 protected:
  // Longer than a NATS restart takes: the holder keeps its lease across it.
  ClusterOptions Options() const override {
    ClusterOptions options;
    options.lease_ttl = std::chrono::seconds(5);
    return options;
  }
};

TEST_F(BridgeClusterNatsRestartTest, ARestartedNatsServerLosesNothingAndNumberingGoesOn) {
  std::vector<std::unique_ptr<EventStream>> streams;
  for (int i = 0; i < cluster().size(); ++i) streams.push_back(Subscribe(replica(i), 0));
  const std::string log_id = HelloLogId(*streams[0]);
  for (int k = 0; k < 10; ++k) {
    sim().InjectFrame(TextFrame("alice", absl::StrCat("before ", k), 100 + k));
  }
  const std::vector<v1::Event> before = EventsUpTo(*streams[0], "before 9");
  ASSERT_FALSE(before.empty());

  ASSERT_TRUE(cluster().nats().Restart().ok());
  ASSERT_TRUE(PollUntil(
      [&] {
        for (int i = 0; i < cluster().size(); ++i) {
          auto status = replica(i).Status();
          if (!status || !status->cluster().nats_connected()) return false;
        }
        return true;
      },
      kWait))
      << "a replica did not reconnect to NATS";
  ASSERT_GE(cluster().WaitForHolder(), 0);
  for (int k = 0; k < 10; ++k) {
    sim().InjectFrame(TextFrame("alice", absl::StrCat("after ", k), 200 + k));
  }

  for (int i = 0; i < cluster().size(); ++i) {
    // A stream cut by the restart resumes where it stopped, as a client would.
    std::vector<v1::Event> events = EventsOf(streams[i]->Received());
    if (streams[i]->WaitForEnd(milliseconds(0))) {
      const uint64_t last = events.empty() ? 0 : events.back().seq();
      streams[i] = Subscribe(replica(i), last, log_id);
    }
    std::vector<v1::Event> rest = EventsUpTo(*streams[i], "after 9");
    ASSERT_FALSE(rest.empty()) << "replica " << i << " never delivered the new events";
    if (!events.empty() && rest.front().seq() > events.back().seq()) {
      rest.insert(rest.begin(), events.begin(), events.end());  // a resumed stream
    }
    EXPECT_TRUE(Contiguous(rest)) << "replica " << i;
    EXPECT_FALSE(HasGap(*streams[i]));
    const std::vector<std::string> prints = Fingerprints(rest);
    ASSERT_GE(prints.size(), before.size());
    EXPECT_EQ(std::vector<std::string>(prints.begin(), prints.begin() + before.size()),
              Fingerprints(before))
        << "replica " << i << ": events from before the restart changed";
    // A fresh reader finds the same log.
    auto fresh = Subscribe(replica(i), 0);
    EXPECT_EQ(Fingerprints(EventsUpTo(*fresh, "after 9")), prints) << "replica " << i;
  }
  for (int i = 0; i < cluster().size(); ++i) EXPECT_TRUE(replica(i).running()) << i;
}

TEST_F(BridgeClusterTest, AHolderCutOffFromNatsClosesTheUpstreamInTimeAndExits75) {
  ASSERT_EQ(sim().connection_count(), 1u);
  const Clock::time_point stopped_at = Clock::now();
  cluster().nats().Kill();

  // The lease was last renewed before the stop, so it expires within a TTL of it.
  ASSERT_TRUE(PollUntil([&] { return sim().connection_count() == 0; }, kWait))
      << "the holder kept the gateway without NATS";
  const auto closed_after = duration_cast<milliseconds>(Clock::now() - stopped_at);
  EXPECT_LT(closed_after, cluster().lease_ttl())
      << "closed after " << closed_after.count() << " ms";

  const ProcessResult ended = replica(holder_).WaitExit(kWait);
  EXPECT_FALSE(ended.timed_out) << "the holder did not exit";
  EXPECT_EQ(ended.exit_code, kLostLeaseExit);

  // Without NATS nobody may take the gateway, and calls fail plainly at their deadline.
  EXPECT_EQ(sim().connections_accepted(), 1u);
  EXPECT_EQ(sim().peak_connection_count(), 1u);
  const int follower = cluster().Others(holder_)[0];
  v1::SendTextResponse response;
  const Clock::time_point called_at = Clock::now();
  grpc::Status status = replica(follower).stub().SendText(Context(milliseconds(1000)).get(),
                                                          TextRequest("no holder"), &response);
  EXPECT_TRUE(ClearFailure(status)) << status.error_code() << " " << status.error_message();
  EXPECT_LT(Clock::now() - called_at, milliseconds(3000));
  for (int i : cluster().Others(holder_)) EXPECT_TRUE(replica(i).running()) << i;
}

// nats-server serving TLS only, with the test CA's server certificate (it covers
// 127.0.0.1); replicas trust that CA through --nats_tls_ca.
class BridgeClusterTlsTest : public ::testing::Test {
 protected:
  void StartCluster(int replicas) {
    ASSERT_TRUE(certs_.ok());
    ClusterOptions options;
    options.replicas = replicas;
    options.nats_tls =
        NatsTestTls{certs_.Path("server.pem"), certs_.Path("server.key"), certs_.Path("ca.pem")};
    cluster_ = std::make_unique<BridgeCluster>(options);
    ASSERT_TRUE(cluster_->Start());
    ASSERT_TRUE(absl::StartsWith(cluster_->nats().url(), "tls://")) << cluster_->nats().url();
  }

  // Starts a replica with these NATS flags and expects it to exit non-zero on its own,
  // saying which flag is at fault.
  void ExpectRefusedToStart(const std::string& name, const std::string& nats_url,
                            const std::string& nats_tls_ca) {
    std::unique_ptr<BridgeReplica> replica = cluster_->StartReplica(name, nats_url, nats_tls_ca);
    const ProcessResult ended = replica->WaitExit(kWait);
    const std::string log = replica->Log();
    EXPECT_FALSE(ended.timed_out) << name << " kept running; log:\n" << log;
    EXPECT_NE(ended.exit_code, 0) << name << "; log:\n" << log;
    EXPECT_TRUE(absl::StrContains(log, absl::StrCat("--nats_url: connect to ", nats_url)))
        << name << "; log:\n"
        << log;
    // It never got as far as taking the gateway.
    EXPECT_EQ(cluster_->sim().connections_accepted(), 0u) << name;
  }

  void TearDown() override {
    if (HasFailure() && cluster_) std::cerr << cluster_->Logs() << "\n";
  }

  TestCertificates certs_;  // outlives the cluster: nats-server reads its files
  std::unique_ptr<BridgeCluster> cluster_;
};

// The event log, the lease and the forwarder each have their own NATS connection: a
// holder that logs and connects upstream, and a follower whose call reaches it, use all
// three over TLS.
TEST_F(BridgeClusterTlsTest, AllThreeNatsConnectionsWorkOverTlsWithThePrivateCa) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2));
  const int holder = cluster_->WaitForHolder();
  ASSERT_GE(holder, 0);
  for (int i = 0; i < cluster_->size(); ++i) {
    const std::optional<v1::GetStatusResponse> status = cluster_->replica(i).Status();
    ASSERT_TRUE(status) << i;
    EXPECT_TRUE(status->cluster().nats_connected()) << i;
  }
  ASSERT_TRUE(cluster_->LogIn(holder, "alice"));
  ASSERT_TRUE(cluster_->LogIn(holder, "bob"));
  const int follower = cluster_->Others(holder)[0];
  v1::SendTextResponse response;
  grpc::Status status = cluster_->replica(follower).stub().SendText(
      Context().get(), TextRequest("over TLS through a follower"), &response);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_TRUE(Echoed(response));
  const std::optional<v1::GetStatusResponse> after = cluster_->replica(follower).Status();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->cluster().calls_forwarded(), 1u);
}

TEST_F(BridgeClusterTlsTest, ACaThatDidNotSignTheServerCertificateRefusesToStart) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(0));
  ExpectRefusedToStart("stranger-ca", cluster_->nats().url(), certs_.Path("stranger_ca.pem"));
}

// nats.c switches a nats:// connection to TLS when the server requires it; without
// --nats_tls_ca nothing trusts the private CA, so this fails on the certificate check.
TEST_F(BridgeClusterTlsTest, APlainNatsUrlToTheTlsServerRefusesToStart) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(0));
  ExpectRefusedToStart("plain", absl::StrCat("nats://127.0.0.1:", cluster_->nats().port()), "");
}

}  // namespace
}  // namespace wxbridge::testing
