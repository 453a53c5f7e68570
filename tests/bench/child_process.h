// A server process the bench starts, measures and stops: wxbridge, the bare
// gRPC ceiling server, the simulator host. The child announces its port on
// stdout with
// "(port N)"; its stderr goes to a log file; its stdin stays open for commands.
#ifndef WXBRIDGE_TESTS_BENCH_CHILD_PROCESS_H_
#define WXBRIDGE_TESTS_BENCH_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace wxbridge::bench {

class ChildProcess {
 public:
  // Starts argv[0] with argv, waits up to `timeout` for its "(port N)" line.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string> &argv, const std::string &log_path,
      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~ChildProcess();  // Stop()s.
  ChildProcess(const ChildProcess &) = delete;
  ChildProcess &operator=(const ChildProcess &) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  // Writes one line to the child's stdin.
  bool SendLine(const std::string &line);
  // SIGTERM, then SIGKILL after a grace period; reaps the child. Idempotent.
  void Stop();

 private:
  ChildProcess() = default;

  pid_t pid_ = -1;
  int port_ = 0;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::thread drain_;  // keeps reading stdout so the child never blocks on it
};

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_CHILD_PROCESS_H_
