// The real wxctl binary against an in-process bridge and simulator, as an operator uses
// it: login with the QR code in the terminal, send-text watched on subscribe, status,
// failures with the gRPC code name, usage errors, and --help everywhere; and against a
// bridge that serves TLS, wants a client certificate and a token.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/wxclient/channel.h"
#include "client/wxclient/png_gray.h"
#include "client/wxclient/qr_render.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/child_process.h"
#include "tests/support/test_credentials.h"

namespace wxbridge::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::vector<std::string> kCommands = {
    "login",         "logout", "send-text",  "send-link", "send-image", "kick",  "contacts",
    "accept-friend", "invite", "add-friend", "raw",       "subscribe",  "status"};

ProcessResult Wxctl(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), WXCTL_BINARY);
  return RunProcess(args, kWait, env);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Fails the test unless `json` is one SubscribeResponse in protobuf JSON.
v1::SubscribeResponse ParseResponse(const std::string& json) {
  v1::SubscribeResponse message;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << json;
  return message;
}

TEST(WxctlUsageTest, HelpOfWxctlAndOfEveryCommandExitsZero) {
  ProcessResult main_help = Wxctl({"--help"});
  EXPECT_EQ(main_help.exit_code, 0);
  for (const std::string& command : kCommands) {
    EXPECT_THAT(main_help.out, HasSubstr("  " + command + " ")) << "not listed: " << command;
    ProcessResult help = Wxctl({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.err;
    EXPECT_THAT(help.out, StartsWith("usage: wxctl " + command));
    EXPECT_THAT(help.out, HasSubstr("--server"));
  }
}

TEST(WxctlUsageTest, BadCommandLinesExitTwoAndSayWhy) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "missing command"},
      {{"frobnicate"}, "unknown command \"frobnicate\""},
      {{"--bogus", "status"}, "unknown flag --bogus"},
      {{"status", "--bogus=1"}, "unknown flag --bogus"},
      {{"login"}, "missing --account"},
      {{"send-text", "--account=a", "--to=b"}, "missing --text"},
      {{"status", "extra"}, "unexpected argument \"extra\""},
      {{"add-friend", "--account=a", "--user_key=k", "--scene=fax"}, "--scene"},
      {{"subscribe", "--kind=txt"}, "unknown kind \"txt\""},
      {{"subscribe", "--count=many"}, "not an integer"},
      {{"subscribe", "--max_batch=-1"}, "not a count"},
      {{"status", "--timeout=soon"}, "not a duration"},
      {{"send-image", "--account=a", "--to=b", "--file=/nonexistent.png"}, "cannot read"},
      {{"--tls_ca=/nonexistent.pem", "status"}, "--tls_ca: cannot read \"/nonexistent.pem\""},
      {{"status", "--tls_ca=/dev/null"}, "--tls_ca: \"/dev/null\" is not a PEM file"},
      {{"--tls_ca=/dev/null", "--tls_cert=/dev/null", "status"}, "go together"},
      {{"--tls_cert=/dev/null", "--tls_key=/dev/null", "status"}, "need --tls_ca"},
  };
  for (const auto& [args, message] : cases) {
    ProcessResult result = Wxctl(args);
    EXPECT_EQ(result.exit_code, 2) << absl::StrJoin(args, " ");
    EXPECT_THAT(result.err, HasSubstr(message)) << absl::StrJoin(args, " ");
    EXPECT_THAT(result.err, HasSubstr("usage: wxctl"));
  }
}

TEST(WxctlUsageTest, TheTokenIsNeverPrintedNorAnUnsendableOneSent) {
  const std::string token = "wxctl-test-token-0123456789";
  ProcessResult help = Wxctl({"--help"}, {"WXBRIDGE_TOKEN=" + token});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("(default $WXBRIDGE_TOKEN)"));
  ProcessResult command_help = Wxctl({"status", "--help"}, {"WXBRIDGE_TOKEN=" + token});
  EXPECT_THAT(command_help.out, HasSubstr("(default $WXBRIDGE_TOKEN)"));
  // gRPC cannot send a newline in metadata: a usage error, not a crash.
  ProcessResult newline = Wxctl({"status"}, {"WXBRIDGE_TOKEN=" + token + "\n"});
  EXPECT_EQ(newline.exit_code, 2);
  EXPECT_THAT(newline.err, HasSubstr("printable ASCII"));
  ProcessResult unreachable =
      Wxctl({"--server=127.0.0.1:1", "--timeout=2s", "--token=" + token, "status"});
  EXPECT_EQ(unreachable.exit_code, 1);
  for (const ProcessResult* result : {&help, &command_help, &newline, &unreachable}) {
    EXPECT_THAT(result->out + result->err, ::testing::Not(HasSubstr(token)));
  }
}

TEST(WxctlUsageTest, UnreachableBridgeExitsOneWithUnavailableAndAHint) {
  ProcessResult result = Wxctl({"--server=127.0.0.1:1", "--timeout=2s", "status"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, StartsWith("ERROR: UNAVAILABLE: "));
  EXPECT_THAT(result.err, HasSubstr("hint: is wxbridge running"));
}

class WxctlTest : public ::testing::Test {
 protected:
  WxctlTest() { EXPECT_TRUE(harness_.WaitConnected()); }

  // wxctl against the harness's bridge.
  ProcessResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), "--server=" + harness_.target());
    return Wxctl(std::move(args));
  }

  void LogIn(const std::string& account) {
    ProcessResult login = Run({"login", "--account=" + account, "--qr_file=" + QrFile(account)});
    ASSERT_EQ(login.exit_code, 0) << login.out << login.err;
  }

  static std::string QrFile(const std::string& account) {
    return absl::StrCat(::testing::TempDir(), "/wxctl-", account, ".png");
  }

  BridgeHarness harness_;
};

TEST_F(WxctlTest, LoginDrawsTheQrCodeSavesThePngAndExitsZeroOnceLoggedIn) {
  const std::string qr_file = QrFile("alice");
  std::remove(qr_file.c_str());
  ProcessResult login = Run({"login", "--account=alice", "--qr_file=" + qr_file});
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_THAT(login.out, HasSubstr("alice: WAITING_FOR_SCAN"));
  EXPECT_THAT(login.out, HasSubstr("QR code saved to " + qr_file));
  EXPECT_THAT(login.out, HasSubstr(absl::StrCat("alice: LOGGED_IN 已成功登录 (wxId ",
                                                sim::Simulator::WxIdFor("alice"), ")")));

  // The saved file is the PNG the gateway sent, and the terminal shows exactly it.
  const std::string png = ReadFile(qr_file);
  ASSERT_TRUE(client::DecodePngGray(png).ok()) << "not a valid PNG: " << qr_file;
  absl::StatusOr<std::string> art = client::RenderPngQr(png);
  ASSERT_TRUE(art.ok());
  EXPECT_THAT(*art, HasSubstr("▀"));
  EXPECT_THAT(*art, HasSubstr("▄"));
  EXPECT_THAT(*art, HasSubstr("█"));
  EXPECT_THAT(login.out, HasSubstr(*art));
  EXPECT_EQ(login.out.find("WAITING_FOR_SCAN"), login.out.rfind("WAITING_FOR_SCAN"))
      << "the QR status is shown once";
}

TEST_F(WxctlTest, LoginOfAnAccountAlreadyLoggedInExitsZeroAtOnce) {
  LogIn("alice");
  ProcessResult again = Run({"login", "--account=alice", "--qr_file=" + QrFile("alice")});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("alice: LOGGED_IN"));
}

TEST_F(WxctlTest, SendTextArrivesAsOneJsonLineOnSubscribe) {
  LogIn("alice");
  LogIn("bob");
  ChildProcess subscriber({WXCTL_BINARY, "--server=" + harness_.target(), "subscribe", "--account",
                           "bob", "--kind", "text", "--count", "1"});
  // The hello is flushed at once: the stream is live before the text is sent.
  std::optional<std::string> hello = subscriber.ReadLine(kWait);
  ASSERT_TRUE(hello);
  EXPECT_TRUE(ParseResponse(*hello).has_hello()) << *hello;

  ProcessResult sent = Run({"send-text", "--account=alice",
                            "--to=" + sim::Simulator::WxIdFor("bob"), "--text=hi bob 你好"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_THAT(sent.out, StartsWith("{\"ack\":{\"requestId\":"));

  std::optional<std::string> line = subscriber.ReadLine(kWait);
  ASSERT_TRUE(line);
  const v1::SubscribeResponse event = ParseResponse(*line);
  EXPECT_EQ(event.event().account(), "bob");
  EXPECT_EQ(event.event().text().text(), "hi bob 你好");
  EXPECT_EQ(event.event().text().header().from_user_name(), sim::Simulator::WxIdFor("alice"));
  ProcessResult ended = subscriber.Wait(kWait);
  EXPECT_EQ(ended.exit_code, 0) << ended.err;
  EXPECT_EQ(ended.out, "") << "--count 1 stops after the first event";

  // The same event again, replayed from the retention ring with --after_seq 0.
  ProcessResult replay =
      Run({"subscribe", "--account=bob", "--kind=text", "--after_seq=0", "--count=1"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  std::vector<std::string> lines = absl::StrSplit(replay.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << replay.out;
  EXPECT_TRUE(ParseResponse(lines[0]).has_hello());
  EXPECT_EQ(ParseResponse(lines[1]).event().seq(), event.event().seq());
}

TEST_F(WxctlTest, ABatchedSubscribePrintsTheSameEventLinesAsAnUnbatchedOne) {
  LogIn("alice");
  LogIn("bob");
  const uint64_t head = harness_.GetStatus().head_seq();
  ASSERT_GT(head, 4u);
  const std::string count = absl::StrCat("--count=", head);
  // Everything retained is replayed: batched, the bridge sends it in a few messages.
  ProcessResult single = Run({"subscribe", "--after_seq=0", count});
  ProcessResult batched = Run({"subscribe", "--after_seq=0", count, "--max_batch=3"});
  ASSERT_EQ(single.exit_code, 0) << single.err;
  ASSERT_EQ(batched.exit_code, 0) << batched.err;
  std::vector<std::string> single_lines = absl::StrSplit(single.out, '\n', absl::SkipEmpty());
  std::vector<std::string> batched_lines = absl::StrSplit(batched.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(single_lines.size(), head + 1) << single.out;  // the hello, then every event
  ASSERT_EQ(batched_lines.size(), head + 1) << batched.out;
  EXPECT_TRUE(ParseResponse(batched_lines[0]).has_hello());
  for (std::size_t i = 1; i < single_lines.size(); ++i) {
    EXPECT_EQ(batched_lines[i], single_lines[i]) << "line " << i;
    EXPECT_EQ(ParseResponse(batched_lines[i]).event().seq(), i);
  }
}

TEST_F(WxctlTest, StatusPrintsTheBridgeViewAsJson) {
  LogIn("alice");
  ProcessResult status = Run({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  v1::GetStatusResponse response;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(status.out, &response).ok())
      << status.out;
  EXPECT_EQ(response.upstream_state(), v1::UPSTREAM_STATE_CONNECTED);
  ASSERT_EQ(response.accounts_size(), 1);
  EXPECT_EQ(response.accounts(0).account(), "alice");
  EXPECT_EQ(response.accounts(0).wx_id(), sim::Simulator::WxIdFor("alice"));
}

TEST_F(WxctlTest, ServerComesFromTheEnvironmentWhenNoFlagGivesIt) {
  ProcessResult status = Wxctl({"status"}, {"WXBRIDGE_SERVER=" + harness_.target()});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("UPSTREAM_STATE_CONNECTED"));
}

TEST_F(WxctlTest, AGatewayRefusalExitsOneWithTheCodeName) {
  LogIn("alice");
  // The shared group is owned by a simulated user, not by alice.
  ProcessResult kick = Run({"kick", "--account=alice", "--group=" + sim::Simulator::SharedGroupId(),
                            "--user=" + sim::Simulator::WxIdFor("bob")});
  EXPECT_EQ(kick.exit_code, 1);
  EXPECT_THAT(kick.err, StartsWith("ERROR: FAILED_PRECONDITION: "));
  EXPECT_THAT(kick.err, HasSubstr("只有群主才能移除群成员"));
  EXPECT_EQ(kick.out, "");
}

TEST_F(WxctlTest, EveryUnaryCommandReachesTheBridge) {
  LogIn("alice");
  LogIn("bob");
  const std::string bob = sim::Simulator::WxIdFor("bob");
  const std::string image = absl::StrCat(::testing::TempDir(), "/wxctl-image.png");
  std::ofstream(image, std::ios::binary) << std::string("\x89PNG\r\n\x1a\n", 8) << "pixels";
  const std::vector<std::vector<std::string>> calls = {
      {"send-link", "--account=alice", "--to=" + bob, "--title=t", "--url=https://x.test"},
      {"send-image", "--account=alice", "--to=" + bob, "--file=" + image},
      {"contacts", "--account=alice", "--ids=" + sim::Simulator::SharedGroupId()},
      {"invite", "--account=alice", "--group=" + sim::Simulator::OwnedGroupIdFor("alice"),
       "--user=" + bob},
      {"add-friend", "--account=alice", "--user_key=" + bob, "--scene=wechat_id", "--content=hi"},
      {"raw", "--code=103",
       R"(--data={"account":"alice","toUserName":")" + bob + R"(","content":"raw"})"},
      {"logout", "--account=bob"},
  };
  for (const auto& call : calls) {
    ProcessResult result = Run(call);
    EXPECT_EQ(result.exit_code, 0) << absl::StrJoin(call, " ") << "\n" << result.err;
    EXPECT_THAT(result.out, StartsWith("{\"ack\":")) << absl::StrJoin(call, " ");
  }
}

// A bridge serving TLS that requires client certificates and tokens: "ops" may do
// everything, "alice-only" may log alice in, send as her and read her events.
class WxctlSecureTest : public ::testing::Test {
 protected:
  WxctlSecureTest()
      : ops_(MakeToken("ops", {"*"}, {"*"})),
        alice_only_(MakeToken("alice-only", {"alice"}, {"Login", "SendText", "Subscribe"})) {
    EXPECT_TRUE(certs_.ok()) << "could not make test certificates";
    EXPECT_TRUE(
        WriteFileAtomically(certs_.Path("tokens.json"), TokensFileJson({ops_, alice_only_})));
    HarnessOptions options;
    options.token = ops_.secret;
    // The harness's own calls go through wxbridge_client, as wxctl's do.
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        client::MakeChannelCredentials(ChannelOptions());
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    if (credentials.ok()) options.channel_credentials = *credentials;
    options.configure_bridge = [this](app::BridgeConfig& config) {
      config.grpc.tls.cert = certs_.Path("server.pem");
      config.grpc.tls.key = certs_.Path("server.key");
      config.grpc.tls.client_ca = certs_.Path("ca.pem");
      config.grpc.tokens_file = certs_.Path("tokens.json");
    };
    harness_ = std::make_unique<BridgeHarness>(options);
    EXPECT_TRUE(harness_->WaitConnected());
  }

  client::ChannelOptions ChannelOptions() const {
    client::ChannelOptions options;
    options.tls_ca_file = certs_.Path("ca.pem");
    options.tls_cert_file = certs_.Path("client.pem");
    options.tls_key_file = certs_.Path("client.key");
    return options;
  }

  // wxctl with the environment a user of this bridge sets (the "ops" token), then
  // `overrides` ("NAME=value", or a bare NAME to unset). No token is ever printed.
  ProcessResult Run(const std::vector<std::string>& args,
                    const std::vector<std::string>& overrides = {}) {
    std::vector<std::string> env = {"WXBRIDGE_SERVER=" + harness_->target(),
                                    "WXBRIDGE_TOKEN=" + ops_.secret,
                                    "WXBRIDGE_TLS_CA=" + certs_.Path("ca.pem"),
                                    "WXBRIDGE_TLS_CERT=" + certs_.Path("client.pem"),
                                    "WXBRIDGE_TLS_KEY=" + certs_.Path("client.key")};
    env.insert(env.end(), overrides.begin(), overrides.end());
    ProcessResult result = Wxctl(args, env);
    for (const TestToken* token : {&ops_, &alice_only_}) {
      EXPECT_THAT(result.out + result.err, ::testing::Not(HasSubstr(token->secret)));
    }
    return result;
  }

  TestCertificates certs_;
  TestToken ops_;
  TestToken alice_only_;
  std::unique_ptr<BridgeHarness> harness_;
};

TEST_F(WxctlSecureTest, WithTlsAClientCertificateAndATokenEveryCommandWorks) {
  const std::string qr_file = absl::StrCat(::testing::TempDir(), "/wxctl-secure-alice.png");
  for (const std::string account : {"alice", "bob"}) {
    ProcessResult login = Run({"login", "--account=" + account, "--qr_file=" + qr_file});
    ASSERT_EQ(login.exit_code, 0) << login.err;
    EXPECT_THAT(login.out, HasSubstr(account + ": LOGGED_IN"));
  }
  ProcessResult sent = Run({"send-text", "--account=alice",
                            "--to=" + sim::Simulator::WxIdFor("bob"), "--text=over TLS"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  ProcessResult replay =
      Run({"subscribe", "--account=bob", "--kind=text", "--after_seq=0", "--count=1"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_THAT(replay.out, HasSubstr("\"text\":\"over TLS\""));
  // --token works as well as the environment.
  ProcessResult flag = Run({"--token=" + ops_.secret, "status"}, {"WXBRIDGE_TOKEN"});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;
}

TEST_F(WxctlSecureTest, WithoutATokenEveryCallIsUnauthenticated) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"status"},
        {"subscribe", "--after_seq=0", "--count=1"},
        {"send-text", "--account=alice", "--to=x", "--text=never sent"}}) {
    ProcessResult result = Run(args, {"WXBRIDGE_TOKEN"});
    EXPECT_EQ(result.exit_code, 1) << absl::StrJoin(args, " ");
    EXPECT_THAT(result.err, StartsWith("ERROR: UNAUTHENTICATED: ")) << absl::StrJoin(args, " ");
    EXPECT_THAT(result.err, HasSubstr("hint: the bridge wants a token"));
  }
  ProcessResult unknown = Run({"status"}, {"WXBRIDGE_TOKEN=" + std::string(64, 'a')});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, StartsWith("ERROR: UNAUTHENTICATED: "));
  EXPECT_THAT(unknown.err, HasSubstr("hint: the bridge does not know this token"));
}

TEST_F(WxctlSecureTest, PlaintextOrAMissingOrForeignCertificateCannotConnect) {
  const std::vector<std::vector<std::string>> cases = {
      {"WXBRIDGE_TLS_CA", "WXBRIDGE_TLS_CERT", "WXBRIDGE_TLS_KEY"},  // plaintext
      {"WXBRIDGE_TLS_CERT", "WXBRIDGE_TLS_KEY"},                     // no client certificate
      {"WXBRIDGE_TLS_CERT=" + certs_.Path("stranger.pem"),
       "WXBRIDGE_TLS_KEY=" + certs_.Path("stranger.key")},    // another CA's client
      {"WXBRIDGE_TLS_CA=" + certs_.Path("stranger_ca.pem")},  // not the bridge's CA
  };
  for (const auto& overrides : cases) {
    ProcessResult result = Run({"--timeout=5s", "status"}, overrides);
    EXPECT_EQ(result.exit_code, 1) << absl::StrJoin(overrides, " ");
    EXPECT_THAT(result.err, StartsWith("ERROR: UNAVAILABLE: ")) << absl::StrJoin(overrides, " ");
  }
}

TEST_F(WxctlSecureTest, AScopedTokenIsDeniedWhatItsScopeLacks) {
  const std::vector<std::string> alice = {"WXBRIDGE_TOKEN=" + alice_only_.secret};
  const std::string qr_file = ::testing::TempDir() + "/wxctl-scoped-alice.png";
  ProcessResult login = Run({"login", "--account=alice", "--qr_file=" + qr_file}, alice);
  ASSERT_EQ(login.exit_code, 0) << login.err;
  const std::string bob = sim::Simulator::WxIdFor("bob");
  ProcessResult own = Run({"send-text", "--account=alice", "--to=" + bob, "--text=mine"}, alice);
  EXPECT_EQ(own.exit_code, 0) << own.err;
  const std::vector<std::vector<std::string>> denied = {
      {"send-text", "--account=bob", "--to=" + bob, "--text=not mine"},  // account
      {"status"},                                                        // method
      {"raw", "--code=103", "--data={}"},                                // SendRaw
  };
  for (const auto& args : denied) {
    ProcessResult result = Run(args, alice);
    EXPECT_EQ(result.exit_code, 1) << absl::StrJoin(args, " ");
    EXPECT_THAT(result.err, StartsWith("ERROR: PERMISSION_DENIED: ")) << absl::StrJoin(args, " ");
    EXPECT_THAT(result.err, HasSubstr("hint: this token's scope"));
  }
}

TEST(WxctlUnixSocketTest, ServerTakesAUnixSocket) {
  const std::string socket = absl::StrCat(::testing::TempDir(), "/wxctl-", ::getpid(), ".sock");
  HarnessOptions options;
  options.configure_bridge = [&](app::BridgeConfig& config) {
    config.grpc.listen = "unix:" + socket;
  };
  BridgeHarness harness(options);
  ProcessResult status = Wxctl({"--server=unix:" + socket, "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("\"upstreamState\""));
}

}  // namespace
}  // namespace wxbridge::testing
