// The upstream side of wxbridge's security, through the real binary as an operator runs
// it, over real sockets: where the authKey comes from (a 0600 file, or the environment,
// which it then leaves), that it never comes back out of a gateway that echoes requests,
// a wss:// gateway behind a private CA (--tls_ca_file), and the ws:// warning.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/child_process.h"
#include "tests/support/poll_until.h"
#include "tests/support/ws_test_server.h"

namespace wxbridge::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAuthKeyVariable[] = "WXBRIDGE_AUTH_KEY";
constexpr char kSecret[] = "Upstream-Secret-7f3a9c";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class UpstreamSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("bridge_upstream_security." + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::string KeyFile(mode_t mode, const std::string& content = absl::StrCat(kSecret, "\n")) {
    const std::string path = Path("auth_key");
    std::ofstream(path, std::ios::binary) << content;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  // wxbridge in front of `upstream`; stderr goes to a file the test can read while it runs.
  std::unique_ptr<ChildProcess> StartBridge(const std::string& upstream,
                                            std::vector<std::string> flags,
                                            std::vector<std::string> env = {kAuthKeyVariable}) {
    std::vector<std::string> argv = {WXBRIDGE_BINARY,      "--listen=127.0.0.1:0",
                                     "--data_dir=",        absl::StrCat("--upstream=", upstream),
                                     "--log_level=debug",  "--backoff_initial=50ms",
                                     "--backoff_max=200ms"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    ChildOptions options;
    options.env = std::move(env);
    options.stderr_file = Path("stderr.log");
    return std::make_unique<ChildProcess>(argv, options);
  }

  std::string Stderr() const { return ReadFile(Path("stderr.log")); }

  // Waits until the bridge's log holds `text`.
  bool WaitForLog(const std::string& text) {
    return PollUntil([&] { return Stderr().find(text) != std::string::npos; }, kWait);
  }

  // The generated test CA and server certificate; false when the openssl CLI failed.
  bool MakeCerts() {
    ProcessResult made =
        RunProcess({"/bin/bash", WXBRIDGE_MAKE_TEST_CERTS, Path("tls")}, milliseconds(60000));
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return made.exit_code == 0;
  }

  std::filesystem::path dir_;
};

std::unique_ptr<v1::BridgeService::Stub> StubFor(int port) {
  return v1::BridgeService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
}

// The code-100 re-bind every connection starts with carries the authKey.
bool HasRebind(const ServerRecord& record) { return !record.frames.empty(); }

TEST_F(UpstreamSecurityTest, TheAuthKeyFileIsReadAndItsKeyReachesTheGateway) {
  WsTestServer gateway;
  auto bridge = StartBridge(gateway.url(), {"--auth_key_file=" + KeyFile(0600)});
  ASSERT_TRUE(bridge->ReadPort(kWait)) << Stderr();
  ASSERT_TRUE(gateway.WaitFor(HasRebind, kWait)) << Stderr();
  EXPECT_THAT(
      gateway.record().frames[0],
      AllOf(HasSubstr(absl::StrCat("\"authKey\":\"", kSecret, "\"")), Not(HasSubstr("\\n"))));
  EXPECT_THAT(Stderr(), AllOf(Not(HasSubstr(kSecret)), Not(HasSubstr("in clear"))));
}

TEST_F(UpstreamSecurityTest, TheEnvironmentVariableIsGoneFromTheRunningProcess) {
  WsTestServer gateway;
  auto bridge = StartBridge(gateway.url(), {}, {absl::StrCat(kAuthKeyVariable, "=", kSecret)});
  ASSERT_TRUE(bridge->ReadPort(kWait)) << Stderr();
  ASSERT_TRUE(gateway.WaitFor(HasRebind, kWait)) << Stderr();
  EXPECT_THAT(gateway.record().frames[0], HasSubstr(kSecret)) << "the variable was not used";
  const std::string environ_text = ReadFile(absl::StrCat("/proc/", bridge->pid(), "/environ"));
  ASSERT_FALSE(environ_text.empty()) << "cannot read the child's environment";
  EXPECT_THAT(environ_text, Not(HasSubstr(kSecret)));
}

TEST_F(UpstreamSecurityTest, AKeyFileOthersCanReadIsRefusedWithTheFix) {
  const std::string key_file = KeyFile(0644);
  ProcessResult process =
      RunProcess({WXBRIDGE_BINARY, "--listen=127.0.0.1:0",
                  "--data_dir=", "--upstream=ws://127.0.0.1:9/ws", "--auth_key_file=" + key_file},
                 kWait, {kAuthKeyVariable});
  EXPECT_EQ(process.exit_code, 2) << process.err;
  EXPECT_THAT(process.err, AllOf(HasSubstr("--auth_key_file=" + key_file), HasSubstr("0644"),
                                 HasSubstr("chmod 600"), Not(HasSubstr(kSecret))));
}

TEST_F(UpstreamSecurityTest, TwoSourcesOfTheAuthKeyAreRefused) {
  ProcessResult process = RunProcess(
      {WXBRIDGE_BINARY, "--listen=127.0.0.1:0", "--data_dir=", "--upstream=ws://127.0.0.1:9/ws",
       "--auth_key_file=" + KeyFile(0600)},
      kWait, {absl::StrCat(kAuthKeyVariable, "=", kSecret)});
  EXPECT_EQ(process.exit_code, 2) << process.err;
  EXPECT_THAT(process.err, AllOf(HasSubstr("--auth_key_file"), HasSubstr(kAuthKeyVariable),
                                 Not(HasSubstr(kSecret))));
}

// A gateway that echoes every request frame back: the echoes become events, and neither
// subscribers, GetStatus, the call's answer nor the log ever show the authKey.
TEST_F(UpstreamSecurityTest, AnEchoingGatewayNeverLeaksTheAuthKey) {
  WsTestServer gateway;
  auto bridge = StartBridge(gateway.url(), {"--auth_key_file=" + KeyFile(0600)});
  std::optional<int> port = bridge->ReadPort(kWait);
  ASSERT_TRUE(port) << Stderr();
  auto stub = StubFor(*port);
  ASSERT_TRUE(gateway.WaitFor(HasRebind, kWait)) << Stderr();
  gateway.Send(gateway.record().frames[0]);

  // A command, answered by its own echo.
  std::future<std::pair<grpc::Status, v1::SendTextResponse>> sent = std::async([&] {
    v1::SendTextRequest request;
    request.set_account("alice");
    request.set_to_user_name("wxid_bob");
    request.set_content("hello");
    v1::SendTextResponse response;
    grpc::Status status = stub->SendText(Context(milliseconds(3000)).get(), request, &response);
    return std::make_pair(status, response);
  });
  ASSERT_TRUE(gateway.WaitFor([](const ServerRecord& r) { return r.frames.size() >= 2; }, kWait));
  const std::string command = gateway.record().frames[1];
  ASSERT_THAT(command, HasSubstr(kSecret)) << "the request should carry the key";
  gateway.Send(command);
  const auto [status, response] = sent.get();
  EXPECT_THAT(response.SerializeAsString(), Not(HasSubstr(kSecret)));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kSecret)));

  v1::SubscribeRequest replay;
  replay.set_after_seq(0);
  EventStream stream(stub.get(), replay);
  // Both echoes, each with the marker where the key was.
  ASSERT_EQ(stream
                .WaitForCount(
                    [](const v1::SubscribeResponse& r) {
                      return r.has_event() && absl::StrContains(r.event().raw_json(), "[authKey]");
                    },
                    2)
                .size(),
            2u)
      << Stderr();
  for (const v1::SubscribeResponse& message : stream.Received()) {
    EXPECT_THAT(message.SerializeAsString(), Not(HasSubstr(kSecret))) << message.DebugString();
  }
  v1::GetStatusResponse status_response;
  ASSERT_TRUE(stub->GetStatus(Context().get(), v1::GetStatusRequest(), &status_response).ok());
  EXPECT_THAT(status_response.SerializeAsString(), Not(HasSubstr(kSecret)));

  stream.Cancel();
  bridge->Stop();
  const std::string log = Stderr();
  EXPECT_THAT(log, HasSubstr("unrecognized frame")) << "the echoes were not logged";
  EXPECT_THAT(log, Not(HasSubstr(kSecret)));
}

TEST_F(UpstreamSecurityTest, PlainWsToAnotherHostWarnsThatTheAuthKeyTravelsInClear) {
  // TEST-NET-1 (RFC 5737): nothing answers; the warning comes before any connection.
  auto bridge = StartBridge("ws://192.0.2.1:9/ws",
                            {"--auth_key_file=" + KeyFile(0600), "--connect_timeout=200ms"});
  ASSERT_TRUE(bridge->ReadPort(kWait)) << Stderr();
  EXPECT_TRUE(WaitForLog("in clear")) << Stderr();
  EXPECT_THAT(Stderr(), AllOf(HasSubstr("ws://192.0.2.1:9/ws"), Not(HasSubstr(kSecret))));
}

TEST_F(UpstreamSecurityTest, AGatewayBehindAPrivateCaConnectsWithTlsCaFileOnly) {
  if (!MakeCerts()) GTEST_SKIP() << "the openssl CLI could not make test certificates";
  WsTestServer gateway(TlsFiles{Path("tls/server.pem"), Path("tls/server.key")});
  auto bridge = StartBridge(
      gateway.url(), {"--auth_key_file=" + KeyFile(0600), "--tls_ca_file=" + Path("tls/ca.pem")});
  std::optional<int> port = bridge->ReadPort(kWait);
  ASSERT_TRUE(port) << Stderr();
  ASSERT_TRUE(gateway.WaitFor(HasRebind, kWait)) << Stderr();
  auto stub = StubFor(*port);
  EXPECT_TRUE(PollUntil(
      [&] {
        v1::GetStatusResponse status;
        return stub->GetStatus(Context().get(), v1::GetStatusRequest(), &status).ok() &&
               status.upstream_state() == v1::UPSTREAM_STATE_CONNECTED;
      },
      kWait));
}

TEST_F(UpstreamSecurityTest, WithoutTlsCaFileThePrivateCaIsRefusedAndTheReasonReported) {
  if (!MakeCerts()) GTEST_SKIP() << "the openssl CLI could not make test certificates";
  WsTestServer gateway(TlsFiles{Path("tls/server.pem"), Path("tls/server.key")});
  auto bridge = StartBridge(gateway.url(), {"--auth_key_file=" + KeyFile(0600)});
  std::optional<int> port = bridge->ReadPort(kWait);
  ASSERT_TRUE(port) << Stderr();
  auto stub = StubFor(*port);
  v1::SubscribeRequest states;
  states.set_after_seq(0);
  states.add_kinds(v1::EVENT_KIND_BRIDGE_STATE);
  EventStream stream(stub.get(), states);
  std::optional<v1::Event> refused = stream.WaitForEvent([](const v1::Event& e) {
    return e.has_bridge_state() &&
           absl::StrContains(e.bridge_state().detail(), "certificate verify failed");
  });
  ASSERT_TRUE(refused) << Stderr();
  EXPECT_THAT(refused->bridge_state().detail(), HasSubstr("unable to get local issuer"));
  EXPECT_TRUE(WaitForLog("certificate verify failed"));
  v1::GetStatusResponse status;
  ASSERT_TRUE(stub->GetStatus(Context().get(), v1::GetStatusRequest(), &status).ok());
  EXPECT_NE(status.upstream_state(), v1::UPSTREAM_STATE_CONNECTED);
  EXPECT_EQ(gateway.record().handshakes, 0);
}

TEST_F(UpstreamSecurityTest, AnUnusableTlsCaFileStopsTheStartNamingTheFlag) {
  const std::string not_pem = Path("not_pem.pem");
  std::ofstream(not_pem) << "not a certificate\n";
  for (const std::string& ca_file : {Path("missing.pem"), not_pem}) {
    ProcessResult process = RunProcess(
        {WXBRIDGE_BINARY, "--listen=127.0.0.1:0", "--data_dir=", "--upstream=wss://127.0.0.1:9/ws",
         "--auth_key_file=" + KeyFile(0600), "--tls_ca_file=" + ca_file},
        kWait, {kAuthKeyVariable});
    EXPECT_EQ(process.exit_code, 2) << process.err;
    EXPECT_THAT(process.err, AllOf(HasSubstr("--tls_ca_file"), HasSubstr(ca_file)));
  }
}

}  // namespace
}  // namespace wxbridge::testing
