// What happens when the gateway misbehaves: drops, outages, a wrong or leaked authKey,
// malformed frames, oversized and huge images, a hung peer, replies that never come,
// and what the health service says about it all.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/impl/client_unary_call.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/bridge_harness.h"
#include "tests/support/poll_until.h"

namespace wxbridge::testing {
namespace {

using sim::AckMode;
using sim::Simulator;
using std::chrono::steady_clock;
using ::testing::HasSubstr;
using ::testing::Not;

// The request code of a frame the bridge sent, or -1 when it is not one.
int FrameCode(const std::string& frame) {
  const nlohmann::json json = nlohmann::json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("code") || !json["code"].is_number_integer()) {
    return -1;
  }
  return json["code"].get<int>();
}

bool AnyFrameWithCode(const std::vector<std::string>& frames, int code) {
  for (const auto& frame : frames) {
    if (FrameCode(frame) == code) return true;
  }
  return false;
}

class BridgeResilienceTest : public ::testing::TestWithParam<AckMode> {
 protected:
  BridgeResilienceTest() : BridgeResilienceTest(HarnessOptions{GetParam()}) {}
  explicit BridgeResilienceTest(HarnessOptions options) : harness_(std::move(options)) {
    watcher_ = harness_.Subscribe();
  }

  void LogInAliceAndBob() {
    ASSERT_TRUE(harness_.WaitConnected());
    ASSERT_TRUE(harness_.LogIn(alice_, *watcher_));
    ASSERT_TRUE(harness_.LogIn(bob_, *watcher_));
  }

  // The first bridge-state event after `after_seq` that satisfies `state_matches`.
  std::optional<v1::Event> WaitForBridgeState(
      uint64_t after_seq, const std::function<bool(v1::UpstreamState)>& state_matches,
      milliseconds timeout = kWait) {
    return watcher_->WaitForEvent(
        [&](const v1::Event& e) {
          return e.seq() > after_seq && e.has_bridge_state() &&
                 state_matches(e.bridge_state().state());
        },
        timeout);
  }
  std::optional<v1::Event> WaitLeftConnected(uint64_t after_seq, milliseconds timeout = kWait) {
    return WaitForBridgeState(
        after_seq, [](v1::UpstreamState s) { return s != v1::UPSTREAM_STATE_CONNECTED; }, timeout);
  }
  std::optional<v1::Event> WaitReconnected(uint64_t after_seq) {
    return WaitForBridgeState(
        after_seq, [](v1::UpstreamState s) { return s == v1::UPSTREAM_STATE_CONNECTED; });
  }

  // Sends alice -> bob and waits until bob has it.
  void ExpectTextDelivered(const std::string& text) {
    grpc::Status status = harness_.SendText(alice_, bob_wxid_, text);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    EXPECT_TRUE(watcher_->WaitForEvent([&](const v1::Event& e) { return IsText(e, bob_, text); }))
        << "\"" << text << "\" never arrived";
  }

  v1::BridgeService::Stub& stub() { return harness_.stub(); }

  BridgeHarness harness_;
  std::unique_ptr<EventStream> watcher_;
  const std::string alice_ = "alice";
  const std::string bob_ = "bob";
  const std::string bob_wxid_ = Simulator::WxIdFor("bob");
};

// Behaviour that does not depend on the gateway's ack mode: run once.
class BridgeUpstreamTest : public BridgeResilienceTest {};

inline constexpr char kWrongKey[] = "wrong-key-Q7Z";
class BridgeWrongKeyTest : public BridgeResilienceTest {
 protected:
  BridgeWrongKeyTest()
      : BridgeResilienceTest(HarnessOptions{
            GetParam(), nullptr, [](app::BridgeConfig& c) { c.calls.auth_key = kWrongKey; }}) {}
};

inline constexpr char kSecretKey[] = "s3cret-key-XYZ";
class BridgeSecretKeyTest : public BridgeResilienceTest {
 protected:
  BridgeSecretKeyTest()
      : BridgeResilienceTest(
            HarnessOptions{GetParam(), [](sim::SimulatorConfig& c) { c.auth_key = kSecretKey; },
                           [](app::BridgeConfig& c) { c.calls.auth_key = kSecretKey; }}) {}
};

inline constexpr std::size_t kSmallFrameLimit = 1u << 20;
class BridgeSmallFrameTest : public BridgeResilienceTest {
 protected:
  BridgeSmallFrameTest()
      : BridgeResilienceTest(HarnessOptions{GetParam(), nullptr, [](app::BridgeConfig& c) {
                                              c.upstream.max_frame_bytes = kSmallFrameLimit;
                                            }}) {}
};

// The bridge's default ping interval: the gateway may take seconds over a 10 MB frame
// (it answers no ping meanwhile), more than the harness's fast 1 s detection allows.
class BridgeDefaultPingTest : public BridgeResilienceTest {
 protected:
  BridgeDefaultPingTest()
      : BridgeResilienceTest(HarnessOptions{GetParam(), nullptr, [](app::BridgeConfig& c) {
                                              c.upstream.ping_interval =
                                                  app::BridgeConfig().upstream.ping_interval;
                                            }}) {}
};

class BridgeFastPingTest : public BridgeResilienceTest {
 protected:
  BridgeFastPingTest()
      : BridgeResilienceTest(HarnessOptions{GetParam(), nullptr, [](app::BridgeConfig& c) {
                                              c.upstream.ping_interval = milliseconds(200);
                                            }}) {}
};

TEST_P(BridgeResilienceTest, AfterADropTheBridgeRebindsFirstAndCarriesOn) {
  LogInAliceAndBob();
  const uint64_t head = harness_.GetStatus().head_seq();
  const std::size_t frames_before = harness_.sim().ReceivedFrames().size();
  harness_.sim().DropConnections();

  auto down = WaitLeftConnected(head);
  ASSERT_TRUE(down) << "subscribers were not told of the drop";
  EXPECT_THAT(down->bridge_state().state(),
              ::testing::AnyOf(v1::UPSTREAM_STATE_DISCONNECTED, v1::UPSTREAM_STATE_RECONNECTING));
  ASSERT_TRUE(WaitReconnected(down->seq()));
  ASSERT_TRUE(harness_.sim().WaitForReceived(
      [&](const std::vector<std::string>& frames) { return frames.size() > frames_before; },
      kWait));
  const std::string first = harness_.sim().ReceivedFrames()[frames_before];
  EXPECT_EQ(FrameCode(first), 100) << "first frame on the new connection: " << first;

  // Code 100 re-bound both accounts: no new login, and the same stream carries on.
  ExpectTextDelivered("after the drop");
  EXPECT_GE(harness_.GetStatus().counters().reconnects(), 1u);
}

TEST_P(BridgeResilienceTest, CallsDuringAnOutageWaitForTheGatewayThenFailUnavailable) {
  ASSERT_TRUE(harness_.WaitConnected());
  const uint64_t head = harness_.GetStatus().head_seq();
  harness_.StopSimulator();
  ASSERT_TRUE(WaitLeftConnected(head));

  const auto start = steady_clock::now();
  grpc::Status status = harness_.SendText(alice_, bob_wxid_, "into the void", milliseconds(1500));
  const auto took = steady_clock::now() - start;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_GE(took, milliseconds(1000)) << "the call should wait for the gateway to return";

  harness_.RestartSimulator();
  ASSERT_TRUE(harness_.WaitConnected());
  v1::LoginRequest login;
  login.set_account(alice_);
  v1::LoginResponse response;
  status = stub().Login(Context().get(), login, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status().status(), v1::LOGIN_STATUS_WAITING_FOR_SCAN);
}

TEST_P(BridgeWrongKeyTest, LoginFailsUnauthenticatedWithoutRevealingTheKey) {
  v1::LoginRequest login;
  login.set_account(alice_);
  v1::LoginResponse response;
  grpc::Status status = stub().Login(Context().get(), login, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("authKey"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kWrongKey)));

  auto rejected = harness_.WaitForStatus([](const v1::GetStatusResponse& s) {
    return s.upstream_state() == v1::UPSTREAM_STATE_AUTH_REJECTED;
  });
  ASSERT_TRUE(rejected);
  EXPECT_EQ(CheckHealth(harness_.channel().get()),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);

  // Once the bridge knows, calls are refused at once rather than at their deadline.
  const auto start = steady_clock::now();
  status = stub().Login(Context().get(), login, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kWrongKey)));
}

TEST_P(BridgeSecretKeyTest, TheAuthKeyNeverReachesClients) {
  LogInAliceAndBob();
  ExpectTextDelivered("hello");
  ASSERT_THAT(harness_.sim().ReceivedFrames().front(), HasSubstr(kSecretKey))
      << "the key should at least be in use upstream";

  std::vector<grpc::Status> failures;
  failures.push_back(harness_.SendText(alice_, bob_wxid_, ""));  // invalid, nothing sent
  v1::SendRawRequest raw;
  raw.set_code(110);
  raw.set_data_json("{}");
  v1::SendRawResponse raw_response;
  failures.push_back(stub().SendRaw(Context(milliseconds(800)).get(), raw, &raw_response));
  EXPECT_THAT(raw_response.ShortDebugString(), Not(HasSubstr(kSecretKey)));
  // A drop and an outage: bridge-state details and UNAVAILABLE messages.
  uint64_t head = harness_.GetStatus().head_seq();
  harness_.sim().DropConnections();
  ASSERT_TRUE(WaitReconnected(head));
  head = harness_.GetStatus().head_seq();
  harness_.StopSimulator();
  ASSERT_TRUE(WaitLeftConnected(head));
  failures.push_back(harness_.SendText(alice_, bob_wxid_, "lost", milliseconds(600)));
  harness_.RestartSimulator();
  ASSERT_TRUE(harness_.WaitConnected());

  for (const grpc::Status& failure : failures) {
    EXPECT_FALSE(failure.ok());
    EXPECT_THAT(failure.error_message(), Not(HasSubstr(kSecretKey)));
  }
  for (const v1::SubscribeResponse& message : watcher_->Received()) {
    EXPECT_THAT(message.DebugString(), Not(HasSubstr(kSecretKey)));
  }
  EXPECT_THAT(harness_.GetStatus().DebugString(), Not(HasSubstr(kSecretKey)));
}

TEST_P(BridgeResilienceTest, MalformedFramesBecomeUnrecognizedEventsAndServiceContinues) {
  LogInAliceAndBob();
  // The gateway document's own example for code 105, trailing comma included.
  const std::string trailing_comma =
      "{\n    \"code\": 105,\n    \"msgId\":0,\n    \"authKey\": \"\",\n    \"data\": {\n"
      "        \"account\":\"\",\n        \"userId\":\"wxid_tdax1huk5hgs12\",\n"
      "        \"groupId\":\"XXXX@chatroom\",\n    }\n}";
  const std::string not_an_object = "[\"MsgType\", 1]";
  harness_.sim().InjectFrame(trailing_comma);
  harness_.sim().InjectFrame(not_an_object);

  std::vector<v1::SubscribeResponse> unrecognized = watcher_->WaitForCount(
      [](const v1::SubscribeResponse& r) { return r.event().has_unrecognized(); }, 2);
  ASSERT_EQ(unrecognized.size(), 2u);
  const v1::Event& invalid_json = unrecognized[0].event();
  EXPECT_EQ(invalid_json.unrecognized().reason(), v1::UNRECOGNIZED_REASON_INVALID_JSON);
  EXPECT_EQ(invalid_json.raw_json(), trailing_comma);
  const v1::Event& array = unrecognized[1].event();
  EXPECT_EQ(array.unrecognized().reason(), v1::UNRECOGNIZED_REASON_NOT_AN_OBJECT);
  EXPECT_EQ(array.raw_json(), not_an_object);

  ExpectTextDelivered("still serving");
  EXPECT_GE(harness_.GetStatus().counters().frames_unrecognized(), 2u);
}

// True once the simulator has read `n` code-100 (re-bind) frames: each proves it has
// registered the connection it came on.
bool SimulatorSawRebinds(sim::Simulator& simulator, long n) {
  return simulator.WaitForReceived(
      [n](const std::vector<std::string>& frames) {
        return std::count_if(frames.begin(), frames.end(), [](const std::string& f) {
                 return f.find("\"code\":100") != std::string::npos;
               }) >= n;
      },
      kWait);
}

// RFC 6455 makes invalid UTF-8 in a text frame fatal to the connection (close code 1007),
// and Beast enforces it: the frame cannot be kept, but the bridge says why it dropped,
// reconnects, re-binds, and serves on. (Invalid UTF-8 that reaches the codec — e.g. via a
// binary frame — becomes an unrecognized event with raw_bytes; see the codec tests.)
TEST_P(BridgeUpstreamTest, InvalidUtf8TextFrameFailsOnlyThatConnection) {
  ASSERT_TRUE(harness_.WaitConnected());
  // Injected frames reach only connections the simulator has registered; the re-bind it
  // read proves it has this one.
  ASSERT_TRUE(SimulatorSawRebinds(harness_.sim(), 1));
  const uint64_t head = harness_.GetStatus().head_seq();
  harness_.sim().InjectFrame("{\"MsgType\":1,\"account\":\"alice\",\"Content\":\"\xC3\x28\xFF\"}");

  auto dropped = watcher_->WaitForEvent([&](const v1::Event& e) {
    return e.seq() > head && e.has_bridge_state() &&
           e.bridge_state().state() == v1::UPSTREAM_STATE_DISCONNECTED;
  });
  ASSERT_TRUE(dropped) << "the connection should fail on invalid UTF-8";
  EXPECT_THAT(dropped->bridge_state().detail(), HasSubstr("utf8"));
  ASSERT_TRUE(watcher_->WaitForEvent([&](const v1::Event& e) {
    return e.seq() > dropped->seq() && IsBridgeState(e, v1::UPSTREAM_STATE_CONNECTED);
  }));
  // Likewise for the new connection: its re-bind is the second code 100.
  ASSERT_TRUE(SimulatorSawRebinds(harness_.sim(), 2));
  // Served on the new connection: a frame from the gateway arrives typed.
  harness_.sim().InjectFrame("{\"MsgType\":1,\"account\":\"alice\",\"Content\":\"next\"}");
  EXPECT_TRUE(
      watcher_->WaitForEvent([](const v1::Event& e) { return IsText(e, "alice", "next"); }));
  EXPECT_EQ(harness_.GetStatus().counters().reconnects(), 1u);
}

TEST_P(BridgeSmallFrameTest, AnImageOverTheLimitIsRefusedBeforeAnythingIsSent) {
  ASSERT_TRUE(harness_.WaitConnected());
  // 900 KiB passes gRPC's own 1 MiB limit but not once base64-encoded; 2 MiB fails both.
  for (std::size_t size : {std::size_t{900} << 10, std::size_t{2} << 20}) {
    v1::SendImageRequest request;
    request.set_account(alice_);
    request.set_to_user_name(bob_wxid_);
    request.set_image(std::string(size, 'i'));
    v1::SendImageResponse response;
    grpc::Status status = stub().SendImage(Context().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << size << " bytes: " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(std::to_string(kSmallFrameLimit)));
  }
  // A later frame reaches the gateway, and no image frame went before it.
  // Not logged in, so the gateway may refuse it; it is sent all the same.
  static_cast<void>(harness_.SendText(alice_, bob_wxid_, "marker"));
  ASSERT_TRUE(harness_.sim().WaitForReceived(
      [](const std::vector<std::string>& frames) { return AnyFrameWithCode(frames, 103); }, kWait));
  EXPECT_FALSE(AnyFrameWithCode(harness_.sim().ReceivedFrames(), 109));
}

TEST_P(BridgeDefaultPingTest, ATenMegabyteImageTravelsEndToEnd) {
  LogInAliceAndBob();
  constexpr std::size_t kSize = 10 * 1024 * 1024;
  std::string image(kSize, '\0');
  for (std::size_t i = 0; i < kSize; ++i) image[i] = static_cast<char>(i * 131 + (i >> 13));
  v1::SendImageRequest request;
  request.set_account(alice_);
  request.set_to_user_name(bob_wxid_);
  request.set_image(std::move(image));
  v1::SendImageResponse response;
  grpc::Status status = stub().SendImage(Context(milliseconds(60000)).get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  auto received = watcher_->WaitForEvent(
      [&](const v1::Event& e) { return e.account() == bob_ && e.has_image(); },
      milliseconds(60000));
  ASSERT_TRUE(received);
  EXPECT_EQ(received->image().length(), static_cast<int64_t>(kSize));
}

TEST_P(BridgeFastPingTest, AHungGatewayIsDetectedByPing) {
  ASSERT_TRUE(harness_.WaitConnected());
  const uint64_t head = harness_.GetStatus().head_seq();
  harness_.sim().SetStalled(true);
  // A few ping intervals; the harness's default interval alone would take longer.
  auto left = WaitLeftConnected(head, milliseconds(1800));
  harness_.sim().SetStalled(false);
  ASSERT_TRUE(left) << "a gateway that answers no pings went unnoticed";
  EXPECT_TRUE(WaitReconnected(left->seq()));
}

TEST_P(BridgeResilienceTest, AnUnknownCodeEndsByItsDeadline) {
  ASSERT_TRUE(harness_.WaitConnected());
  v1::SendRawRequest request;
  request.set_code(110);
  request.set_data_json("{}");
  v1::SendRawResponse response;
  const auto start = steady_clock::now();
  grpc::Status status = stub().SendRaw(Context(milliseconds(1500)).get(), request, &response);
  const auto took = steady_clock::now() - start;
  if (GetParam() == AckMode::kEcho) {
    // The gateway's echoed error answers it at once.
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
    EXPECT_LT(took, milliseconds(1000));
  } else {
    // Nothing can answer it: it ends at its deadline, not later.
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
    EXPECT_GE(took, milliseconds(1000));
    EXPECT_LT(took, milliseconds(3000));
  }
}

TEST_P(BridgeUpstreamTest, HealthFollowsTheUpstreamConnection) {
  ASSERT_TRUE(harness_.WaitConnected());
  grpc::Channel* channel = harness_.channel().get();
  auto health_is = [&](HealthStatus expected) {
    return PollUntil([&] { return CheckHealth(channel) == expected; }, kWait);
  };
  EXPECT_TRUE(health_is(grpc::health::v1::HealthCheckResponse::SERVING));
  harness_.StopSimulator();
  EXPECT_TRUE(health_is(grpc::health::v1::HealthCheckResponse::NOT_SERVING));
  harness_.RestartSimulator();
  EXPECT_TRUE(health_is(grpc::health::v1::HealthCheckResponse::SERVING));
}

const auto kBothModes = ::testing::Values(AckMode::kEcho, AckMode::kNone);
INSTANTIATE_TEST_SUITE_P(AckModes, BridgeResilienceTest, kBothModes);
INSTANTIATE_TEST_SUITE_P(AckModes, BridgeWrongKeyTest, kBothModes);
INSTANTIATE_TEST_SUITE_P(AckModes, BridgeSecretKeyTest, kBothModes);
INSTANTIATE_TEST_SUITE_P(AckModes, BridgeSmallFrameTest, kBothModes);
INSTANTIATE_TEST_SUITE_P(AckModes, BridgeDefaultPingTest, kBothModes);
INSTANTIATE_TEST_SUITE_P(Echo, BridgeFastPingTest, ::testing::Values(AckMode::kEcho));
INSTANTIATE_TEST_SUITE_P(Echo, BridgeUpstreamTest, ::testing::Values(AckMode::kEcho));

}  // namespace
}  // namespace wxbridge::testing
