// The standalone wxsim binary: flags, the "listening on" line, a login over
// WebSocket, and a clean stop on SIGTERM.
#include <chrono>
#include <regex>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/protocol/base64.h"
#include "tests/support/child_process.h"
#include "tests/support/ws_test_client.h"

namespace wxbridge::testing {
namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds kWait{10000};

TEST(WxsimProcessTest, ListensOnAnAnnouncedPortAndServesALogin) {
  ChildOptions options;
  options.env = {"WXSIM_AUTH_KEY=env-key"};
  ChildProcess wxsim({WXSIM_PATH, "--listen=127.0.0.1:0", "--ack=none", "--scan_delay_ms=5",
                      "--step_delay_ms=1", "--log_level=warning"},
                     options);
  const std::string line = wxsim.ReadLine(kWait).value_or("");
  std::smatch match;
  ASSERT_TRUE(
      std::regex_match(line, match, std::regex(R"(wxsim listening on (ws://127\.0\.0\.1:\d+/ws))")))
      << line;
  WsTestClient client;
  ASSERT_TRUE(client.Connect(match[1]).ok());
  json login = {
      {"code", 101}, {"authKey", "env-key"}, {"msgId", 5}, {"data", {{"account", "alice"}}}};
  ASSERT_TRUE(client.SendText(login.dump()).ok());
  std::optional<std::string> frame = client.Receive();
  ASSERT_TRUE(frame.has_value());
  json status = json::parse(*frame);
  EXPECT_EQ(status["MsgId"], 0);  // --ack=none
  json content = json::parse(status["Content"].get<std::string>());
  EXPECT_EQ(content["status"], 1);
  std::optional<std::string> png = protocol::Base64Decode(content["data"].get<std::string>());
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));

  const ProcessResult ended = wxsim.Stop(kWait);
  EXPECT_FALSE(ended.timed_out) << "still running after SIGTERM";
  EXPECT_EQ(ended.exit_code, 0) << ended.err;
}

TEST(WxsimProcessTest, HelpDocumentsEveryFlag) {
  const ProcessResult help = RunProcess({WXSIM_PATH, "--help"}, kWait);
  ASSERT_FALSE(help.timed_out);
  const std::string text = help.out + help.err;
  for (const char *flag : {"-listen", "-auth_key", "-ack", "-scan_delay_ms", "-step_delay_ms",
                           "-world_size", "-max_frame_bytes", "-log_level", "WXSIM_AUTH_KEY"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace wxbridge::testing
