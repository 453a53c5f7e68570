// The wxbridge binary's security as an operator meets it: SIGHUP rotates the tokens
// while open streams continue, every command call leaves one audit line (never a token,
// never message content), and a network listen address without TLS and tokens is refused.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/child_process.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_credentials.h"

namespace wxbridge::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(BridgeSecurityProcessTest, SighupRotatesTokensOpenStreamsContinueAndCallsAreAudited) {
  const std::string dir =
      std::filesystem::temp_directory_path() / absl::StrCat("wxbridge-sec-", ::getpid());
  std::filesystem::create_directories(dir);
  const std::string tokens_file = dir + "/tokens.json";
  const std::string log_file = dir + "/stderr.log";
  const TestToken first = MakeToken("billing", {"*"}, {"*"});
  const TestToken second = MakeToken("billing-2", {"*"}, {"*"});
  const TestToken sender = MakeToken("sender-only", {"*"}, {"SendText"});
  ASSERT_TRUE(WriteFileAtomically(tokens_file, TokensFileJson({first, sender})));

  ChildOptions options;
  options.stderr_file = log_file;
  options.env = {"WXBRIDGE_AUTH_KEY"};
  ChildProcess process({WXBRIDGE_BINARY, "--listen=127.0.0.1:0",
                        "--data_dir=", "--sim_scan_delay=10ms", "--tokens_file=" + tokens_file},
                       options);
  std::optional<int> port = process.ReadPort(kWait);
  ASSERT_TRUE(port) << ReadAll(log_file);
  auto stub = v1::BridgeService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port), grpc::InsecureChannelCredentials()));

  EventStream stream(stub.get(), v1::SubscribeRequest(), first.secret);
  ASSERT_TRUE(stream.WaitFor(IsHello));
  v1::LoginRequest login;
  login.set_account("alice");
  v1::LoginResponse login_response;
  ASSERT_TRUE(stub->Login(Context(kWait, first.secret).get(), login, &login_response).ok());
  ASSERT_TRUE(stream.WaitForEvent(
      [](const v1::Event& e) { return IsLoginStatus(e, "alice", v1::LOGIN_STATUS_LOGGED_IN); }));
  v1::SendTextRequest text;
  text.set_account("alice");
  text.set_to_user_name("wxid_somebody");
  text.set_content("words nobody else should read");
  v1::SendTextResponse text_response;
  ASSERT_TRUE(stub->SendText(Context(kWait, first.secret).get(), text, &text_response).ok());
  EXPECT_EQ(stub->SendText(Context(kWait, "").get(), text, &text_response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // A read refused is audited too.
  EventStream refused_read(stub.get(), v1::SubscribeRequest(), sender.secret);
  auto refused_end = refused_read.WaitForEnd();
  ASSERT_TRUE(refused_end);
  EXPECT_EQ(refused_end->error_code(), grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(WriteFileAtomically(tokens_file, TokensFileJson({second})));
  ASSERT_EQ(kill(process.pid(), SIGHUP), 0);
  v1::GetStatusResponse status;
  ASSERT_TRUE(PollUntil(
      [&] { return stub->GetStatus(Context(kWait, second.secret).get(), {}, &status).ok(); },
      kWait))
      << "the new token never worked";
  EXPECT_EQ(stub->GetStatus(Context(kWait, first.secret).get(), {}, &status).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // The stream opened with the old token is still served.
  login.set_account("bob");
  ASSERT_TRUE(stub->Login(Context(kWait, second.secret).get(), login, &login_response).ok());
  EXPECT_TRUE(stream.WaitForEvent(
      [](const v1::Event& e) { return IsLoginStatus(e, "bob", v1::LOGIN_STATUS_LOGGED_IN); }));

  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  EXPECT_EQ(process.Wait(kWait).exit_code, 0);
  const std::string log = ReadAll(log_file);
  EXPECT_THAT(log, HasSubstr("tokens file reloaded: 1 token(s)"));
  EXPECT_THAT(log, HasSubstr("audit: token=\"billing\" peer=\"ipv4:127.0.0.1:"));
  EXPECT_THAT(log, HasSubstr("method=SendText account=\"alice\" target=\"wxid_somebody\" "
                             "status=OK"));
  EXPECT_THAT(log, HasSubstr("token=\"-\""));  // the call without a token
  EXPECT_THAT(log, HasSubstr("status=UNAUTHENTICATED"));
  EXPECT_THAT(log, HasSubstr("audit: token=\"billing-2\""));
  EXPECT_THAT(log, HasSubstr("token=\"sender-only\" peer=\"ipv4:127.0.0.1:"));
  EXPECT_THAT(log, HasSubstr("method=Subscribe account=\"\" target=\"\" status=PERMISSION_DENIED"));
  EXPECT_THAT(log, Not(HasSubstr(sender.secret)));
  EXPECT_THAT(log, Not(HasSubstr(first.secret)));
  EXPECT_THAT(log, Not(HasSubstr(second.secret)));
  EXPECT_THAT(log, Not(HasSubstr("words nobody else should read")));
  std::filesystem::remove_all(dir);
}

TEST(BridgeSecurityProcessTest, ANetworkAddressWithoutTlsAndTokensIsRefusedUnlessAllowed) {
  ProcessResult refused = RunProcess({WXBRIDGE_BINARY, "--listen=0.0.0.0:0"}, kWait);
  ASSERT_FALSE(refused.timed_out);
  EXPECT_EQ(refused.exit_code, 2);
  for (const char* flag : {"--tls_cert", "--tokens_file", "--allow_insecure"}) {
    EXPECT_THAT(refused.err, HasSubstr(flag));
  }
  EXPECT_THAT(refused.out, Not(HasSubstr("(port ")));

  ChildProcess allowed({WXBRIDGE_BINARY, "--listen=0.0.0.0:0", "--data_dir=", "--allow_insecure"});
  EXPECT_TRUE(allowed.ReadPort(kWait).has_value());
  ASSERT_EQ(kill(allowed.pid(), SIGTERM), 0);
  ProcessResult ended = allowed.Wait(kWait);
  EXPECT_EQ(ended.exit_code, 0);
  EXPECT_THAT(ended.err, HasSubstr("without TLS and tokens (--allow_insecure)"));
}

}  // namespace
}  // namespace wxbridge::testing
