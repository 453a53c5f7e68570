// A token bucket that books sends ahead: a send may be given a time in the future, and
// the bucket counts it from then. Kept as the time the bucket would be full again (the
// "theoretical arrival time" of GCRA), so an idle bucket costs nothing to keep and a
// full one can be forgotten. Pure: the caller passes the time.
#ifndef WXBRIDGE_SERVER_PACING_TOKEN_BUCKET_H_
#define WXBRIDGE_SERVER_PACING_TOKEN_BUCKET_H_

#include <chrono>
#include <cstdint>

#include "server/pacing/pace_rate.h"

namespace wxbridge::pacing {

using PaceClock = std::chrono::steady_clock;

class TokenBucket {
 public:
  // `rate` must be limited(); `burst` (at least 1) sends may leave at once from a full
  // bucket. A new bucket is full.
  TokenBucket(PaceRate rate, uint32_t burst);

  // The earliest time, not before `now`, at which a send may leave.
  PaceClock::time_point ReadyAt(PaceClock::time_point now) const;
  // Books one send leaving at `at` (not before ReadyAt()).
  void Take(PaceClock::time_point at);
  // True when the bucket is full at `now`: it is then the same as a new one.
  bool FullAt(PaceClock::time_point now) const { return refilled_at_ <= now; }

 private:
  std::chrono::nanoseconds interval_;
  std::chrono::nanoseconds burst_room_;  // (burst - 1) intervals
  PaceClock::time_point refilled_at_;    // when every booked send's token is back
};

}  // namespace wxbridge::pacing

#endif  // WXBRIDGE_SERVER_PACING_TOKEN_BUCKET_H_
