#include "server/upstream/backoff.h"

#include <algorithm>
#include <utility>

namespace wxbridge::upstream {
namespace {

using std::chrono::milliseconds;

// Uniform in [low, high] from a [0, 1) sample, rounded down to whole milliseconds.
milliseconds Between(milliseconds low, milliseconds high, double unit) {
  if (high <= low) return low;
  const double span = static_cast<double>((high - low).count()) + 1.0;
  const auto offset = static_cast<milliseconds::rep>(std::clamp(unit, 0.0, 1.0) * span);
  return std::min(high, low + milliseconds(offset));
}

}  // namespace

Backoff::Backoff(BackoffPolicy policy, UnitRandom random)
    : policy_(policy), random_(std::move(random)) {
  policy_.max = std::max(policy_.max, milliseconds(0));
  policy_.initial = std::clamp(policy_.initial, milliseconds(0), policy_.max);
}

milliseconds Backoff::Next() {
  const uint32_t attempt = attempts_++;
  milliseconds delay;
  if (policy_.jitter == Jitter::kFull) {
    // Doubling stops at the cap, so the shift cannot overflow.
    milliseconds ceiling = std::max(policy_.initial, milliseconds(1));
    for (uint32_t i = 0; i < attempt && ceiling < policy_.max; ++i) ceiling *= 2;
    delay = Between(milliseconds(0), std::min(ceiling, policy_.max), random_());
  } else {
    // A floor of 1 ms keeps the range growing even from an initial delay of 0.
    const milliseconds previous =
        std::max(attempt == 0 ? policy_.initial : previous_, milliseconds(1));
    const milliseconds high = std::min(policy_.max, std::max(previous * 3, policy_.initial));
    delay = Between(policy_.initial, high, random_());
  }
  previous_ = delay;
  return delay;
}

void Backoff::Reset() {
  attempts_ = 0;
  previous_ = milliseconds(0);
}

}  // namespace wxbridge::upstream
