// Randomness behind an injectable function, so code that adds jitter (reconnect backoff,
// send pacing) can be tested with fixed samples.
#ifndef WXBRIDGE_SERVER_COMMON_UNIT_RANDOM_H_
#define WXBRIDGE_SERVER_COMMON_UNIT_RANDOM_H_

#include <functional>

namespace wxbridge {

// Returns a number uniformly distributed in [0, 1).
using UnitRandom = std::function<double()>;
// A UnitRandom seeded from std::random_device. Not thread-safe: one per user.
UnitRandom MakeUnitRandom();

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_UNIT_RANDOM_H_
