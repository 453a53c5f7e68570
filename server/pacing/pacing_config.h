// Send pacing settings (docs/pacing.md), each default written once, here. The defaults
// are the conservative values a bridge in front of a real gateway runs with.
#ifndef WXBRIDGE_SERVER_PACING_PACING_CONFIG_H_
#define WXBRIDGE_SERVER_PACING_PACING_CONFIG_H_

#include <chrono>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "server/pacing/pace_rate.h"

namespace wxbridge::pacing {

enum class PaceMode {
  kAuto,  // on with a real gateway (--upstream), off with the embedded simulator
  kOn,
  kOff,  // no pacing, no loop guard
};

// "auto", "on", "off"; false for anything else.
bool ParsePaceMode(absl::string_view text, PaceMode* mode);
const char* PaceModeName(PaceMode mode);

struct PacingConfig {
  PaceMode mode = PaceMode::kAuto;
  // Per account: messages (codes 103, 104, 109) and social actions (105, 107, 108, 111).
  PaceRate messages{20, std::chrono::seconds(60)};
  uint32_t messages_burst = 5;
  PaceRate social{2, std::chrono::seconds(60)};
  uint32_t social_burst = 2;
  // Per chat (account + the user or group a message goes to).
  PaceRate per_chat{6, std::chrono::seconds(60)};
  uint32_t per_chat_burst = 3;
  // A random extra delay in [0, jitter) before each paced send.
  std::chrono::milliseconds jitter{1500};
  // More than loop_guard sends to one chat within loop_guard_window are refused; 0: off.
  uint32_t loop_guard = 30;
  std::chrono::milliseconds loop_guard_window = std::chrono::minutes(10);
};

}  // namespace wxbridge::pacing

#endif  // WXBRIDGE_SERVER_PACING_PACING_CONFIG_H_
