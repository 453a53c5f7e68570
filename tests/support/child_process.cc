#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

extern char** environ;

namespace wxbridge::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// This environment with `extra` applied (same name: `extra` wins; a bare name removes).
std::vector<std::string> MergedEnvironment(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> entries;
  auto add = [&entries](const std::string& entry) {
    const std::size_t equals = entry.find('=');
    if (equals == std::string::npos) {
      entries.erase(entry);
    } else {
      entries[entry.substr(0, equals)] = entry;
    }
  };
  for (char** entry = environ; *entry != nullptr; ++entry) add(*entry);
  for (const auto& entry : extra) add(entry);
  std::vector<std::string> merged;
  for (auto& [name, entry] : entries) merged.push_back(entry);
  return merged;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

milliseconds Left(Clock::time_point deadline) {
  return std::max(milliseconds(0),
                  std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

// A pipe whose two ends close with it unless taken.
struct Pipe {
  int read = -1;
  int write = -1;
  bool Open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
  int TakeRead() { return std::exchange(read, -1); }
  int TakeWrite() { return std::exchange(write, -1); }
  ~Pipe() {
    CloseFd(read);
    CloseFd(write);
  }
};

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const ChildOptions& options) {
  Pipe in, out, err;
  const bool piped_err = options.stderr_file.empty();
  if (!out.Open() || (options.stdin_pipe && !in.Open()) || (piped_err && !err.Open())) return;
  // A child that exits early must not kill us with SIGPIPE on the next SendLine.
  if (options.stdin_pipe) signal(SIGPIPE, SIG_IGN);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.stdin_pipe) {
    posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  if (piped_err) {
    posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, options.stderr_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = MergedEnvironment(options.env);
  std::vector<char*> arg_pointers = Pointers(args);
  std::vector<char*> env_pointers = Pointers(envs);
  if (posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, arg_pointers.data(),
                  env_pointers.data()) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  if (pid_ <= 0) return;
  in_fd_ = in.TakeWrite();
  out_fd_ = out.TakeRead();
  err_fd_ = err.TakeRead();
}

ChildProcess::~ChildProcess() {
  Stop();
  CloseFds();
}

void ChildProcess::CloseFds() {
  CloseFd(in_fd_);
  CloseFd(out_fd_);
  CloseFd(err_fd_);
}

bool ChildProcess::Pump(Clock::time_point deadline) {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (out_fd_ < 0 && err_fd_ < 0) return false;
  const milliseconds left = Left(deadline);
  if (left.count() <= 0) return false;
  if (poll(fds, 2, static_cast<int>(left.count())) <= 0) return false;
  int* fd_of[2] = {&out_fd_, &err_fd_};
  std::string* text_of[2] = {&out_, &err_};
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd < 0 || fds[i].revents == 0) continue;
    char buffer[4096];
    const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
    if (n > 0) {
      text_of[i]->append(buffer, static_cast<std::size_t>(n));
    } else {
      CloseFd(*fd_of[i]);
    }
  }
  return true;
}

std::optional<std::string> ChildProcess::ReadLine(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const std::size_t newline = out_.find('\n');
    if (newline != std::string::npos) {
      std::string line = out_.substr(0, newline);
      out_.erase(0, newline + 1);
      return line;
    }
    if (drain_.joinable() || out_fd_ < 0 || !Pump(deadline)) return std::nullopt;
  }
}

std::optional<std::string> ChildProcess::ReadLineContaining(const std::string& needle,
                                                            milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::optional<std::string> line = ReadLine(Left(deadline));
    if (!line || absl::StrContains(*line, needle)) return line;
  }
}

std::optional<int> ChildProcess::ReadPort(milliseconds timeout) {
  constexpr std::string_view kPort = "(port ";
  std::optional<std::string> line = ReadLineContaining(std::string(kPort), timeout);
  if (!line) return std::nullopt;
  const std::size_t at = line->find(kPort) + kPort.size();
  const std::size_t end = line->find(')', at);
  int port = 0;
  if (end == std::string::npos || !absl::SimpleAtoi(line->substr(at, end - at), &port) ||
      port <= 0) {
    return std::nullopt;
  }
  port_ = port;
  return port;
}

bool ChildProcess::SendLine(const std::string& line) {
  if (in_fd_ < 0) return false;
  const std::string text = line + "\n";
  return write(in_fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

void ChildProcess::DrainOutput() {
  if (drain_.joinable() || pid_ <= 0) return;
  drain_stop_ = false;
  drain_ = std::thread([this, out = out_fd_, err = err_fd_] {
    pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    while ((fds[0].fd >= 0 || fds[1].fd >= 0) && !drain_stop_) {
      if (poll(fds, 2, 100) < 0 && errno != EINTR) return;
      for (pollfd& p : fds) {
        char sink[4096];
        if (p.fd >= 0 && p.revents != 0 && read(p.fd, sink, sizeof sink) <= 0) p.fd = -1;
      }
    }
  });
}

bool ChildProcess::ReapBy(Clock::time_point deadline, int* status) {
  for (;;) {
    const pid_t reaped = waitpid(pid_, status, WNOHANG);
    if (reaped == pid_ || (reaped < 0 && errno != EINTR)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

ProcessResult ChildProcess::Wait(milliseconds timeout) {
  ProcessResult result;
  if (pid_ <= 0) return result;
  CloseFd(in_fd_);  // a child reading commands ends at the end of its input
  const auto deadline = Clock::now() + timeout;
  const bool draining = drain_.joinable();
  if (!draining) {
    while (Pump(deadline)) {
    }
  }
  int status = 0;
  const bool exited = ReapBy(deadline, &status);
  if (!exited) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  if (draining) {
    drain_stop_ = true;  // what the child wrote last is discarded anyway
    drain_.join();
  }
  result.timed_out = !exited || (!draining && (out_fd_ >= 0 || err_fd_ >= 0));
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = std::move(out_);
  result.err = std::move(err_);
  CloseFds();
  return result;
}

ProcessResult ChildProcess::Stop(milliseconds grace) {
  if (pid_ > 0) kill(pid_, SIGTERM);
  return Wait(grace);
}

ProcessResult RunProcess(const std::vector<std::string>& argv, milliseconds timeout,
                         const std::vector<std::string>& env) {
  ChildOptions options;
  options.env = env;
  ChildProcess child(argv, options);
  return child.Wait(timeout);
}

}  // namespace wxbridge::testing
