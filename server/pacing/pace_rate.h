// A pacing rate as operators write it: "20/min" is 20 sends per minute. Pure.
#ifndef WXBRIDGE_SERVER_PACING_PACE_RATE_H_
#define WXBRIDGE_SERVER_PACING_PACE_RATE_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wxbridge::pacing {

struct PaceRate {
  // Sends allowed per `per`; 0 means no limit (the rate "off").
  uint32_t count = 0;
  std::chrono::seconds per{1};

  bool limited() const { return count > 0; }
  // The steady spacing of sends at this rate (per / count); only when limited().
  std::chrono::nanoseconds interval() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(per) / count;
  }
  friend bool operator==(const PaceRate& a, const PaceRate& b) {
    return a.count == b.count && a.per == b.per;
  }
};

// "N/UNIT" with N a whole number from 1 to 1000000 and UNIT one of s, sec, second, m,
// min, minute, h, hour, d, day; or "off" (no limit). INVALID_ARGUMENT saying what is
// expected otherwise.
absl::StatusOr<PaceRate> ParsePaceRate(absl::string_view text);
// The text ParsePaceRate reads back: "20/min", "off".
std::string FormatPaceRate(const PaceRate& rate);

}  // namespace wxbridge::pacing

#endif  // WXBRIDGE_SERVER_PACING_PACE_RATE_H_
