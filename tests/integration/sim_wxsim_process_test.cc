// The standalone wxsim binary: flags, the "listening on" line, a login over
// WebSocket, and a clean stop on SIGTERM.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/protocol/base64.h"
#include "tests/support/ws_test_client.h"

namespace wxbridge::testing {
namespace {

using nlohmann::json;

// Reads one line from `fd`, waiting at most `timeout_ms` in total.
std::string ReadLine(int fd, int timeout_ms) {
  std::string line;
  char c;
  pollfd poller{fd, POLLIN, 0};
  while (poll(&poller, 1, timeout_ms) > 0 && read(fd, &c, 1) == 1) {
    if (c == '\n') break;
    line += c;
  }
  return line;
}

class WxsimProcess {
 public:
  explicit WxsimProcess(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      std::vector<char *> argv{const_cast<char *>(WXSIM_PATH)};
      for (std::string &arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(WXSIM_PATH, argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_ = out[0];
  }
  ~WxsimProcess() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_ >= 0) close(stdout_);
  }
  int stdout_fd() const { return stdout_; }
  // SIGTERM, then the exit status.
  int Terminate() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  bool reaped_ = false;
};

TEST(WxsimProcessTest, ListensOnAnAnnouncedPortAndServesALogin) {
  setenv("WXSIM_AUTH_KEY", "env-key", 1);
  WxsimProcess wxsim({"--listen=127.0.0.1:0", "--ack=none", "--scan_delay_ms=5",
                      "--step_delay_ms=1", "--log_level=warning"});
  const std::string line = ReadLine(wxsim.stdout_fd(), 10000);
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

  const int exit_status = wxsim.Terminate();
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;
}

TEST(WxsimProcessTest, HelpDocumentsEveryFlag) {
  FILE *help = popen(WXSIM_PATH " --help 2>&1", "r");
  ASSERT_NE(help, nullptr);
  std::string text;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, help)) text.append(buffer, n);
  pclose(help);
  for (const char *flag : {"-listen", "-auth_key", "-ack", "-scan_delay_ms", "-step_delay_ms",
                           "-world_size", "-max_frame_bytes", "-log_level", "WXSIM_AUTH_KEY"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace wxbridge::testing
