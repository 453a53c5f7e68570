// The real wxbridge binary as the soak runs it: a child process in front of the soak's
// simulator, its stderr in a log file, its memory sampled from /proc while it runs, and
// its end checked (clean exit on SIGTERM, no sanitizer report in its log).
#ifndef WXBRIDGE_TESTS_SOAK_BRIDGE_CHILD_H_
#define WXBRIDGE_TESTS_SOAK_BRIDGE_CHILD_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/soak/soak_options.h"
#include "tests/support/child_process.h"

namespace wxbridge::soak {

struct BridgeEnd {
  int exit_code = -1;
  bool timed_out = false;
  // The first line of a sanitizer report found in the log, empty when none.
  std::string sanitizer_report;
};

class BridgeChild {
 public:
  // Starts wxbridge with --upstream=`upstream_url` and the soak's flags.
  BridgeChild(const SoakOptions& options, const std::string& upstream_url,
              const std::string& auth_key);
  ~BridgeChild();  // stops the sampler; the child is killed if still running

  // The gRPC port it announced, or nullopt (then the log says why).
  std::optional<int> WaitForPort();
  std::string target() const;
  // The largest VmHWM/VmRSS seen so far, in KiB.
  int64_t peak_rss_kib() const { return peak_rss_kib_; }
  const std::string& log_path() const { return log_path_; }
  // SIGTERM, waits for the exit, reads the log.
  BridgeEnd Stop();

 private:
  void SampleMemory();

  SoakOptions options_;
  std::string log_path_;
  std::unique_ptr<testing::ChildProcess> process_;
  int port_ = 0;
  std::atomic<int64_t> peak_rss_kib_{0};
  std::atomic<bool> stop_sampling_{false};
  std::thread sampler_;
};

}  // namespace wxbridge::soak

#endif  // WXBRIDGE_TESTS_SOAK_BRIDGE_CHILD_H_
