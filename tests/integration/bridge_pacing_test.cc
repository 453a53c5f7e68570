// Send pacing end to end (docs/pacing.md): gRPC client -> wxbridge -> simulator, with the
// send times read from the simulator's receive times. Rates are high (10-20/s) so each
// test takes about a second; tolerances allow for a busy 2-core machine.
#include <algorithm>
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/poll_until.h"

namespace wxbridge::testing {
namespace {

using google::protobuf::util::TimeUtil;
using std::chrono::seconds;
using std::chrono::steady_clock;
using ::testing::HasSubstr;

// Messages at 20/s with a burst of 2; no per-chat limit, jitter or loop guard unless a
// test sets them.
void TestPacing(app::BridgeConfig& config) {
  config.pacing.mode = pacing::PaceMode::kOn;
  config.pacing.messages = pacing::PaceRate{20, seconds(1)};
  config.pacing.messages_burst = 2;
  config.pacing.per_chat = pacing::PaceRate{};
  config.pacing.jitter = milliseconds(0);
  config.pacing.loop_guard = 0;
}

HarnessOptions Paced(std::function<void(app::BridgeConfig&)> adjust = nullptr) {
  HarnessOptions options;
  options.configure_simulator = [](sim::SimulatorConfig& sim) {
    sim.scan_delay = milliseconds(20);
    sim.step_delay = milliseconds(10);
  };
  options.configure_bridge = [adjust](app::BridgeConfig& config) {
    TestPacing(config);
    if (adjust) adjust(config);
  };
  return options;
}

struct Sent {
  grpc::Status status;
  v1::SendTextResponse response;
  milliseconds took{0};
};

Sent SendText(v1::BridgeService::Stub& stub, const std::string& account, const std::string& to,
              const std::string& content, milliseconds timeout = kWait) {
  v1::SendTextRequest request;
  request.set_account(account);
  request.set_to_user_name(to);
  request.set_content(content);
  Sent sent;
  const auto start = steady_clock::now();
  sent.status = stub.SendText(Context(timeout).get(), request, &sent.response);
  sent.took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  return sent;
}

std::future<Sent> SendTextAsync(v1::BridgeService::Stub& stub, const std::string& account,
                                const std::string& to, const std::string& content) {
  return std::async(std::launch::async,
                    [&stub, account, to, content] { return SendText(stub, account, to, content); });
}

// When the simulator received each text (code 103) frame carrying `marker`, in order,
// with the frame's text.
struct Arrival {
  std::string frame;
  steady_clock::time_point at;
};
std::vector<Arrival> Arrivals(const sim::Simulator& sim, const std::string& marker) {
  const std::vector<std::string> frames = sim.ReceivedFrames();
  const std::vector<steady_clock::time_point> times = sim.ReceivedTimes();  // >= frames
  std::vector<Arrival> arrivals;
  for (std::size_t i = 0; i < frames.size() && i < times.size(); ++i) {
    if (frames[i].find("\"code\":103") != std::string::npos &&
        frames[i].find(marker) != std::string::npos) {
      arrivals.push_back({frames[i], times[i]});
    }
  }
  return arrivals;
}

bool WaitForArrivals(const sim::Simulator& sim, const std::string& marker, std::size_t n) {
  return PollUntil([&] { return Arrivals(sim, marker).size() >= n; }, kWait);
}

milliseconds Between(steady_clock::time_point from, steady_clock::time_point to) {
  return std::chrono::duration_cast<milliseconds>(to - from);
}

class BridgePacingTest : public ::testing::Test {
 protected:
  void Start(HarnessOptions options) {
    harness_ = std::make_unique<BridgeHarness>(std::move(options));
    stream_ = harness_->Subscribe();
  }
  void LogIn(const std::string& account) { ASSERT_TRUE(harness_->LogIn(account, *stream_)); }

  std::unique_ptr<BridgeHarness> harness_;
  std::unique_ptr<EventStream> stream_;
};

TEST_F(BridgePacingTest, ABurstBeyondTheBucketLeavesAtTheConfiguredRate) {
  Start(Paced());
  LogIn("alice");
  constexpr int kCalls = 10;
  std::vector<std::future<Sent>> calls;
  for (int i = 0; i < kCalls; ++i) {
    calls.push_back(SendTextAsync(harness_->stub(), "alice", "wxid_friend", "burst"));
  }
  std::vector<milliseconds> held;
  for (auto& call : calls) {
    Sent sent = call.get();
    ASSERT_TRUE(sent.status.ok()) << sent.status.error_message();
    held.push_back(milliseconds(TimeUtil::DurationToMilliseconds(sent.response.ack().held())));
  }
  ASSERT_TRUE(WaitForArrivals(harness_->sim(), "burst", kCalls));
  const std::vector<Arrival> arrivals = Arrivals(harness_->sim(), "burst");
  // 2 leave at once, the other 8 one every 50 ms: the last 400 ms after the first (less
  // the first frame's own way to the simulator), and not much later.
  const milliseconds span = Between(arrivals.front().at, arrivals.back().at);
  EXPECT_GE(span, milliseconds(300));
  EXPECT_LE(span, milliseconds(2500));
  // Never faster than the rate: frame k (from 0) leaves (k - 1) intervals after the
  // burst, which itself left at most a little before the first frame arrived.
  for (int k = 2; k < static_cast<int>(arrivals.size()); ++k) {
    EXPECT_GE(Between(arrivals.front().at, arrivals[k].at), milliseconds(50 * (k - 1) - 100)) << k;
  }
  // The held calls' acks say how long they waited: the longest about 400 ms.
  std::sort(held.begin(), held.end());
  EXPECT_EQ(held.front(), milliseconds(0));
  EXPECT_GE(held.back(), milliseconds(300));
  const v1::GetStatusResponse status = harness_->GetStatus();
  EXPECT_TRUE(status.pacing().enabled());
  EXPECT_EQ(status.pacing().calls_held(), static_cast<uint64_t>(kCalls - 2));
  EXPECT_GE(TimeUtil::DurationToMilliseconds(status.pacing().total_held()), 1000);
}

TEST_F(BridgePacingTest, AnAccountsCallsLeaveInTheOrderTheyCame) {
  // Only a per-chat limit: the calls to wxid_b would have room at once, but they came
  // after the held calls to wxid_a and must leave after them.
  Start(Paced([](app::BridgeConfig& config) {
    config.pacing.messages = pacing::PaceRate{};
    config.pacing.per_chat = pacing::PaceRate{10, seconds(1)};
    config.pacing.per_chat_burst = 1;
  }));
  LogIn("alice");
  const std::vector<std::string> chats = {"wxid_a", "wxid_a", "wxid_a",
                                          "wxid_a", "wxid_b", "wxid_b"};
  std::vector<std::future<Sent>> calls;
  for (std::size_t i = 0; i < chats.size(); ++i) {
    const std::string content = absl::StrCat("fifo-", i);
    calls.push_back(SendTextAsync(harness_->stub(), "alice", chats[i], content));
    // The next call starts once this one is in the bridge: the first is sent at once,
    // each later one is the i-th held.
    ASSERT_TRUE(PollUntil(
        [&] {
          return (i > 0 && harness_->GetStatus().pacing().calls_held() >= i) ||
                 (i == 0 && !Arrivals(harness_->sim(), content).empty());
        },
        kWait))
        << i;
  }
  for (auto& call : calls) ASSERT_TRUE(call.get().status.ok());
  ASSERT_TRUE(WaitForArrivals(harness_->sim(), "fifo-", chats.size()));
  const std::vector<Arrival> arrivals = Arrivals(harness_->sim(), "fifo-");
  for (std::size_t i = 0; i < chats.size(); ++i) {
    EXPECT_THAT(arrivals[i].frame, HasSubstr(absl::StrCat("\"fifo-", i, "\""))) << i;
  }
}

TEST_F(BridgePacingTest, AnotherAccountIsNotDelayedAndStatusShowsTheQueue) {
  Start(Paced([](app::BridgeConfig& config) {
    config.pacing.messages = pacing::PaceRate{5, seconds(1)};
    config.pacing.messages_burst = 1;
  }));
  LogIn("alice");
  LogIn("bob");
  std::vector<std::future<Sent>> alice;
  for (int i = 0; i < 8; ++i) {
    alice.push_back(SendTextAsync(harness_->stub(), "alice", "wxid_friend", "from-alice"));
  }
  // Alice's queue is ~1.4 s long; GetStatus shows it.
  std::optional<v1::GetStatusResponse> queued =
      harness_->WaitForStatus([](const v1::GetStatusResponse& status) {
        for (const auto& account : status.accounts()) {
          if (account.account() == "alice" && account.paced_calls_queued() >= 5) return true;
        }
        return false;
      });
  ASSERT_TRUE(queued);
  for (const auto& account : queued->accounts()) {
    if (account.account() != "alice") continue;
    EXPECT_GT(TimeUtil::TimestampToMilliseconds(account.next_message_at()),
              TimeUtil::TimestampToMilliseconds(TimeUtil::GetCurrentTime()) + 500);
  }
  Sent bob = SendText(harness_->stub(), "bob", "wxid_friend", "from-bob");
  ASSERT_TRUE(bob.status.ok()) << bob.status.error_message();
  EXPECT_LT(bob.took, milliseconds(1000));
  EXPECT_FALSE(bob.response.ack().has_held());
  // Bob's frame left before alice's queue emptied.
  ASSERT_TRUE(WaitForArrivals(harness_->sim(), "from-alice", 8));
  const auto alice_last = Arrivals(harness_->sim(), "from-alice").back().at;
  const auto bob_at = Arrivals(harness_->sim(), "from-bob").at(0).at;
  EXPECT_LT(bob_at, alice_last);
  for (auto& call : alice) EXPECT_TRUE(call.get().status.ok());
}

TEST_F(BridgePacingTest, ACallWhoseTurnIsAfterItsDeadlineFailsAtOnce) {
  Start(Paced([](app::BridgeConfig& config) {
    config.pacing.messages = pacing::PaceRate{1, seconds(60)};
    config.pacing.messages_burst = 1;
  }));
  LogIn("alice");
  ASSERT_TRUE(SendText(harness_->stub(), "alice", "wxid_friend", "first").status.ok());
  Sent refused = SendText(harness_->stub(), "alice", "wxid_friend", "second", milliseconds(3000));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.status.error_message(), HasSubstr("next turn is in"));
  EXPECT_THAT(refused.status.error_message(), HasSubstr("--pace_messages"));
  EXPECT_LT(refused.took, milliseconds(1500));  // at once, not at the deadline
  EXPECT_TRUE(Arrivals(harness_->sim(), "second").empty());
  EXPECT_EQ(harness_->GetStatus().pacing().calls_refused_deadline(), 1u);
}

TEST_F(BridgePacingTest, MetricsCountHeldAndRefusedCalls) {
  Start(Paced([](app::BridgeConfig& config) {
    config.pacing.messages = pacing::PaceRate{10, seconds(1)};
    config.pacing.messages_burst = 1;
    config.metrics.listen = "127.0.0.1:0";
  }));
  LogIn("alice");
  std::vector<std::future<Sent>> calls;
  for (int i = 0; i < 3; ++i) {
    calls.push_back(SendTextAsync(harness_->stub(), "alice", "wxid_friend", "metered"));
  }
  for (auto& call : calls) ASSERT_TRUE(call.get().status.ok());
  // Four more queue up (400 ms at 10/s); a call behind them with a 150 ms deadline is
  // refused at once.
  for (int i = 0; i < 4; ++i) {
    calls.push_back(SendTextAsync(harness_->stub(), "alice", "wxid_friend", "metered"));
  }
  ASSERT_TRUE(harness_->WaitForStatus([](const v1::GetStatusResponse& status) {
    return status.pacing().calls_held() >= 5;  // the first three (two held) and three more
  }));
  Sent refused = SendText(harness_->stub(), "alice", "wxid_friend", "late", milliseconds(150));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  for (std::size_t i = 3; i < calls.size(); ++i) ASSERT_TRUE(calls[i].get().status.ok());

  absl::StatusOr<MetricsScrape> scrape = MetricsScrape::Fetch(harness_->bridge().metrics_port());
  ASSERT_TRUE(scrape.ok()) << scrape.status();
  EXPECT_GE(scrape->ValueOr0("wxbridge_pacing_calls_held_total", {}), 5);
  EXPECT_GT(scrape->ValueOr0("wxbridge_pacing_held_seconds_total", {}), 0.2);
  EXPECT_EQ(scrape->ValueOr0("wxbridge_pacing_calls_refused_total", {{"reason", "deadline"}}), 1);
  EXPECT_EQ(scrape->ValueOr0("wxbridge_pacing_calls_refused_total", {{"reason", "loop"}}), 0);
  EXPECT_EQ(scrape->ValueOr0("wxbridge_pacing_calls_queued", {}), 0);
}

TEST_F(BridgePacingTest, TheLoopGuardStopsALoopWithOneEvent) {
  Start(Paced([](app::BridgeConfig& config) {
    config.pacing.messages = pacing::PaceRate{};
    config.pacing.loop_guard = 3;
    config.pacing.loop_guard_window = std::chrono::minutes(1);
  }));
  LogIn("alice");
  v1::SubscribeRequest loops;
  loops.add_kinds(v1::EVENT_KIND_LOOP_STOPPED);
  std::unique_ptr<EventStream> loop_stream = harness_->Subscribe(loops);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(SendText(harness_->stub(), "alice", "wxid_otherbot", "reply").status.ok()) << i;
  }
  for (int i = 0; i < 2; ++i) {
    Sent refused = SendText(harness_->stub(), "alice", "wxid_otherbot", "reply");
    EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(refused.status.error_message(), HasSubstr("loop guard"));
    EXPECT_THAT(refused.status.error_message(), HasSubstr("wxid_otherbot"));
  }
  // Another chat is not affected.
  EXPECT_TRUE(SendText(harness_->stub(), "alice", "wxid_human", "hello").status.ok());
  std::optional<v1::Event> stopped =
      loop_stream->WaitForEvent([](const v1::Event& e) { return e.has_loop_stopped(); });
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->account(), "alice");
  EXPECT_EQ(stopped->loop_stopped().chat(), "wxid_otherbot");
  EXPECT_EQ(stopped->loop_stopped().limit(), 3u);
  EXPECT_EQ(TimeUtil::DurationToSeconds(stopped->loop_stopped().window()), 60);
  const v1::GetStatusResponse status = harness_->GetStatus();
  EXPECT_EQ(status.pacing().loops_stopped(), 1u);  // one episode, one event
  EXPECT_EQ(status.pacing().calls_refused_loop(), 2u);
  EXPECT_EQ(Arrivals(harness_->sim(), "reply").size(), 3u);
}

TEST_F(BridgePacingTest, JitterSpreadsSendsWithinItsBound) {
  constexpr milliseconds kJitter{200};
  Start(Paced([kJitter](app::BridgeConfig& config) {
    config.pacing.messages = pacing::PaceRate{};
    config.pacing.jitter = kJitter;
  }));
  LogIn("alice");
  std::vector<milliseconds> held;
  for (int i = 0; i < 10; ++i) {
    Sent sent = SendText(harness_->stub(), "alice", "wxid_friend", "jittered");
    ASSERT_TRUE(sent.status.ok()) << sent.status.error_message();
    held.push_back(milliseconds(TimeUtil::DurationToMilliseconds(sent.response.ack().held())));
  }
  const auto [least, most] = std::minmax_element(held.begin(), held.end());
  // Within [0, jitter), plus what a busy machine adds to a timer.
  EXPECT_LT(*most, kJitter + milliseconds(250));
  // Spread, not one fixed delay: ten uniform draws all within 20 ms of each other would
  // be a one-in-10^8 event.
  EXPECT_GE(*most - *least, milliseconds(20));
}

TEST_F(BridgePacingTest, PaceOffSendsWithoutDelayInFrontOfAGateway) {
  // The harness's simulator is reached through --upstream, as a real gateway is; the
  // pacing defaults are on there, and --pace=off turns them off.
  Start(Paced([](app::BridgeConfig& config) {
    config.pacing = pacing::PacingConfig{};
    config.pacing.mode = pacing::PaceMode::kOff;
  }));
  LogIn("alice");
  std::vector<std::future<Sent>> calls;
  for (int i = 0; i < 20; ++i) {
    calls.push_back(SendTextAsync(harness_->stub(), "alice", "wxid_friend", "unpaced"));
  }
  for (auto& call : calls) {
    Sent sent = call.get();
    ASSERT_TRUE(sent.status.ok());
    EXPECT_FALSE(sent.response.ack().has_held());
  }
  // The defaults (20/min, burst 5) would need a minute for these.
  const std::vector<Arrival> arrivals = Arrivals(harness_->sim(), "unpaced");
  ASSERT_EQ(arrivals.size(), 20u);
  EXPECT_LT(Between(arrivals.front().at, arrivals.back().at), milliseconds(3000));
  EXPECT_FALSE(harness_->GetStatus().pacing().enabled());
}

TEST_F(BridgePacingTest, PacingIsOnByDefaultInFrontOfAGateway) {
  Start(Paced([](app::BridgeConfig& config) { config.pacing = pacing::PacingConfig{}; }));
  const v1::GetStatusResponse status = harness_->GetStatus();
  EXPECT_TRUE(status.pacing().enabled());
}

TEST(BridgeEmbeddedSimulatorPacingTest, TheEmbeddedSimulatorSendsWithoutDelayByDefault) {
  app::BridgeConfig config;  // pacing defaults: auto
  config.grpc.listen = "127.0.0.1:0";
  config.storage.data_dir = "";
  config.simulator.scan_delay = milliseconds(20);
  app::BridgeServer bridge(config);
  ASSERT_TRUE(bridge.Start().ok());
  auto stub = v1::BridgeService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", bridge.port()), grpc::InsecureChannelCredentials()));
  EventStream stream(stub.get(), {});
  v1::LoginRequest login;
  login.set_account("alice");
  v1::LoginResponse logged;
  ASSERT_TRUE(stub->Login(Context().get(), login, &logged).ok());
  ASSERT_TRUE(stream.WaitForEvent(
      [](const v1::Event& e) { return IsLoginStatus(e, "alice", v1::LOGIN_STATUS_LOGGED_IN); }));
  std::vector<std::future<Sent>> calls;
  for (int i = 0; i < 20; ++i) calls.push_back(SendTextAsync(*stub, "alice", "wxid_f", "embedded"));
  for (auto& call : calls) {
    Sent sent = call.get();
    ASSERT_TRUE(sent.status.ok()) << sent.status.error_message();
    EXPECT_FALSE(sent.response.ack().has_held());
  }
  const std::vector<Arrival> arrivals = Arrivals(*bridge.simulator(), "embedded");
  ASSERT_EQ(arrivals.size(), 20u);
  EXPECT_LT(Between(arrivals.front().at, arrivals.back().at), milliseconds(3000));
  v1::GetStatusResponse status;
  ASSERT_TRUE(stub->GetStatus(Context().get(), {}, &status).ok());
  EXPECT_FALSE(status.pacing().enabled());
  EXPECT_TRUE(status.embedded_simulator());
  stream.Cancel();
}

}  // namespace
}  // namespace wxbridge::testing
