// The real wxbridge binary as an operator runs it: --help, startup with the embedded
// simulator (port announced on stdout), serving over gRPC, a clean exit on SIGTERM, and
// clear refusals of bad configurations.
#include <signal.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"
#include "tests/integration/pending_call.h"
#include "tests/support/child_process.h"
#include "tests/support/poll_until.h"

namespace wxbridge::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Children run without the authKey of the test's own environment, unless a test sets it.
constexpr char kAuthKeyVariable[] = "WXBRIDGE_AUTH_KEY";

TEST(BridgeProcessTest, HelpExitsZeroAndDocumentsEveryFlag) {
  ProcessResult process = RunProcess({WXBRIDGE_BINARY, "--help"}, kWait, {kAuthKeyVariable});
  EXPECT_EQ(process.exit_code, 0) << process.err;
  const std::string help = process.out + process.err;
  for (const char* flag : {"listen",
                           "upstream",
                           "auth_key",
                           "tls_verify",
                           "call_timeout",
                           "heartbeat",
                           "max_frame_bytes",
                           "event_retention",
                           "connect_timeout",
                           "ping_interval",
                           "backoff_initial",
                           "backoff_max",
                           "keepalive_time",
                           "keepalive_timeout",
                           "shutdown_grace",
                           "log_level",
                           "sim_ack",
                           "sim_scan_delay",
                           "sim_world_size",
                           "max_call_timeout",
                           "max_calls_in_flight",
                           "max_id_bytes",
                           "max_text_bytes",
                           "max_wx_ids",
                           "max_data_json_bytes",
                           "max_data_json_keys",
                           "max_data_json_depth",
                           "max_subscribe_accounts",
                           "max_subscribe_kinds",
                           "max_queue_bytes",
                           "write_timeout",
                           "max_subscribers"}) {
    EXPECT_THAT(help, HasSubstr(absl::StrCat("--", flag))) << "undocumented flag";
  }
  EXPECT_THAT(help, HasSubstr(kAuthKeyVariable));
}

TEST(BridgeProcessTest, ServesWithTheEmbeddedSimulatorAndExitsCleanlyOnSigterm) {
  ChildOptions options;
  options.env = {kAuthKeyVariable};
  ChildProcess process({WXBRIDGE_BINARY, "--listen=127.0.0.1:0"}, options);
  std::optional<int> port = process.ReadPort(kWait);
  // (A failing assertion's message is built only on failure: Wait then ends the child.)
  ASSERT_TRUE(port) << "no port announced on stdout; stderr:\n" << process.Wait(kWait).err;
  ASSERT_GT(*port, 0);

  auto stub = v1::BridgeService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port), grpc::InsecureChannelCredentials()));
  v1::LoginRequest login;
  login.set_account("alice");
  v1::LoginResponse response;
  grpc::Status status = stub->Login(Context().get(), login, &response);
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << process.Wait(milliseconds(500)).err;
  EXPECT_THAT(response.status().qr_image(), ::testing::StartsWith("\x89PNG"));

  EventStream stream(stub.get(), v1::SubscribeRequest());
  ASSERT_TRUE(stream.WaitFor(IsHello));
  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  ProcessResult ended = process.Wait(kWait);
  EXPECT_FALSE(ended.timed_out) << "still running after SIGTERM";
  EXPECT_EQ(ended.exit_code, 0) << ended.err;
  std::optional<grpc::Status> end = stream.WaitForEnd();
  ASSERT_TRUE(end) << "the stream outlived the process";
  EXPECT_EQ(end->error_code(), grpc::StatusCode::UNAVAILABLE) << end->error_message();
}

TEST(BridgeProcessTest, ASecondSignalDuringShutdownExitsAtOnce) {
  ChildOptions options;
  options.env = {kAuthKeyVariable};
  // A long grace, and a call that holds it: a gateway that echoes nothing cannot answer
  // code 110, so the call waits for its deadline.
  ChildProcess process({WXBRIDGE_BINARY, "--listen=127.0.0.1:0", "--data_dir=", "--sim_ack=none",
                        "--shutdown_grace=300s", "--call_timeout=300s", "--max_call_timeout=300s"},
                       options);
  std::optional<int> port = process.ReadPort(kWait);
  ASSERT_TRUE(port) << "no port announced on stdout; stderr:\n" << process.Wait(kWait).err;
  auto stub = v1::BridgeService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port), grpc::InsecureChannelCredentials()));
  v1::SendRawRequest held_request;
  held_request.set_code(110);
  PendingCall<v1::SendRawRequest, v1::SendRawResponse> held(
      [&stub](auto... args) { stub->async()->SendRaw(std::move(args)...); }, held_request,
      milliseconds(300000));
  ASSERT_TRUE(PollUntil(
      [&] {
        v1::GetStatusResponse status;
        return stub->GetStatus(Context().get(), v1::GetStatusRequest(), &status).ok() &&
               status.counters().calls_in_flight() == 1;
      },
      kWait));

  EventStream stream(stub.get(), v1::SubscribeRequest());
  ASSERT_TRUE(stream.WaitFor(IsHello));
  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  // Streams end as shutdown begins; the held call keeps the process in its grace.
  ASSERT_TRUE(stream.WaitForEnd()) << "shutdown never began";
  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  ProcessResult ended = process.Wait(kWait);
  EXPECT_FALSE(ended.timed_out) << "a second SIGTERM did not cut the 300 s grace short";
  EXPECT_EQ(ended.exit_code, 128 + SIGTERM) << ended.err;
  EXPECT_THAT(ended.err, HasSubstr("exiting now"));
}

TEST(BridgeProcessTest, AnInvalidUpstreamUrlIsRefusedClearly) {
  ProcessResult process =
      RunProcess({WXBRIDGE_BINARY, "--listen=127.0.0.1:0", "--data_dir=", "--upstream=not-a-url"},
                 kWait, {absl::StrCat(kAuthKeyVariable, "=k")});
  ASSERT_FALSE(process.timed_out) << "still running";
  EXPECT_NE(process.exit_code, 0);
  EXPECT_THAT(process.err, HasSubstr("--upstream"));
  EXPECT_THAT(process.out, Not(HasSubstr("(port ")));
}

TEST(BridgeProcessTest, AGatewayWithoutAnAuthKeyIsRefusedNamingTheVariable) {
  ProcessResult process = RunProcess(
      {WXBRIDGE_BINARY, "--listen=127.0.0.1:0", "--data_dir=", "--upstream=ws://127.0.0.1:9/ws"},
      kWait, {kAuthKeyVariable});
  ASSERT_FALSE(process.timed_out) << "still running";
  EXPECT_NE(process.exit_code, 0);
  EXPECT_THAT(process.err, HasSubstr(kAuthKeyVariable));
}

TEST(BridgeProcessTest, BadPacingFlagsAreRefusedNamingTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--pace_messages=fast", "--pace_messages: \"fast\" is not a rate"},
      {"--pace_per_chat=0/min", "--pace_per_chat"},
      {"--pace_social_burst=0", "--pace_social_burst must be between 1"},
      {"--pace=sometimes", "--pace must be auto, on or off"},
      {"--loop_guard_window=0s", "--loop_guard_window"},
  };
  for (const auto& [flag, message] : cases) {
    ProcessResult process =
        RunProcess({WXBRIDGE_BINARY, "--listen=127.0.0.1:0", "--data_dir=", flag}, kWait);
    ASSERT_FALSE(process.timed_out) << flag << ": still running";
    EXPECT_EQ(process.exit_code, 2) << flag;
    EXPECT_THAT(process.err, HasSubstr(message)) << flag;
  }
}

}  // namespace
}  // namespace wxbridge::testing
