#include "server/common/log_throttle.h"

namespace wxbridge {

bool LogThrottle::Allow(uint64_t* held_back) {
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  int64_t last = last_allowed_.load(std::memory_order_relaxed);
  if ((last == 0 || now - last >= interval_.count()) &&
      last_allowed_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    *held_back = held_back_.exchange(0, std::memory_order_relaxed);
    return true;
  }
  held_back_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

}  // namespace wxbridge
