// A child process for tests and benchmarks: arguments, extra environment, stdout (and
// stderr, unless it goes to a log file) captured through pipes, stdin closed or kept open
// for commands, and every wait bounded by a deadline (a hung child is killed, never
// waited for forever). Servers announce their port on stdout; ReadPort() finds it.
#ifndef WXBRIDGE_TESTS_SUPPORT_CHILD_PROCESS_H_
#define WXBRIDGE_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wxbridge::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or by the deadline
  bool timed_out = false;
  std::string out;
  std::string err;  // empty when stderr went to ChildOptions::stderr_file
};

struct ChildOptions {
  // This process's environment plus these: "NAME=value" overrides, a bare "NAME" removes.
  std::vector<std::string> env;
  // Keep stdin open for SendLine() (otherwise it is /dev/null).
  bool stdin_pipe = false;
  // Write stderr to this file (created or truncated) instead of a pipe.
  std::string stderr_file;
};

class ChildProcess {
 public:
  // Starts argv[0] (a path) with `argv`.
  explicit ChildProcess(const std::vector<std::string>& argv, const ChildOptions& options = {});
  ~ChildProcess();  // Stop()s a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // while it runs, to signal it
  // The port announced by ReadPort(), 0 before.
  int port() const { return port_; }

  // The next complete stdout line (without '\n'), or nullopt at end of output or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // The first complete stdout line containing `needle` (earlier lines are skipped).
  std::optional<std::string> ReadLineContaining(const std::string& needle,
                                                std::chrono::milliseconds timeout);
  // Reads stdout up to the line announcing "(port N)"; N, also kept as port().
  std::optional<int> ReadPort(std::chrono::milliseconds timeout);
  // Writes `line` and '\n' to the child's stdin (ChildOptions::stdin_pipe).
  bool SendLine(const std::string& line);
  // From now on a thread reads and discards stdout and stderr, so a long-running child
  // never blocks on a full pipe; ReadLine() then finds nothing more.
  void DrainOutput();

  // Closes stdin, reads both pipes to their end and reaps the child; kills it when
  // `timeout` passes first. `out` holds what ReadLine has not returned yet.
  ProcessResult Wait(std::chrono::milliseconds timeout);
  // SIGTERM, then Wait(grace) (which ends in SIGKILL). Idempotent.
  ProcessResult Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  // Reads what is available on either pipe, waiting at most until `deadline`; false
  // once both are closed or the deadline passed.
  bool Pump(std::chrono::steady_clock::time_point deadline);
  // Waits for the child's exit until `deadline` while a drain thread reads its output.
  bool ReapBy(std::chrono::steady_clock::time_point deadline, int* status);
  void CloseFds();

  pid_t pid_ = -1;
  int port_ = 0;
  int in_fd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  std::thread drain_;
  std::atomic<bool> drain_stop_{false};
};

// Starts, waits and returns the result: the usual one-shot command.
ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::vector<std::string>& env = {});

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_SUPPORT_CHILD_PROCESS_H_
