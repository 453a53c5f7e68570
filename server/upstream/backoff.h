// Reconnect delays: exponential backoff with jitter, capped. Pure (no clock, no I/O);
// randomness comes from an injected source so tests can pin it down.
#ifndef WXBRIDGE_SERVER_UPSTREAM_BACKOFF_H_
#define WXBRIDGE_SERVER_UPSTREAM_BACKOFF_H_

#include <chrono>
#include <cstdint>
#include <functional>

#include "server/common/unit_random.h"

namespace wxbridge::upstream {

enum class Jitter {
  // Uniform in [0, min(max, initial * 2^n)] ("full jitter").
  kFull,
  // Uniform in [initial, 3 * previous delay], capped at max ("decorrelated jitter"); never
  // below initial, so a flapping peer is not hammered.
  kDecorrelated,
};

struct BackoffPolicy {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{30000};
  Jitter jitter = Jitter::kDecorrelated;
};

class Backoff {
 public:
  Backoff(BackoffPolicy policy, UnitRandom random);

  // The delay before the next attempt; counts that attempt.
  std::chrono::milliseconds Next();
  // Back to the first delay (after a connection proved stable).
  void Reset();
  // Attempts counted by Next() since construction or the last Reset().
  uint32_t attempts() const { return attempts_; }

 private:
  BackoffPolicy policy_;
  UnitRandom random_;
  uint32_t attempts_ = 0;
  std::chrono::milliseconds previous_{0};
};

}  // namespace wxbridge::upstream

#endif  // WXBRIDGE_SERVER_UPSTREAM_BACKOFF_H_
