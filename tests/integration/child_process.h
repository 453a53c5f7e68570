// A child process run the way a user runs a command-line tool: arguments, extra
// environment, stdout and stderr captured through pipes, every wait bounded by a deadline
// (a hung child is killed, never waited for forever).
#ifndef WXBRIDGE_TESTS_INTEGRATION_CHILD_PROCESS_H_
#define WXBRIDGE_TESTS_INTEGRATION_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace wxbridge::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or by the deadline
  bool timed_out = false;
  std::string out;
  std::string err;
};

class ChildProcess {
 public:
  // Starts argv[0] (a path) with `argv` and this process's environment plus `env`
  // ("NAME=value" entries override; a bare "NAME" removes NAME). stdin is /dev/null.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~ChildProcess();  // kills and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // while it runs, to signal it
  // The next complete stdout line (without '\n'), or nullopt at end of output or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Reads both pipes to their end and reaps the child; kills it when `timeout` passes
  // first. `out` holds what ReadLine has not returned yet.
  ProcessResult Wait(std::chrono::milliseconds timeout);

 private:
  // Reads what is available on either pipe, waiting at most until `deadline`; false
  // once both are closed or the deadline passed.
  bool Pump(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
};

// Starts, waits and returns the result: the usual one-shot command.
ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::vector<std::string>& env = {});

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_INTEGRATION_CHILD_PROCESS_H_
