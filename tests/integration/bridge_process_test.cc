// The real wxbridge binary as an operator runs it: --help, startup with the embedded
// simulator (port announced on stdout), serving over gRPC, a clean exit on SIGTERM, and
// clear refusals of bad configurations.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"

extern char** environ;

namespace wxbridge::testing {
namespace {

using std::chrono::steady_clock;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAuthKeyVariable[] = "WXBRIDGE_AUTH_KEY";

// This process's environment without WXBRIDGE_AUTH_KEY, plus `extra` ("NAME=value").
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> env;
  const std::string prefix = absl::StrCat(kAuthKeyVariable, "=");
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!absl::StartsWith(*entry, prefix)) env.emplace_back(*entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// A wxbridge child process whose stdout and stderr the test reads through pipes.
class WxbridgeProcess {
 public:
  WxbridgeProcess(std::vector<std::string> args, std::vector<std::string> env) {
    int out[2], err[2];
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(err, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    args.insert(args.begin(), WXBRIDGE_BINARY);
    std::vector<char*> argv = CStrings(args);
    std::vector<char*> envp = CStrings(env);
    const int spawned =
        posix_spawn(&pid_, WXBRIDGE_BINARY, &actions, nullptr, argv.data(), envp.data());
    EXPECT_EQ(spawned, 0) << "cannot start " << WXBRIDGE_BINARY;
    if (spawned != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    pipes_[0] = {out[0], &out_};
    pipes_[1] = {err[0], &err_};
  }

  ~WxbridgeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    for (Pipe& pipe : pipes_) {
      if (pipe.fd >= 0) close(pipe.fd);
    }
  }

  pid_t pid() const { return pid_; }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

  // The first complete stdout line containing `needle`, read within `timeout`.
  std::optional<std::string> WaitForStdoutLine(const std::string& needle,
                                               milliseconds timeout = kWait) {
    const auto deadline = steady_clock::now() + timeout;
    std::size_t start = 0;
    while (true) {
      for (std::size_t end; (end = out_.find('\n', start)) != std::string::npos; start = end + 1) {
        std::string line = out_.substr(start, end - start);
        if (absl::StrContains(line, needle)) return line;
      }
      if (!Pump(deadline)) return std::nullopt;
    }
  }

  // Reads both pipes to their end (the child has exited) and reaps it: its exit code,
  // 128 + signal if a signal ended it, or nullopt if it is still running at the timeout.
  std::optional<int> WaitForExit(milliseconds timeout = kWait) {
    const auto deadline = steady_clock::now() + timeout;
    while (Pump(deadline)) {
    }
    if (pipes_[0].fd >= 0 || pipes_[1].fd >= 0 || pid_ <= 0) return std::nullopt;
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  struct Pipe {
    int fd = -1;
    std::string* sink = nullptr;
  };

  // Waits for output until `deadline` and appends what arrives; false once both pipes
  // are closed or the deadline has passed.
  bool Pump(steady_clock::time_point deadline) {
    std::vector<pollfd> fds;
    for (const Pipe& pipe : pipes_) {
      if (pipe.fd >= 0) fds.push_back({pipe.fd, POLLIN, 0});
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    if (fds.empty() || left.count() <= 0) return false;
    if (poll(fds.data(), fds.size(), static_cast<int>(left.count())) <= 0) return true;
    for (const pollfd& ready : fds) {
      if (ready.revents == 0) continue;
      for (Pipe& pipe : pipes_) {
        if (pipe.fd != ready.fd) continue;
        char buffer[4096];
        const ssize_t n = read(pipe.fd, buffer, sizeof(buffer));
        if (n > 0) {
          pipe.sink->append(buffer, static_cast<std::size_t>(n));
        } else {
          close(pipe.fd);
          pipe.fd = -1;
        }
      }
    }
    return true;
  }

  pid_t pid_ = -1;
  std::string out_, err_;
  Pipe pipes_[2];
};

TEST(BridgeProcessTest, HelpExitsZeroAndDocumentsEveryFlag) {
  WxbridgeProcess process({"--help"}, ChildEnvironment());
  EXPECT_EQ(process.WaitForExit(), 0) << process.err();
  const std::string help = process.out() + process.err();
  for (const char* flag :
       {"listen", "upstream", "auth_key", "tls_verify", "call_timeout", "heartbeat",
        "max_frame_bytes", "event_retention", "connect_timeout", "ping_interval", "backoff_initial",
        "backoff_max", "keepalive_time", "keepalive_timeout", "shutdown_grace", "log_level",
        "sim_ack", "sim_scan_delay", "sim_world_size"}) {
    EXPECT_THAT(help, HasSubstr(absl::StrCat("--", flag))) << "undocumented flag";
  }
  EXPECT_THAT(help, HasSubstr(kAuthKeyVariable));
}

TEST(BridgeProcessTest, ServesWithTheEmbeddedSimulatorAndExitsCleanlyOnSigterm) {
  WxbridgeProcess process({"--listen=127.0.0.1:0"}, ChildEnvironment());
  std::optional<std::string> line = process.WaitForStdoutLine("(port ");
  ASSERT_TRUE(line) << "no port announced on stdout; stderr:\n" << process.err();
  const std::size_t at = line->find("(port ") + 6;
  int port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(line->substr(at, line->find(')', at) - at), &port)) << *line;
  ASSERT_GT(port, 0);

  auto stub = v1::BridgeService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  v1::LoginRequest login;
  login.set_account("alice");
  v1::LoginResponse response;
  grpc::Status status = stub->Login(Context().get(), login, &response);
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << process.err();
  EXPECT_THAT(response.status().qr_image(), ::testing::StartsWith("\x89PNG"));

  EventStream stream(stub.get(), v1::SubscribeRequest());
  ASSERT_TRUE(stream.WaitFor(IsHello));
  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  EXPECT_EQ(process.WaitForExit(), 0) << process.err();
  std::optional<grpc::Status> end = stream.WaitForEnd();
  ASSERT_TRUE(end) << "the stream outlived the process";
  EXPECT_EQ(end->error_code(), grpc::StatusCode::UNAVAILABLE) << end->error_message();
}

TEST(BridgeProcessTest, AnInvalidUpstreamUrlIsRefusedClearly) {
  WxbridgeProcess process({"--listen=127.0.0.1:0", "--upstream=not-a-url"},
                          ChildEnvironment({absl::StrCat(kAuthKeyVariable, "=k")}));
  std::optional<int> code = process.WaitForExit();
  ASSERT_TRUE(code) << "still running";
  EXPECT_NE(*code, 0);
  EXPECT_THAT(process.err(), HasSubstr("--upstream"));
  EXPECT_THAT(process.out(), Not(HasSubstr("(port ")));
}

TEST(BridgeProcessTest, AGatewayWithoutAnAuthKeyIsRefusedNamingTheVariable) {
  WxbridgeProcess process({"--listen=127.0.0.1:0", "--upstream=ws://127.0.0.1:9/ws"},
                          ChildEnvironment());
  std::optional<int> code = process.WaitForExit();
  ASSERT_TRUE(code) << "still running";
  EXPECT_NE(*code, 0);
  EXPECT_THAT(process.err(), HasSubstr(kAuthKeyVariable));
}

}  // namespace
}  // namespace wxbridge::testing
