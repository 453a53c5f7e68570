// Lets a log line through at most once per interval. For lines any client (or the
// gateway) can trigger at will: a line each would let one flood the log.
#ifndef WXBRIDGE_SERVER_COMMON_LOG_THROTTLE_H_
#define WXBRIDGE_SERVER_COMMON_LOG_THROTTLE_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace wxbridge {

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval = std::chrono::minutes(1))
      : interval_(interval) {}

  // True when a line may be written now; `held_back` is then the number of lines refused
  // since the last one let through. Thread-safe.
  bool Allow(uint64_t* held_back);

 private:
  const std::chrono::steady_clock::duration interval_;
  std::atomic<int64_t> last_allowed_{0};  // steady-clock ticks; 0: never
  std::atomic<uint64_t> held_back_{0};
};

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_LOG_THROTTLE_H_
