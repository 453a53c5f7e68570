// Tokens and scopes over real gRPC: who may call what, on which account, and what a scoped
// Subscribe or GetStatus shows. Every refusal is sent by a client and checked by status;
// "nothing sent" is checked on the gateway's side (the bridge's frames_sent counter).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/test_credentials.h"

namespace wxbridge::testing {
namespace {

using sim::Simulator;
using ::testing::HasSubstr;

// A bridge with a tokens file: "ops" may do everything, "alice-bot" may send and read as
// alice only, "reader" may only Subscribe (all accounts).
class BridgeAuthTest : public ::testing::Test {
 protected:
  BridgeAuthTest()
      : ops_(MakeToken("ops", {"*"}, {"*"})),
        alice_bot_(MakeToken("alice-bot", {"alice"},
                             {"SendText", "Subscribe", "GetStatus", "SendRaw", "Login"})),
        reader_(MakeToken("reader", {"*"}, {"Subscribe"})),
        tokens_file_(std::filesystem::temp_directory_path() /
                     ("wxbridge-tokens-" + std::to_string(::getpid()) + ".json")) {
    EXPECT_TRUE(WriteFileAtomically(tokens_file_, TokensFileJson({ops_, alice_bot_, reader_})));
    HarnessOptions options;
    options.token = ops_.secret;
    options.configure_bridge = [this](app::BridgeConfig& config) {
      config.grpc.tokens_file = tokens_file_;
    };
    harness_ = std::make_unique<BridgeHarness>(options);
    EXPECT_TRUE(harness_->WaitConnected());
  }
  ~BridgeAuthTest() override {
    harness_.reset();
    std::filesystem::remove(tokens_file_);
  }

  v1::BridgeService::Stub& stub() { return harness_->stub(); }

  grpc::Status SendText(const std::string& token, const std::string& account,
                        const std::string& text) {
    v1::SendTextRequest request;
    request.set_account(account);
    request.set_to_user_name(Simulator::WxIdFor("bob"));
    request.set_content(text);
    v1::SendTextResponse response;
    return stub().SendText(Context(kWait, token).get(), request, &response);
  }

  uint64_t FramesSent() { return harness_->GetStatus().counters().frames_sent(); }

  TestToken ops_, alice_bot_, reader_;
  std::string tokens_file_;
  std::unique_ptr<BridgeHarness> harness_;
};

TEST_F(BridgeAuthTest, ACallWithoutAKnownTokenIsUnauthenticated) {
  EXPECT_EQ(SendText("", "alice", "no token").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(SendText(MakeToken("x", {}, {}).secret, "alice", "unknown").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // Not a bearer token at all.
  auto basic = Context();
  basic->AddMetadata("authorization", "Basic " + ops_.secret);
  v1::GetStatusResponse status;
  EXPECT_EQ(stub().GetStatus(basic.get(), {}, &status).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Subscribe too, before any event is sent.
  EventStream stream(&stub(), v1::SubscribeRequest());
  auto end = stream.WaitForEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(stream.Received().empty());
}

TEST_F(BridgeAuthTest, TheTokenComparisonIgnoresTheSchemeCase) {
  auto context = Context();
  context->AddMetadata("authorization", "bearer " + ops_.secret);
  v1::GetStatusResponse status;
  EXPECT_TRUE(stub().GetStatus(context.get(), {}, &status).ok());
}

TEST_F(BridgeAuthTest, AMethodOutsideTheTokensMethodsIsDeniedNamingIt) {
  v1::LogoutRequest request;
  request.set_account("alice");
  v1::LogoutResponse response;
  const grpc::Status status =
      stub().Logout(Context(kWait, alice_bot_.secret).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("may not call Logout"));
  EXPECT_THAT(status.error_message(), HasSubstr("alice-bot"));
  EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr(alice_bot_.secret)));

  // The reader may subscribe but not look at the status.
  v1::GetStatusResponse status_response;
  EXPECT_EQ(
      stub().GetStatus(Context(kWait, reader_.secret).get(), {}, &status_response).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(BridgeAuthTest, AnAccountOutsideTheTokensAccountsIsDeniedAndNothingIsSent) {
  auto watcher = harness_->Subscribe();
  ASSERT_TRUE(harness_->LogIn("alice", *watcher));
  ASSERT_TRUE(harness_->LogIn("bob", *watcher));
  const uint64_t sent_before = FramesSent();

  const grpc::Status denied = SendText(alice_bot_.secret, "bob", "as bob");
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(), HasSubstr("may not use account \"bob\""));
  EXPECT_EQ(FramesSent(), sent_before) << "a denied call reached the gateway";

  // Its own account works, and reaches the gateway.
  EXPECT_TRUE(SendText(alice_bot_.secret, "alice", "as alice").ok());
  EXPECT_EQ(FramesSent(), sent_before + 1);
}

TEST_F(BridgeAuthTest, SendRawNeedsATokenForEveryAccountAndSaysSo) {
  v1::SendRawRequest request;
  request.set_code(106);
  request.set_data_json(R"({"account": "alice", "wxIds": "wxid_x"})");
  v1::SendRawResponse response;
  const grpc::Status denied =
      stub().SendRaw(Context(kWait, alice_bot_.secret).get(), request, &response);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(),
              HasSubstr("SendRaw needs a token whose accounts are [\"*\"]"));
}

TEST_F(BridgeAuthTest, AScopedSubscribeNeverSeesAnotherAccountLiveOrReplayed) {
  auto watcher = harness_->Subscribe();
  ASSERT_TRUE(harness_->LogIn("alice", *watcher));
  ASSERT_TRUE(harness_->LogIn("bob", *watcher));
  ASSERT_TRUE(harness_->SendText("alice", Simulator::WxIdFor("bob"), "to bob, before").ok());
  ASSERT_TRUE(harness_->SendText("bob", Simulator::WxIdFor("alice"), "to alice, before").ok());
  ASSERT_TRUE(watcher->WaitForEvent(
      [](const v1::Event& e) { return IsText(e, "alice", "to alice, before"); }));

  // Replay from the start, with no filter: only alice's events and bridge events.
  v1::SubscribeRequest from_start;
  from_start.set_after_seq(0);
  EventStream scoped(&stub(), from_start, alice_bot_.secret);
  ASSERT_TRUE(scoped.WaitForEvent(
      [](const v1::Event& e) { return IsText(e, "alice", "to alice, before"); }));
  // Then live.
  ASSERT_TRUE(harness_->SendText("alice", Simulator::WxIdFor("bob"), "to bob, live").ok());
  ASSERT_TRUE(harness_->SendText("bob", Simulator::WxIdFor("alice"), "to alice, live").ok());
  ASSERT_TRUE(
      scoped.WaitForEvent([](const v1::Event& e) { return IsText(e, "alice", "to alice, live"); }));
  // bob's live text was sent before alice's, so the ops watcher has it by now; the
  // scoped stream, which delivers in seq order, would have shown it before alice's.
  ASSERT_TRUE(
      watcher->WaitForEvent([](const v1::Event& e) { return IsText(e, "bob", "to bob, live"); }));
  bool saw_bridge_event = false;
  for (const auto& message : scoped.Received()) {
    if (!message.has_event()) continue;
    const v1::Event& event = message.event();
    if (event.has_bridge_state()) {
      saw_bridge_event = true;
      continue;
    }
    EXPECT_EQ(event.account(), "alice") << "seq " << event.seq() << " leaked to alice-bot";
  }
  EXPECT_TRUE(saw_bridge_event) << "bridge events belong to every subscriber";

  // Asking for another account outright is refused.
  v1::SubscribeRequest bobs;
  bobs.add_accounts("bob");
  EventStream refused(&stub(), bobs, alice_bot_.secret);
  auto end = refused.WaitForEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(BridgeAuthTest, GetStatusListsOnlyTheTokensAccounts) {
  auto watcher = harness_->Subscribe();
  ASSERT_TRUE(harness_->LogIn("alice", *watcher));
  ASSERT_TRUE(harness_->LogIn("bob", *watcher));
  EXPECT_EQ(harness_->GetStatus().accounts_size(), 2);

  v1::GetStatusResponse scoped;
  ASSERT_TRUE(stub().GetStatus(Context(kWait, alice_bot_.secret).get(), {}, &scoped).ok());
  ASSERT_EQ(scoped.accounts_size(), 1);
  EXPECT_EQ(scoped.accounts(0).account(), "alice");
}

TEST_F(BridgeAuthTest, HealthNeedsNoToken) {
  // Health follows the upstream: SERVING once the gateway is connected.
  ASSERT_TRUE(harness_->WaitConnected());
  EXPECT_EQ(CheckHealth(harness_->channel().get()), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST(BridgeAuthConfigTest, ABadTokensFileStopsTheStartNamingTheProblem) {
  const std::string path = std::filesystem::temp_directory_path() /
                           ("wxbridge-bad-tokens-" + std::to_string(::getpid()) + ".json");
  ASSERT_TRUE(WriteFileAtomically(
      path,
      R"({"tokens": [{"name": "x", "sha256": "abc", "accounts": ["*"], "methods": ["*"]}]})"));
  app::BridgeConfig config;
  config.grpc.listen = "127.0.0.1:0";
  config.grpc.tokens_file = path;
  config.storage.data_dir = "";
  app::BridgeServer bridge(config);
  const absl::Status started = bridge.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(started.message()), HasSubstr("--tokens_file"));
  EXPECT_THAT(std::string(started.message()), HasSubstr("64 hex digits"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace wxbridge::testing
