#include "server/pacing/token_bucket.h"

#include <algorithm>

namespace wxbridge::pacing {

TokenBucket::TokenBucket(PaceRate rate, uint32_t burst)
    : interval_(rate.interval()),
      burst_room_(interval_ * (std::max<uint32_t>(burst, 1) - 1)),
      refilled_at_(PaceClock::time_point::min()) {}

PaceClock::time_point TokenBucket::ReadyAt(PaceClock::time_point now) const {
  // A bucket that refills by refilled_at_ has a token once it is within burst_room_ of it.
  if (refilled_at_ <= now) return now;
  return std::max(now, refilled_at_ - burst_room_);
}

void TokenBucket::Take(PaceClock::time_point at) {
  refilled_at_ = std::max(refilled_at_, at) + interval_;
}

}  // namespace wxbridge::pacing
